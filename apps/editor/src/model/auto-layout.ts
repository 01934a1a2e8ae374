import { Graph, layout } from '@dagrejs/dagre';

export interface LayoutBox {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Left-to-right layered layout (dagre) of some nodes and the wires among them. The result keeps
 * the top-left corner of the nodes' current bounding box, so laying out a selection tidies it in
 * place instead of throwing it across the canvas. Returns top-left positions.
 */
export function autoLayout(
  boxes: readonly LayoutBox[],
  links: ReadonlyArray<{ readonly source: string; readonly target: string }>,
): Map<string, { x: number; y: number }> {
  const result = new Map<string, { x: number; y: number }>();
  if (boxes.length === 0) return result;
  const graph = new Graph({ multigraph: false });
  graph.setGraph({ rankdir: 'LR', nodesep: 30, ranksep: 70, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));
  const ids = new Set<string>();
  for (const box of boxes) {
    graph.setNode(box.id, { width: box.width, height: box.height });
    ids.add(box.id);
  }
  for (const link of links) {
    if (ids.has(link.source) && ids.has(link.target) && link.source !== link.target) graph.setEdge(link.source, link.target);
  }
  layout(graph);
  const originX = Math.min(...boxes.map((b) => b.x));
  const originY = Math.min(...boxes.map((b) => b.y));
  let minX = Infinity;
  let minY = Infinity;
  const centred = new Map<string, { x: number; y: number }>();
  for (const box of boxes) {
    const placed = graph.node(box.id) as { x: number; y: number };
    // dagre places centres; the canvas stores top-left corners.
    const x = placed.x - box.width / 2;
    const y = placed.y - box.height / 2;
    centred.set(box.id, { x, y });
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
  }
  for (const [id, p] of centred) result.set(id, { x: Math.round(p.x - minX + originX), y: Math.round(p.y - minY + originY) });
  return result;
}
