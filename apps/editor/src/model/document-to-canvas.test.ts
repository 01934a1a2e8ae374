import { canonicalStringify, type FlowDocument } from '@plantwire/flow';
import { describe, expect, it } from 'vitest';
import { documentToCanvas, withPositions, wireId } from './document-to-canvas.js';
import { demoDocument } from './fixtures.js';

describe('documentToCanvas', () => {
  it('draws every node at its layout position and every wire between named ports', () => {
    const { nodes, edges } = documentToCanvas(demoDocument(), '');
    expect(nodes.map((n) => [n.id, n.position.x, n.position.y, n.data.label])).toEqual([
      ['tick', 80, 100, 'every second'],
      ['scale', 280, 100, 'change'],
      ['print', 480, 60, 'debug'],
      ['publish', 480, 160, 'mqtt-out'],
    ]);
    expect(edges.map((e) => [e.source, e.sourceHandle, e.target, e.targetHandle])).toContainEqual(['scale', 'out', 'publish', 'in']);
    expect(edges).toHaveLength(3);
  });

  it('round-trips: positions written back from the canvas give the same canonical document', () => {
    const doc = demoDocument();
    const { nodes } = documentToCanvas(doc, '');
    const back = withPositions(doc, nodes);
    expect(back).toBe(doc); // nothing moved: the same object, so no pending change
    const moved = withPositions(doc, nodes.map((n) => (n.id === 'print' ? { ...n, position: { x: 500.4, y: 40 } } : n)));
    expect(canonicalStringify(moved)).not.toBe(canonicalStringify(doc));
    expect(moved.layout?.nodes?.['print']).toEqual({ x: 500, y: 40 });
    const again = withPositions(moved, documentToCanvas(moved, '').nodes);
    expect(canonicalStringify(again)).toBe(canonicalStringify(moved));
  });

  it('shows only the nodes of the tab and the wires with both ends on it', () => {
    const doc: FlowDocument = {
      ...demoDocument(),
      tabs: [{ id: 't2', label: 'Two' }],
    };
    const onT2 = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'print' ? { ...n, tab: 't2' } : n)) };
    const main = documentToCanvas(onT2, '');
    expect(main.nodes.map((n) => n.id)).not.toContain('print');
    expect(main.edges.map((e) => e.target)).not.toContain('print');
    expect(documentToCanvas(onT2, 't2').nodes.map((n) => n.id)).toEqual(['print']);
  });

  it('keeps the object of an unchanged node so memoised components skip it', () => {
    const doc = demoDocument();
    const first = documentToCanvas(doc, '');
    const renamed = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'tick' ? { ...n, name: 'fast' } : n)) };
    const second = documentToCanvas(renamed, '', { previous: first });
    expect(second.nodes[0]).not.toBe(first.nodes[0]);
    expect(second.nodes[0]?.data.label).toBe('fast');
    expect(second.nodes[1]).toBe(first.nodes[1]);
    expect(second.edges[0]).toBe(first.edges[0]);
  });

  it('marks invalid and selected nodes', () => {
    const { nodes, edges } = documentToCanvas(demoDocument(), '', {
      problems: new Map([['scale', 'rules: required']]),
      selectedNodes: new Set(['tick']),
      selectedEdges: new Set([wireId({ from: { node: 'tick', port: 'out' }, to: { node: 'scale', port: 'in' } })]),
    });
    expect(nodes.find((n) => n.id === 'scale')?.data).toMatchObject({ invalid: true, problem: 'rules: required' });
    expect(nodes.find((n) => n.id === 'tick')?.selected).toBe(true);
    expect(edges.filter((e) => e.selected)).toHaveLength(1);
  });

  it('places nodes without a stored position on a grid instead of on top of each other', () => {
    const doc = { ...demoDocument(), layout: {} };
    const positions = documentToCanvas(doc, '').nodes.map((n) => `${n.position.x},${n.position.y}`);
    expect(new Set(positions).size).toBe(4);
  });
});
