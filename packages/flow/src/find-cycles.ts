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
  const n = ids.length;
  const successors: number[][] = Array.from({ length: n }, () => []);
  const selfLoop = new Uint8Array(n);
  const addEdge = (from: string, to: string): void => {
    const a = indexOf.get(from);
    const b = indexOf.get(to);
    if (a === undefined || b === undefined) return;
    if (a === b) selfLoop[a] = 1;
    successors[a]!.push(b);
  };
  for (const wire of doc.wires) addEdge(wire.from.node, wire.to.node);
  for (const edge of virtualEdges) addEdge(edge.from, edge.to);

  // Tarjan's strongly connected components, with an explicit stack of (node, next successor).
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const groups: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: Array<[number, number]> = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [v, next] = frame;
      const succ = successors[v]!;
      if (next < succ.length) {
        frame[1] = next + 1;
        const w = succ[next]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v]!, index[w]!);
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent[0]] = Math.min(low[parent[0]]!, low[v]!);
      if (low[v] === index[v]) {
        const group: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          group.push(w);
        } while (w !== v);
        if (group.length > 1 || selfLoop[v]) groups.push(group.sort((a, b) => a - b));
      }
    }
  }
  return groups.sort((a, b) => a[0]! - b[0]!).map((group) => group.map((i) => ids[i]!));
}
