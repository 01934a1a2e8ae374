import type { FlowDocument, Wire } from './document.js';

/** Wires of a document indexed by the node at either end, each list in document order. */
export interface WireIndex {
  /** Wires leaving `nodeId`, optionally only those leaving its port `port`. */
  outgoing(nodeId: string, port?: string): readonly Wire[];
  /** Wires arriving at `nodeId`, optionally only those arriving at its port `port`. */
  incoming(nodeId: string, port?: string): readonly Wire[];
  /** Node id → wires leaving it. */
  readonly bySource: ReadonlyMap<string, readonly Wire[]>;
  /** Node id → wires arriving at it. */
  readonly byTarget: ReadonlyMap<string, readonly Wire[]>;
}

const NONE: readonly Wire[] = Object.freeze([]);

/**
 * Index a document's wires by source and target node, in one pass, for the runtime's routing, the
 * editor's "select connected" and the graph checks.
 *
 * @example
 * const wires = wiresOf(doc);
 * wires.outgoing('scale', 'out').map((w) => w.to.node) // ['debug-1', 'mqtt-out-1']
 */
export function wiresOf(doc: Pick<FlowDocument, 'wires'>): WireIndex {
  const bySource = new Map<string, Wire[]>();
  const byTarget = new Map<string, Wire[]>();
  for (const wire of doc.wires) {
    push(bySource, wire.from.node, wire);
    push(byTarget, wire.to.node, wire);
  }
  return {
    bySource,
    byTarget,
    outgoing: (nodeId, port) => filter(bySource.get(nodeId), port, 'from'),
    incoming: (nodeId, port) => filter(byTarget.get(nodeId), port, 'to'),
  };
}

function push(map: Map<string, Wire[]>, key: string, wire: Wire): void {
  const list = map.get(key);
  if (list) list.push(wire);
  else map.set(key, [wire]);
}

function filter(list: readonly Wire[] | undefined, port: string | undefined, side: 'from' | 'to'): readonly Wire[] {
  if (!list) return NONE;
  return port === undefined ? list : list.filter((w) => w[side].port === port);
}
