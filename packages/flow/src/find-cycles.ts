import { cycleGroups } from './cycle-groups.js';
import type { FlowDocument } from './document.js';

/** An edge between two nodes that is not a wire, e.g. a link out → link in implied by config. */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
}

/**
 * Find the cycles of a flow graph: each result is one strongly connected group of node ids that
 * messages can travel around forever (a group of two or more nodes, or one node wired to
 * itself). Ids inside a group, and the groups, are in document order. Wires to ids that are not
 * nodes are ignored.
 *
 * A cycle is not always a mistake (a retry loop through the error port is one), so validation
 * reports it as a warning. Runs in linear time without recursion, so a 5,000-node chain cannot
 * overflow the stack.
 *
 * @param virtualEdges extra edges implied by config (link out → link in), see NodeTypeInfo.virtualWires.
 * @example
 * findCycles(doc) // [['poll', 'retry-delay']]
 */
export function findCycles(doc: Pick<FlowDocument, 'nodes' | 'wires'>, virtualEdges: readonly GraphEdge[] = []): string[][] {
  const indexOf = new Map<string, number>();
  const ids: string[] = [];
  for (const node of doc.nodes) {
    if (!indexOf.has(node.id)) {
      indexOf.set(node.id, ids.length);
      ids.push(node.id);
    }
  }
  const from: number[] = [];
  const to: number[] = [];
  const addEdge = (a: number | undefined, b: number | undefined): void => {
    if (a === undefined || b === undefined) return;
    from.push(a);
    to.push(b);
  };
  for (const wire of doc.wires) addEdge(indexOf.get(wire.from.node), indexOf.get(wire.to.node));
  for (const edge of virtualEdges) addEdge(indexOf.get(edge.from), indexOf.get(edge.to));
  return cycleGroups(ids.length, from, to).map((group) => group.map((i) => ids[i]!));
}
