import type { ConnectionEntry, FlowDocument, NodeEntry, Tab, Wire } from '@plantwire/flow';
import { tabKeyOf, UNTABBED } from './document-to-canvas.js';
import { takenIds, uniqueId } from './ids.js';
import { sameValue } from './stable-json.js';
import { replaceStrings } from './walk-strings.js';

/** Nodes, wires and connections to add to a document: a pasted selection or an imported document. */
export interface Fragment {
  readonly nodes: readonly NodeEntry[];
  readonly wires: readonly Wire[];
  readonly connections?: readonly ConnectionEntry[];
  readonly tabs?: readonly Tab[];
  readonly positions?: Readonly<Record<string, { readonly x: number; readonly y: number }>>;
}

export interface MergeOptions {
  /** Tab for nodes the fragment puts on no tab (or on every node when `keepTabs` is false). */
  readonly tab: string;
  /** Keep the fragment's tabs (import) instead of putting every node on `tab` (paste). */
  readonly keepTabs: boolean;
  /** Moves the fragment so its top-left corner lands here. Without it positions are kept. */
  readonly at?: { readonly x: number; readonly y: number };
}

/** What a merge adds, for the import preview. */
export interface MergePlan {
  readonly nodes: ReadonlyArray<{ readonly id: string; readonly from: string; readonly type: string; readonly name: string | undefined; readonly tab: string }>;
  readonly connections: ReadonlyArray<{ readonly id: string; readonly from: string; readonly type: string; readonly reused: boolean }>;
  readonly tabs: ReadonlyArray<{ readonly id: string; readonly from: string; readonly label: string }>;
  readonly wires: number;
  /** Wires dropped because an end is not in the fragment. */
  readonly droppedWires: number;
  /** Old id → new id, for every id that had to change because it was taken. */
  readonly remapped: ReadonlyMap<string, string>;
}

/**
 * Add a fragment to a document. Every id already taken in the document gets a new one, and wires
 * and config strings naming an old id (a connection reference, a link target) follow it. A
 * connection whose id is taken by an equal entry (same type and config) is shared, not copied.
 */
export function mergeFragment(doc: FlowDocument, fragment: Fragment, options: MergeOptions): { doc: FlowDocument; plan: MergePlan } {
  const taken = takenIds(doc);
  const remap = new Map<string, string>();
  const claim = (id: string, stem: string): string => {
    const next = taken.has(id) ? uniqueId(stem, taken) : id;
    taken.add(next);
    if (next !== id) remap.set(id, next);
    return next;
  };

  const existingConnections = new Map((doc.connections ?? []).map((c) => [c.id, c]));
  const connectionPlan: Array<MergePlan['connections'][number]> = [];
  const addedConnections: ConnectionEntry[] = [];
  for (const entry of fragment.connections ?? []) {
    const existing = existingConnections.get(entry.id);
    if (existing && existing.type === entry.type && sameValue(existing.config, entry.config)) {
      connectionPlan.push({ id: entry.id, from: entry.id, type: entry.type, reused: true });
      continue;
    }
    const id = claim(entry.id, entry.type);
    addedConnections.push({ ...entry, id });
    connectionPlan.push({ id, from: entry.id, type: entry.type, reused: false });
  }

  const tabPlan: Array<MergePlan['tabs'][number]> = [];
  const addedTabs: Tab[] = [];
  const tabRemap = new Map<string, string>();
  if (options.keepTabs) {
    for (const tab of fragment.tabs ?? []) {
      const id = claim(tab.id, 'flow');
      tabRemap.set(tab.id, id);
      addedTabs.push({ ...tab, id });
      tabPlan.push({ id, from: tab.id, label: tab.label });
    }
  }

  // Claim node ids before rewriting configs, so references between pasted nodes all follow.
  const nodeIds = fragment.nodes.map((node) => claim(node.id, node.type));
  const origin = topLeft(fragment);
  const dx = options.at && origin ? options.at.x - origin.x : 0;
  const dy = options.at && origin ? options.at.y - origin.y : 0;
  const nodePlan: Array<MergePlan['nodes'][number]> = [];
  const addedNodes: NodeEntry[] = [];
  const positions: Record<string, { x: number; y: number }> = {};
  fragment.nodes.forEach((node, index) => {
    const id = nodeIds[index]!;
    const fragmentTab = tabKeyOf(node);
    const tab = options.keepTabs && fragmentTab !== UNTABBED && tabRemap.has(fragmentTab) ? tabRemap.get(fragmentTab)! : options.tab;
    const { tab: _old, ...rest } = node;
    addedNodes.push({ ...rest, id, ...(tab !== UNTABBED ? { tab } : {}), config: replaceStrings(node.config ?? {}, remap) });
    nodePlan.push({ id, from: node.id, type: node.type, name: node.name, tab });
    const position = fragment.positions?.[node.id];
    if (position) positions[id] = { x: Math.round(position.x + dx), y: Math.round(position.y + dy) };
  });

  const inFragment = new Set(fragment.nodes.map((n) => n.id));
  const addedWires: Wire[] = [];
  let droppedWires = 0;
  for (const wire of fragment.wires) {
    if (!inFragment.has(wire.from.node) || !inFragment.has(wire.to.node)) {
      droppedWires++;
      continue;
    }
    addedWires.push({
      from: { node: remap.get(wire.from.node) ?? wire.from.node, port: wire.from.port },
      to: { node: remap.get(wire.to.node) ?? wire.to.node, port: wire.to.port },
    });
  }

  const next: FlowDocument = {
    ...doc,
    ...(addedTabs.length > 0 ? { tabs: [...(doc.tabs ?? []), ...addedTabs] } : {}),
    ...(addedConnections.length > 0 ? { connections: [...(doc.connections ?? []), ...addedConnections] } : {}),
    nodes: [...doc.nodes, ...addedNodes],
    wires: [...doc.wires, ...addedWires],
    layout: { ...doc.layout, nodes: { ...doc.layout?.nodes, ...positions } },
  };
  return {
    doc: next,
    plan: { nodes: nodePlan, connections: connectionPlan, tabs: tabPlan, wires: addedWires.length, droppedWires, remapped: remap },
  };
}

function topLeft(fragment: Fragment): { x: number; y: number } | undefined {
  let x = Infinity;
  let y = Infinity;
  for (const node of fragment.nodes) {
    const p = fragment.positions?.[node.id];
    if (!p) continue;
    x = Math.min(x, p.x);
    y = Math.min(y, p.y);
  }
  return Number.isFinite(x) ? { x, y } : undefined;
}
