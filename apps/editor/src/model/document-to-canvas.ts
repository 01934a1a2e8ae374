import type { FlowDocument, NodeEntry, Wire } from '@plantwire/flow';
import type { CanvasEdge, CanvasNode, PwNodeData } from './canvas-types.js';
import { GRID, type HandleBox } from './node-geometry.js';

/** The tab key of nodes that name no tab (a document without tabs has only these). */
export const UNTABBED = '';

export function tabKeyOf(node: Pick<NodeEntry, 'tab'>): string {
  return node.tab ?? UNTABBED;
}

/** A wire's stable canvas id: its two ends. Two wires with the same ends are the same wire. */
export function wireId(wire: Wire): string {
  return `${wire.from.node}:${wire.from.port}>${wire.to.node}:${wire.to.port}`;
}

/** Where a node without a stored position is drawn: a grid, in document order, so it never lands on another. */
export function fallbackPosition(index: number): { x: number; y: number } {
  return { x: 80 + (index % 8) * 220, y: 80 + Math.floor(index / 8) * 120 };
}

export interface CanvasOptions {
  readonly selectedNodes?: ReadonlySet<string>;
  readonly selectedEdges?: ReadonlySet<string>;
  /** Node id → first problem (server issues and local schema checks). */
  readonly problems?: ReadonlyMap<string, string>;
  /** The canvas of the last conversion: unchanged nodes keep their object so memoised components skip rendering. */
  readonly previous?: { readonly nodes: readonly CanvasNode[]; readonly edges: readonly CanvasEdge[] };
  /** Display positions of nodes the document places nowhere (see `fallbackLayout`). */
  readonly fallback?: ReadonlyMap<string, { readonly x: number; readonly y: number }>;
  /** Size and handles of a node type, so the canvas needs no measuring pass before drawing. */
  readonly geometry?: (type: string) => { readonly width: number; readonly height: number; readonly handles: HandleBox[] };
}

/**
 * The canvas nodes and edges of one tab of a document. Positions come from `layout.nodes`; a
 * wire is drawn when both ends are on the tab. Pure and O(nodes + wires): called on edits, never
 * per frame (dragging moves canvas nodes directly and is written back once, on drop).
 */
export function documentToCanvas(doc: FlowDocument, tab: string, options: CanvasOptions = {}): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const positions = doc.layout?.nodes ?? {};
  const previousNodes = new Map((options.previous?.nodes ?? []).map((n) => [n.id, n]));
  const previousEdges = new Map((options.previous?.edges ?? []).map((e) => [e.id, e]));
  const onTab = new Set<string>();
  const nodes: CanvasNode[] = [];
  let unplaced = 0;
  for (const entry of doc.nodes) {
    if (tabKeyOf(entry) !== tab) continue;
    onTab.add(entry.id);
    const stored = positions[entry.id];
    const computed = stored ? undefined : options.fallback?.get(entry.id);
    const position = stored ? { x: stored.x, y: stored.y } : computed ? { x: computed.x, y: computed.y } : fallbackPosition(unplaced++);
    const problem = options.problems?.get(entry.id);
    const data: PwNodeData = {
      nodeType: entry.type,
      label: entry.name !== undefined && entry.name !== '' ? entry.name : entry.type,
      invalid: problem !== undefined,
      problem,
      disabled: entry.disabled === true,
    };
    const selected = options.selectedNodes?.has(entry.id) ?? false;
    const before = previousNodes.get(entry.id);
    if (before && sameNode(before, position, data, selected)) {
      nodes.push(before);
    } else {
      const geometry = options.geometry?.(entry.type);
      nodes.push({
        ...(before?.measured ? { measured: before.measured } : {}),
        ...(geometry ? { width: geometry.width, height: geometry.height, handles: geometry.handles } : {}),
        id: entry.id,
        type: 'pw',
        position,
        data,
        selected,
      });
    }
  }
  const edges: CanvasEdge[] = [];
  for (const wire of doc.wires) {
    if (!onTab.has(wire.from.node) || !onTab.has(wire.to.node)) continue;
    const id = wireId(wire);
    const selected = options.selectedEdges?.has(id) ?? false;
    const before = previousEdges.get(id);
    if (before && (before.selected ?? false) === selected) {
      edges.push(before);
    } else {
      edges.push({ id, type: 'pw', source: wire.from.node, sourceHandle: wire.from.port, target: wire.to.node, targetHandle: wire.to.port, selected });
    }
  }
  return { nodes, edges };
}

function sameNode(before: CanvasNode, position: { x: number; y: number }, data: PwNodeData, selected: boolean): boolean {
  const d = before.data;
  return (
    before.position.x === position.x &&
    before.position.y === position.y &&
    (before.selected ?? false) === selected &&
    d.nodeType === data.nodeType &&
    d.label === data.label &&
    d.invalid === data.invalid &&
    d.problem === data.problem &&
    d.disabled === data.disabled
  );
}

/**
 * Write canvas positions back into a document's layout (the other half of the round trip).
 * Unmoved nodes keep their layout entry object; a document whose positions are all unchanged is
 * returned as is, so "nothing changed" is cheap to see.
 */
export function withPositions(doc: FlowDocument, moved: ReadonlyArray<{ readonly id: string; readonly position: { readonly x: number; readonly y: number } }>): FlowDocument {
  const current = doc.layout?.nodes ?? {};
  let next: Record<string, { x: number; y: number; width?: number; height?: number }> | undefined;
  for (const { id, position } of moved) {
    const before = current[id];
    const x = Math.round(position.x);
    const y = Math.round(position.y);
    if (before && before.x === x && before.y === y) continue;
    next ??= { ...current };
    next[id] = { ...before, x, y };
  }
  if (!next) return doc;
  return { ...doc, layout: { ...doc.layout, nodes: next } };
}

/** Snap to the canvas grid (used for dropped and pasted nodes). */
export function gridPosition(position: { x: number; y: number }): { x: number; y: number } {
  return { x: Math.round(position.x / GRID) * GRID, y: Math.round(position.y / GRID) * GRID };
}
