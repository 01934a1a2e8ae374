import { describe, expect, it } from 'vitest';
import { addNode, addTab, addWire, removeElements, removeTab, setNodeSettings } from './edit-document.js';
import { wireId } from './document-to-canvas.js';
import { demoDocument } from './fixtures.js';
import { ID_PATTERN, uniqueId } from './ids.js';

describe('document edits', () => {
  it('adds a node with a fresh readable id and its position', () => {
    const { doc, id } = addNode(demoDocument(), { type: 'change', typeVersion: 1, tab: '', position: { x: 10.4, y: 20 } });
    expect(id).toBe('change-1');
    expect(doc.nodes.at(-1)).toEqual({ id: 'change-1', type: 'change', config: {} });
    expect(doc.layout?.nodes?.['change-1']).toEqual({ x: 10, y: 20 });
    expect(addNode(doc, { type: 'change', typeVersion: 1, tab: '', position: { x: 0, y: 0 } }).id).toBe('change-2');
  });

  it('makes ids that pass the document id rule from any type name', () => {
    expect(uniqueId('Weird Type!', new Set())).toMatch(ID_PATTERN);
    expect(uniqueId('', new Set(['node-1']))).toBe('node-2');
  });

  it('removes nodes with their wires and positions, and single wires by id', () => {
    const doc = demoDocument();
    const without = removeElements(doc, new Set(['scale']));
    expect(without.nodes.map((n) => n.id)).toEqual(['tick', 'print', 'publish']);
    expect(without.wires).toEqual([]);
    expect(without.layout?.nodes?.['scale']).toBeUndefined();
    const oneWire = removeElements(doc, new Set(), new Set([wireId(doc.wires[0]!)]));
    expect(oneWire.wires).toHaveLength(2);
    expect(oneWire.nodes).toBe(doc.nodes);
  });

  it('never adds the same wire twice', () => {
    const doc = demoDocument();
    expect(addWire(doc, doc.wires[0]!)).toBe(doc);
    expect(addWire(doc, { from: { node: 'tick', port: 'out' }, to: { node: 'print', port: 'in' } }).wires).toHaveLength(4);
  });

  it('leaves default settings out of the entry, as the canonical form does', () => {
    const doc = setNodeSettings(demoDocument(), 'scale', { name: '', disabled: false });
    expect(Object.keys(doc.nodes[1]!)).toEqual(['id', 'type', 'config']);
    expect(setNodeSettings(doc, 'scale', { disabled: true }).nodes[1]?.disabled).toBe(true);
  });

  it('adds tabs and removes a tab with its nodes', () => {
    const { doc, id } = addTab(demoDocument());
    expect(doc.tabs).toEqual([{ id: 'flow-1', label: 'Flow 1' }]);
    const placed = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'print' ? { ...n, tab: id } : n)) };
    const removed = removeTab(placed, id);
    expect(removed.tabs).toBeUndefined();
    expect(removed.nodes.map((n) => n.id)).not.toContain('print');
  });
});
