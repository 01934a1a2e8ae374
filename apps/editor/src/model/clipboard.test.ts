import { describe, expect, it } from 'vitest';
import { copySelection, parseClipboard } from './clipboard.js';
import { demoDocument } from './fixtures.js';
import { mergeFragment } from './merge-fragment.js';

describe('clipboard', () => {
  it('copies the selected nodes, the wires among them and the connections they name', () => {
    const payload = copySelection(demoDocument(), new Set(['scale', 'publish']));
    expect(payload.nodes.map((n) => n.id)).toEqual(['scale', 'publish']);
    expect(payload.wires).toEqual([{ from: { node: 'scale', port: 'out' }, to: { node: 'publish', port: 'in' } }]);
    expect(payload.connections.map((c) => c.id)).toEqual(['broker']);
    expect(payload.positions).toEqual({ scale: { x: 280, y: 100 }, publish: { x: 480, y: 160 } });
  });

  it('pastes into the same document with new ids, rewired, sharing the equal connection', () => {
    const doc = demoDocument();
    const text = JSON.stringify(copySelection(doc, new Set(['scale', 'publish'])));
    const fragment = parseClipboard(text);
    expect(fragment).toBeDefined();
    const { doc: pasted, plan } = mergeFragment(doc, fragment!, { tab: '', keepTabs: false, at: { x: 300, y: 400 } });
    expect(plan.nodes.map((n) => n.id)).toEqual(['change-1', 'mqtt-out-1']);
    expect(plan.connections).toEqual([{ id: 'broker', from: 'broker', type: 'mqtt-broker', reused: true }]);
    expect(pasted.connections).toHaveLength(1);
    expect(pasted.wires.at(-1)).toEqual({ from: { node: 'change-1', port: 'out' }, to: { node: 'mqtt-out-1', port: 'in' } });
    expect(pasted.nodes.find((n) => n.id === 'mqtt-out-1')?.config['broker']).toBe('broker');
    // The selection's top-left goes where it was pasted; relative placement is kept.
    expect(pasted.layout?.nodes?.['change-1']).toEqual({ x: 300, y: 400 });
    expect(pasted.layout?.nodes?.['mqtt-out-1']).toEqual({ x: 500, y: 460 });
    // The original is untouched.
    expect(pasted.nodes.slice(0, 4)).toEqual(doc.nodes);
  });

  it('puts pasted nodes on the target tab', () => {
    const doc = { ...demoDocument(), tabs: [{ id: 't2', label: 'two' }] };
    const { doc: pasted } = mergeFragment(doc, copySelection(doc, new Set(['tick'])), { tab: 't2', keepTabs: false });
    expect(pasted.nodes.at(-1)).toMatchObject({ id: 'inject-1', tab: 't2' });
  });

  it('pastes into another document keeping ids that are free there', () => {
    const payload = copySelection(demoDocument(), new Set(['publish']));
    const empty = { version: 1 as const, nodes: [], wires: [] };
    const { doc, plan } = mergeFragment(empty, payload, { tab: '', keepTabs: false });
    expect(doc.nodes.map((n) => n.id)).toEqual(['publish']);
    expect(doc.connections?.map((c) => c.id)).toEqual(['broker']);
    expect(plan.remapped.size).toBe(0);
  });

  it('reads a whole flow document as a fragment and ignores unrelated text', () => {
    expect(parseClipboard(JSON.stringify(demoDocument()))?.nodes).toHaveLength(4);
    expect(parseClipboard('hello')).toBeUndefined();
    expect(parseClipboard('{"nodes":[{"id":1}],"wires":[]}')).toBeUndefined();
  });
});
