import type { FlowDocument } from '@plantwire/flow';
import { describe, expect, it } from 'vitest';
import { demoDocument } from './fixtures.js';
import { planImport } from './plan-import.js';

describe('planImport', () => {
  it('renames colliding ids and follows them in wires and config references', () => {
    const working = demoDocument();
    const imported: FlowDocument = {
      version: 1,
      env: { DEADBAND: '0.5' },
      connections: [{ id: 'broker', type: 'mqtt-broker', config: { url: 'mqtt://elsewhere' } }],
      nodes: [
        { id: 'tick', type: 'inject', config: {} },
        { id: 'out', type: 'mqtt-out', config: { broker: 'broker' } },
      ],
      wires: [{ from: { node: 'tick', port: 'out' }, to: { node: 'out', port: 'in' } }],
      layout: { nodes: { tick: { x: 0, y: 0 }, out: { x: 200, y: 0 } } },
    };
    const { doc, plan } = planImport(working, imported, '');
    expect(plan.nodes.map((n) => [n.from, n.id])).toEqual([['tick', 'inject-1'], ['out', 'out']]);
    expect(plan.connections).toEqual([{ id: 'mqtt-broker-1', from: 'broker', type: 'mqtt-broker', reused: false }]);
    expect(plan.remapped).toEqual(new Map([['broker', 'mqtt-broker-1'], ['tick', 'inject-1']]));
    expect(doc.nodes.find((n) => n.id === 'out')?.config['broker']).toBe('mqtt-broker-1');
    expect(doc.wires.at(-1)).toEqual({ from: { node: 'inject-1', port: 'out' }, to: { node: 'out', port: 'in' } });
    expect(plan.envAdded).toEqual(['DEADBAND']);
    // Placed below what the tab already shows (its lowest node is at y = 160).
    expect(doc.layout?.nodes?.['inject-1']).toEqual({ x: 0, y: 280 });
    expect(doc.nodes).toHaveLength(6);
  });

  it('brings the imported tabs along, renamed when taken', () => {
    const working: FlowDocument = { ...demoDocument(), tabs: [{ id: 'main', label: 'Main' }] };
    const imported: FlowDocument = {
      version: 1,
      tabs: [{ id: 'main', label: 'Theirs' }],
      nodes: [{ id: 'x', type: 'debug', tab: 'main', config: {} }],
      wires: [],
    };
    const { doc, plan } = planImport(working, imported, 'main');
    expect(plan.tabs).toEqual([{ id: 'flow-1', from: 'main', label: 'Theirs' }]);
    expect(doc.nodes.at(-1)).toMatchObject({ id: 'x', tab: 'flow-1' });
  });

  it('keeps the working value of a conflicting env variable and says so', () => {
    const working: FlowDocument = { ...demoDocument(), env: { A: '1' } };
    const { doc, plan } = planImport(working, { version: 1, env: { A: '2' }, nodes: [], wires: [] }, '');
    expect(doc.env).toEqual({ A: '1' });
    expect(plan.envConflicts).toEqual(['A']);
  });
});

describe('planImport placement', () => {
  it('gives unpositioned nodes their own places below the tab\'s content', () => {
    const imported: FlowDocument = { version: 1, nodes: [{ id: 'a', type: 'inject', config: {} }, { id: 'b', type: 'debug', config: {} }], wires: [] };
    const { doc } = planImport(demoDocument(), imported, '');
    const a = doc.layout?.nodes?.['a'];
    const b = doc.layout?.nodes?.['b'];
    expect(a?.y).toBeGreaterThan(160); // below the lowest existing node
    expect(a).not.toEqual(b);
  });
});
