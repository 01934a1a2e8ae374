import type { FlowDocument } from '@plantwire/flow';
import { autoLayout } from './auto-layout.js';
import { tabKeyOf } from './document-to-canvas.js';

/** Above this many unplaced nodes on a tab the plain grid is used: layered layout gets slow. */
const LAYERED_MAX = 800;

/**
 * Display positions for nodes the document gives none (a hand-written or generated flow): a
 * left-to-right layered layout of each tab's unplaced nodes, below any placed ones. Only drawn,
 * never written to the document until the user moves a node, so opening a flow changes nothing.
 */
export function fallbackLayout(doc: FlowDocument, sizeOf: (type: string) => { width: number; height: number }): Map<string, { x: number; y: number }> {
  const placed = doc.layout?.nodes ?? {};
  const byTab = new Map<string, FlowDocument['nodes']>();
  for (const node of doc.nodes) {
    if (placed[node.id]) continue;
    const tab = tabKeyOf(node);
    const list = byTab.get(tab) ?? [];
    list.push(node);
    byTab.set(tab, list);
  }
  const result = new Map<string, { x: number; y: number }>();
  for (const [tab, nodes] of byTab) {
    if (nodes.length > LAYERED_MAX) continue; // documentToCanvas's grid takes over
    let bottom = 80;
    for (const node of doc.nodes) {
      const p = placed[node.id];
      if (p && tabKeyOf(node) === tab) bottom = Math.max(bottom, p.y + 120);
    }
    const boxes = nodes.map((n) => ({ id: n.id, x: 80, y: bottom, ...sizeOf(n.type) }));
    const layout = autoLayout(boxes, doc.wires.map((w) => ({ source: w.from.node, target: w.to.node })));
    for (const [id, p] of layout) result.set(id, p);
  }
  return result;
}
