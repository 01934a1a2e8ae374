/**
 * The cycles of a graph of `n` vertices numbered 0…n-1, with edge `e` from `from[e]` to `to[e]`:
 * each strongly connected group of two or more vertices, or one vertex with an edge to itself.
 * Vertices inside a group, and the groups, are in ascending order. Tarjan's algorithm without
 * recursion, in linear time, so a 5,000-node chain cannot overflow the stack.
 *
 * The core of `findCycles`, for callers that already number their nodes (validation does, and
 * so skips a map from id to index and an edge object per wire).
 *
 * @example
 * cycleGroups(3, [0, 1, 2], [1, 0, 2]) // [[0, 1], [2]]
 */
export function cycleGroups(n: number, from: ArrayLike<number>, to: ArrayLike<number>): number[][] {
  // Successors in compressed form (one Int32Array for all edges, offsets per node): a 5,000-node
  // document is checked on every deploy, and an array per node and per stack frame showed up.
  const selfLoop = new Uint8Array(n);
  for (let e = 0; e < from.length; e++) if (from[e] === to[e]) selfLoop[from[e]!] = 1;
  const start = new Int32Array(n + 1);
  for (let e = 0; e < from.length; e++) start[from[e]! + 1]!++;
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
        // Most components are one vertex (v on top of the stack): no array for those unless v
        // loops to itself. An array each, grown by push, was ~0.8 MB of a 5,000-node deploy.
        if (stack[top - 1] === v) {
          top--;
          onStack[v] = 0;
          if (selfLoop[v]) groups.push([v]);
          continue;
        }
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
  return groups.sort((a, b) => a[0]! - b[0]!);
}
