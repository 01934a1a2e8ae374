import type { WatchSpec } from '@plantwire/node-sdk';

/** A node as the watch index sees it. */
export interface WatchableNode {
  readonly id: string;
  readonly tab: string | undefined;
  /** What the node watches, when it is a catch, status or complete node. */
  readonly watchSpec: WatchSpec | undefined;
}

/** The watchers of one node, by what they watch. */
export interface WatchLists<N> {
  /** Catch nodes that take every error of the node. */
  readonly errorCatch: readonly N[];
  /** Catch nodes that take only errors no other catch node in scope handled. */
  readonly errorUncaught: readonly N[];
  readonly status: readonly N[];
  readonly complete: readonly N[];
}

const NONE: readonly never[] = Object.freeze([]);
/** The lists of a node no watcher covers: one frozen value for all of them (most nodes, in most flows). */
export const UNWATCHED: WatchLists<never> = Object.freeze({ errorCatch: NONE, errorUncaught: NONE, status: NONE, complete: NONE });

/**
 * Whether a watcher's scope covers a node: 'tab' means the watcher's own tab (nodes without a tab
 * share one), 'all' every node, a list names the node ids. A watcher never watches itself, so a
 * status node cannot feed on its own badge.
 */
export function inScope(spec: WatchSpec, watcher: { readonly id: string; readonly tab: string | undefined }, node: { readonly id: string; readonly tab: string | undefined }): boolean {
  if (watcher.id === node.id) return false;
  if (spec.scope === 'all') return true;
  if (spec.scope === 'tab') return watcher.tab === node.tab;
  return spec.scope.includes(node.id);
}

/**
 * For every node, the watchers whose scope covers it. Computed once per deploy so that raising an
 * error or finishing a message costs an array read, not a search.
 *
 * @example
 * const lists = buildWatchLists(instances);
 * lists.get(node)!.complete.forEach((w) => w.deliverWatched(msg));
 */
export function buildWatchLists<N extends WatchableNode>(nodes: readonly N[]): Map<N, WatchLists<N>> {
  const watchers = nodes.filter((n) => n.watchSpec !== undefined);
  const result = new Map<N, WatchLists<N>>();
  for (const node of nodes) {
    let lists: { errorCatch: N[]; errorUncaught: N[]; status: N[]; complete: N[] } | undefined;
    for (const w of watchers) {
      const spec = w.watchSpec!;
      if (!inScope(spec, w, node)) continue;
      lists ??= { errorCatch: [], errorUncaught: [], status: [], complete: [] };
      if (spec.event === 'error') (spec.uncaughtOnly ? lists.errorUncaught : lists.errorCatch).push(w);
      else if (spec.event === 'status') lists.status.push(w);
      else lists.complete.push(w);
    }
    result.set(node, lists ?? UNWATCHED);
  }
  return result;
}
