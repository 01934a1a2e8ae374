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
  // Successors in compressed form (one Int32Array for all edges, offsets per node): a 5,000-node
  // document is checked on every deploy, and an array per node and per stack frame showed up.
  const from: number[] = [];
  const to: number[] = [];
  const selfLoop = new Uint8Array(n);
  const addEdge = (a: number | undefined, b: number | undefined): void => {
    if (a === undefined || b === undefined) return;
    if (a === b) selfLoop[a] = 1;
    from.push(a);
    to.push(b);
  };
  for (const wire of doc.wires) addEdge(indexOf.get(wire.from.node), indexOf.get(wire.to.node));
  for (const edge of virtualEdges) addEdge(indexOf.get(edge.from), indexOf.get(edge.to));
  const start = new Int32Array(n + 1);
  for (const a of from) start[a + 1]!++;
  for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
  const succ = new Int32Array(from.length);
  const fill = start.slice(0, n);
  for (let e = 0; e < from.length; e++) succ[fill[from[e]!]!++] = to[e]!;

  // Tarjan's strongly connected components, with an explicit stack of (node, next successor).
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  let top = 0;
  const workNode = new Int32Array(n);
  const workNext = new Int32Array(n);
  const groups: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    workNode[0] = root;
    workNext[0] = start[root]!;
    index[root] = low[root] = counter++;
    stack[top++] = root;
    onStack[root] = 1;
    while (depth >= 0) {
      const v = workNode[depth]!;
      const next = workNext[depth]!;
      if (next < start[v + 1]!) {
        workNext[depth] = next + 1;
        const w = succ[next]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack[top++] = w;
          onStack[w] = 1;
          depth++;
          workNode[depth] = w;
          workNext[depth] = start[w]!;
        } else if (onStack[w]) {
          low[v] = Math.min(low[v]!, index[w]!);
        }
        continue;
      }
      depth--;
      if (depth >= 0) {
        const parent = workNode[depth]!;
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === index[v]) {
        const group: number[] = [];
        let w: number;
        do {
          w = stack[--top]!;
          onStack[w] = 0;
          group.push(w);
        } while (w !== v);
        if (group.length > 1 || selfLoop[v]) groups.push(group.sort((a, b) => a - b));
      }
    }
  }
  return groups.sort((a, b) => a[0]! - b[0]!).map((group) => group.map((i) => ids[i]!));
}
