import type { FlowDocument, NodeEntry } from '@plantwire/flow';
import { wireId } from './document-to-canvas.js';
import { sameValue } from './stable-json.js';

/** What deploying the working copy would change, compared with the deployed document. */
export interface PendingChanges {
  /** Added, removed or changed nodes, connections, tabs and wires, and document-level fields. */
  readonly semantic: number;
  /** Moved nodes and changed groups: saved by a deploy, but nothing restarts for them. */
  readonly layout: number;
  readonly total: number;
  /** Nodes added or changed (not removed), for highlighting. */
  readonly changedNodes: ReadonlySet<string>;
}

export const NO_CHANGES: PendingChanges = Object.freeze({ semantic: 0, layout: 0, total: 0, changedNodes: new Set<string>() });

/**
 * Count the pending changes of `working` against `deployed`, entry by entry. Entries that are the
 * same object (structural sharing after an edit) are skipped without comparing, so an edit of a
 * 2,000-node document costs little.
 */
export function pendingChanges(deployed: FlowDocument | undefined, working: FlowDocument): PendingChanges {
  if (!deployed) return { semantic: working.nodes.length + working.wires.length, layout: 0, total: working.nodes.length + working.wires.length, changedNodes: new Set(working.nodes.map((n) => n.id)) };
  if (deployed === working) return NO_CHANGES;
  const changedNodes = new Set<string>();
  let semantic = 0;
  semantic += diffEntries(deployed.nodes, working.nodes, (id) => changedNodes.add(id));
  semantic += diffEntries(deployed.connections ?? [], working.connections ?? []);
  semantic += diffEntries(deployed.tabs ?? [], working.tabs ?? []);
  if (deployed.wires !== working.wires) {
    const before = new Set(deployed.wires.map(wireId));
    const after = new Set(working.wires.map(wireId));
    for (const id of after) if (!before.has(id)) semantic++;
    for (const id of before) if (!after.has(id)) semantic++;
  }
  for (const key of ['name', 'description', 'env', '$schema'] as const) {
    if (!sameValue(deployed[key], working[key])) semantic++;
  }
  let layout = 0;
  const beforeLayout = deployed.layout?.nodes ?? {};
  const afterLayout = working.layout?.nodes ?? {};
  if (beforeLayout !== afterLayout) {
    const present = new Set(working.nodes.map((n: NodeEntry) => n.id));
    const existed = new Set(deployed.nodes.map((n: NodeEntry) => n.id));
    for (const [id, position] of Object.entries(afterLayout)) {
      const was = beforeLayout[id];
      // A new node's position is part of adding it, not a move of its own.
      if (was === undefined || !present.has(id) || !existed.has(id)) continue;
      if (was !== position && !sameValue(was, position)) layout++;
    }
  }
  if (!sameValue(deployed.layout?.groups ?? [], working.layout?.groups ?? [])) layout++;
  return { semantic, layout, total: semantic + layout, changedNodes };
}

function diffEntries<T extends { readonly id: string }>(before: readonly T[], after: readonly T[], changed?: (id: string) => void): number {
  if (before === after) return 0;
  const old = new Map(before.map((e) => [e.id, e]));
  let count = 0;
  for (const entry of after) {
    const was = old.get(entry.id);
    old.delete(entry.id);
    if (was === entry) continue;
    if (was === undefined || !sameValue(was, entry)) {
      count++;
      changed?.(entry.id);
    }
  }
  return count + old.size;
}
