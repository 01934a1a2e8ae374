import { validate, type FlowDocument } from '@plantwire/flow';
import { createRegistry, defineNode } from '@plantwire/node-sdk';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { compileFlow } from './compile-flow.js';
import { fixtureTypes, flowDoc, wire } from './fixtures/test-node-types.js';


const linkOut = defineNode({
  type: 'link-out',
  version: 1,
  category: 'flow',
  summary: 'Sends to link-in nodes.',
  inputs: { in: 'Messages.' },
  config: z.object({ links: z.array(z.string()) }),
  onInput: (msg) => msg,
  virtualWires: (config) => config.links.map((node) => ({ port: 'out', to: { node, port: 'in' } })),
});

const scaled = defineNode({
  type: 'scaled',
  version: 2,
  category: 'transform',
  summary: 'v2 renamed factor to gain.',
  inputs: { in: 'Numbers.' },
  outputs: { out: 'Numbers.' },
  config: z.object({ gain: z.number(), unit: z.string().default('V'), port: z.number().optional() }),
  migrations: { 1: (c) => ({ gain: c['factor'] }) },
});

const registry = createRegistry([...fixtureTypes, linkOut, scaled]);

function compile(doc: unknown, processEnv: Record<string, string> = {}) {
  const v = validate(doc, { nodeTypes: registry.info, env: processEnv });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return compileFlow(v.document as FlowDocument, { registry, processEnv, defaultQueueCapacity: 50 });
}

describe('compileFlow', () => {
  it('migrates, substitutes ${ENV} (tab over document over process) and parses configs with their schema', () => {
    const result = compile(
      flowDoc(
        [
          { id: 'a', type: 'scaled', typeVersion: 1, tab: 't1', config: { factor: '${GAIN}' } },
          { id: 'b', type: 'scaled', typeVersion: 2, config: { gain: 1, port: '${PORT}' } },
        ],
        [],
        { env: { GAIN: '2', PORT: '1883' }, tabs: [{ id: 't1', label: 'Tab', env: { GAIN: '3' } }] },
      ),
      { PORT: '9999' },
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.flow.nodes.get('a')!.config).toEqual({ gain: 3, unit: 'V' });
    expect(result.flow.nodes.get('b')!.config).toEqual({ gain: 1, unit: 'V', port: 1883 });
    expect(result.flow.nodes.get('a')!.env('PORT')).toBe('1883');
    expect(result.flow.nodes.get('a')!.env('GAIN')).toBe('3');
  });

  it('leaves out disabled nodes, nodes on disabled tabs and their wires; applies queue settings and defaults', () => {
    const result = compile(
      flowDoc(
        [
          { id: 'a', type: 'pass', queue: { capacity: 7, overflow: 'drop-oldest' } },
          { id: 'off', type: 'pass', disabled: true },
          { id: 'hidden', type: 'pass', tab: 'dark' },
          { id: 'z', type: 'collect' },
        ],
        [wire('a', 'off'), wire('a', 'hidden'), wire('a', 'z'), wire('off', 'z')],
        { tabs: [{ id: 'dark', label: 'Off', disabled: true }] },
      ),
    );
    if (!result.ok) throw new Error('unexpected issues');
    expect([...result.flow.nodes.keys()]).toEqual(['a', 'z']);
    const a = result.flow.nodes.get('a')!;
    expect(a.outgoing.map((e) => e.to.node)).toEqual(['z']);
    expect([a.capacity, a.overflow]).toEqual([7, 'drop-oldest']);
    expect([result.flow.nodes.get('z')!.capacity, result.flow.nodes.get('z')!.overflow]).toEqual([50, 'block']);
  });

  it('adds virtual wires from config, each edge once', () => {
    const result = compile(
      flowDoc([{ id: 'lo', type: 'link-out', config: { links: ['x', 'x'] } }, { id: 'x', type: 'collect' }]),
    );
    if (!result.ok) throw new Error('unexpected issues');
    expect(result.flow.nodes.get('lo')!.outgoing).toEqual([{ from: { node: 'lo', port: 'out' }, to: { node: 'x', port: 'in' }, virtual: true }]);
    expect(result.flow.nodes.get('x')!.incoming).toHaveLength(1);
  });

  it('keeps each edge once for a node with many targets, some named twice', () => {
    const targets = Array.from({ length: 40 }, (_, i) => `t${i}`);
    const result = compile(
      flowDoc([{ id: 'lo', type: 'link-out', config: { links: ['t3', ...targets, 't3', 't39', 't0'] } }, ...targets.map((id) => ({ id, type: 'collect' }))]),
    );
    if (!result.ok) throw new Error('unexpected issues');
    const outgoing = result.flow.nodes.get('lo')!.outgoing;
    expect(outgoing.map((e) => e.to.node)).toEqual(['t3', ...targets.filter((t) => t !== 't3')]);
    for (const id of targets) expect(result.flow.nodes.get(id)!.incoming).toHaveLength(1);
  });

  it('returns issues instead of throwing when a config does not parse', () => {
    const doc: FlowDocument = { version: 1, nodes: [{ id: 'a', type: 'scaled', config: { gain: 'x' } }], wires: [] };
    const result = compileFlow(doc, { registry, processEnv: {}, defaultQueueCapacity: 10 });
    expect(result).toMatchObject({ ok: false, issues: [{ code: 'CONFIG_INVALID', path: '$.nodes[0].config.gain', nodeId: 'a' }] });
  });
});
