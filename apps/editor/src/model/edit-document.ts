import type { ConnectionEntry, FlowDocument, NodeEntry, Tab, Wire } from '@plantwire/flow';
import { tabKeyOf, UNTABBED, wireId } from './document-to-canvas.js';
import { takenIds, uniqueId } from './ids.js';

// Every edit is a pure function document → document that shares what it does not change, so
// history snapshots cost little and unchanged entries keep their identity (cheap to compare).

export interface AddNodeInput {
  readonly type: string;
  readonly typeVersion: number;
  readonly tab: string;
  readonly position: { readonly x: number; readonly y: number };
  readonly config?: Record<string, unknown>;
}

export function addNode(doc: FlowDocument, input: AddNodeInput): { doc: FlowDocument; id: string } {
  const id = uniqueId(input.type, takenIds(doc));
  const node: NodeEntry = {
    id,
    type: input.type,
    ...(input.typeVersion > 1 ? { typeVersion: input.typeVersion } : {}),
    ...(input.tab !== UNTABBED ? { tab: input.tab } : {}),
    config: input.config ?? {},
  };
  const layoutNodes = { ...doc.layout?.nodes, [id]: { x: Math.round(input.position.x), y: Math.round(input.position.y) } };
  return { doc: { ...doc, nodes: [...doc.nodes, node], layout: { ...doc.layout, nodes: layoutNodes } }, id };
}

/** Remove nodes (with their wires and layout) and wires by canvas id. */
export function removeElements(doc: FlowDocument, nodeIds: ReadonlySet<string>, wireIds: ReadonlySet<string> = new Set()): FlowDocument {
  if (nodeIds.size === 0 && wireIds.size === 0) return doc;
  // Untouched arrays keep their identity: pending-change counting skips them without comparing.
  const nodes = nodeIds.size === 0 ? doc.nodes : doc.nodes.filter((n) => !nodeIds.has(n.id));
  const wires = doc.wires.filter((w) => !nodeIds.has(w.from.node) && !nodeIds.has(w.to.node) && !wireIds.has(wireId(w)));
  let layout = doc.layout;
  if (layout && nodeIds.size > 0) {
    const positions = layout.nodes ? Object.fromEntries(Object.entries(layout.nodes).filter(([id]) => !nodeIds.has(id))) : undefined;
    const groups = layout.groups?.map((g) => (g.nodes.some((id) => nodeIds.has(id)) ? { ...g, nodes: g.nodes.filter((id) => !nodeIds.has(id)) } : g));
    layout = { ...(positions ? { nodes: positions } : {}), ...(groups ? { groups } : {}) };
  }
  return { ...doc, nodes, wires, ...(layout ? { layout } : {}) };
}

export function hasWire(doc: FlowDocument, wire: Wire): boolean {
  const id = wireId(wire);
  return doc.wires.some((w) => wireId(w) === id);
}

/** Add a wire; a wire with the same ends is not added twice. */
export function addWire(doc: FlowDocument, wire: Wire): FlowDocument {
  if (hasWire(doc, wire)) return doc;
  return { ...doc, wires: [...doc.wires, { from: { ...wire.from }, to: { ...wire.to } }] };
}

function replaceNode(doc: FlowDocument, id: string, update: (node: NodeEntry) => NodeEntry): FlowDocument {
  const index = doc.nodes.findIndex((n) => n.id === id);
  if (index < 0) return doc;
  const nodes = doc.nodes.slice();
  nodes[index] = update(doc.nodes[index]!);
  return { ...doc, nodes };
}

export function setNodeConfig(doc: FlowDocument, id: string, config: Record<string, unknown>): FlowDocument {
  return replaceNode(doc, id, (node) => ({ ...node, config }));
}

/** Name, disabled flag and queue settings (the parts of a node entry apart from its config). */
export type NodeSettings = Partial<Pick<NodeEntry, 'name' | 'disabled' | 'queue'>>;

export function setNodeSettings(doc: FlowDocument, id: string, settings: NodeSettings): FlowDocument {
  return replaceNode(doc, id, (node) => {
    const next: Record<string, unknown> = { ...node, ...settings };
    // An empty name, a false `disabled` or an empty queue are the defaults: leave the key out, as the canonical form does.
    if (next['name'] === '') delete next['name'];
    if (next['disabled'] === false) delete next['disabled'];
    if (next['queue'] !== undefined && Object.values(next['queue'] as object).every((v) => v === undefined)) delete next['queue'];
    for (const key of Object.keys(next)) if (next[key] === undefined) delete next[key];
    return next as NodeEntry;
  });
}

export function upsertConnection(doc: FlowDocument, entry: ConnectionEntry): FlowDocument {
  const connections = doc.connections ?? [];
  const index = connections.findIndex((c) => c.id === entry.id);
  const next = index < 0 ? [...connections, entry] : connections.map((c, i) => (i === index ? entry : c));
  return { ...doc, connections: next };
}

export function removeConnection(doc: FlowDocument, id: string): FlowDocument {
  if (!doc.connections?.some((c) => c.id === id)) return doc;
  return { ...doc, connections: doc.connections.filter((c) => c.id !== id) };
}

/** A new connection entry of a type with an id free in the document. */
export function newConnection(doc: FlowDocument, type: string, typeVersion: number): ConnectionEntry {
  return { id: uniqueId(type, takenIds(doc)), type, ...(typeVersion > 1 ? { typeVersion } : {}), config: {} };
}

export function addTab(doc: FlowDocument, label?: string): { doc: FlowDocument; id: string } {
  const tabs = doc.tabs ?? [];
  const id = uniqueId('flow', takenIds(doc));
  const tab: Tab = { id, label: label ?? `Flow ${tabs.length + 1}` };
  return { doc: { ...doc, tabs: [...tabs, tab] }, id };
}

export function renameTab(doc: FlowDocument, id: string, label: string): FlowDocument {
  if (!doc.tabs?.some((t) => t.id === id)) return doc;
  return { ...doc, tabs: doc.tabs.map((t) => (t.id === id ? { ...t, label } : t)) };
}

/** Remove a tab and every node on it. */
export function removeTab(doc: FlowDocument, id: string): FlowDocument {
  const nodeIds = new Set(doc.nodes.filter((n) => tabKeyOf(n) === id).map((n) => n.id));
  const without = removeElements(doc, nodeIds);
  const tabs = (without.tabs ?? []).filter((t) => t.id !== id);
  const { tabs: _dropped, ...rest } = without;
  return tabs.length > 0 ? { ...rest, tabs } : rest;
}
