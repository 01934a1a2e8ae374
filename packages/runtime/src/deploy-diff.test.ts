import { validate, type FlowDocument } from '@plantwire/flow';
import { createRegistry } from '@plantwire/node-sdk';
import { describe, expect, it } from 'vitest';
import { compileFlow, type CompiledFlow } from './compile-flow.js';
import { diffDeploy } from './deploy-diff.js';
import { fixtureTypes, flowDoc, wire } from './fixtures/test-node-types.js';

const registry = createRegistry(fixtureTypes);
function compiled(doc: Record<string, unknown>): CompiledFlow {
  const v = validate(doc, { nodeTypes: registry.info, env: {} });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  const c = compileFlow(v.document as FlowDocument, { registry, processEnv: {}, defaultQueueCapacity: 100 });
  if (!c.ok) throw new Error(JSON.stringify(c.issues));
  return c.flow;
}

const base = () =>
  flowDoc(
    [
      { id: 'src', type: 'probe-source', tab: 't1' },
      { id: 'mid', type: 'add', tab: 't1', config: { amount: 1 } },
      { id: 'end', type: 'collect', tab: 't1' },
      { id: 'other', type: 'collect', tab: 't2' },
    ],
    [wire('src', 'mid'), wire('mid', 'end')],
    { tabs: [{ id: 't1', label: 'One' }, { id: 't2', label: 'Two' }], connections: [{ id: 'broker', type: 'test-broker', config: { url: 'x' } }] },
  );
type Doc = ReturnType<typeof base> & { nodes: Array<Record<string, unknown>>; wires: unknown[]; tabs: Array<Record<string, unknown>>; connections: Array<Record<string, unknown>> };
const edit = (change: (doc: Doc) => void): Doc => {
  const doc = base() as Doc;
  change(doc);
  return doc;
};
const node = (doc: Doc, id: string) => doc.nodes.find((n) => n['id'] === id)!;

describe('diffDeploy', () => {
  it('starts everything on the first deploy', () => {
    expect(diffDeploy(undefined, compiled(base()))).toMatchObject({ started: ['end', 'mid', 'other', 'src'], stopped: [], restarted: [], unchanged: [] });
  });

  it('restarts nothing for a layout-only or a name-only change (names are updated in place)', () => {
    const before = compiled(base());
    const moved = diffDeploy(before, compiled(edit((d) => void (d['layout'] = { nodes: { mid: { x: 10, y: 20 } } }))));
    expect(moved).toMatchObject({ restarted: [], started: [], stopped: [], renamed: [] });
    const renamed = diffDeploy(before, compiled(edit((d) => void (node(d, 'mid')['name'] = 'Scale'))));
    expect(renamed).toMatchObject({ restarted: [], unchanged: ['end', 'mid', 'other', 'src'], renamed: ['mid'] });
  });

  it('restarts a node whose config, queue settings or type version changed, and nothing else', () => {
    const before = compiled(base());
    expect(diffDeploy(before, compiled(edit((d) => void (node(d, 'mid')['config'] = { amount: 2 })))).restarted).toEqual(['mid']);
    expect(diffDeploy(before, compiled(edit((d) => void (node(d, 'end')['queue'] = { capacity: 5 })))).restarted).toEqual(['end']);
    // Equal config written in another key order is no change.
    expect(diffDeploy(before, compiled(edit((d) => void (node(d, 'mid')['config'] = { amount: 1 })))).restarted).toEqual([]);
  });

  it('restarts both ends of a changed wire', () => {
    const before = compiled(base());
    const diff = diffDeploy(before, compiled(edit((d) => d.wires.push(wire('mid', 'other')))));
    expect(diff.restarted).toEqual(['mid', 'other']);
    expect(diff.unchanged).toEqual(['end', 'src']);
  });

  it('restarts the nodes of a tab whose env changed; a document env change reaches every node', () => {
    const before = compiled(base());
    expect(diffDeploy(before, compiled(edit((d) => void (d.tabs[1]!['env'] = { LINE: '2' })))).restarted).toEqual(['other']);
    expect(diffDeploy(before, compiled(edit((d) => void (d['env'] = { SITE: 'x' })))).restarted).toEqual(['end', 'mid', 'other', 'src']);
  });

  it('stops removed and disabled nodes (and restarts their neighbours, whose wires changed)', () => {
    const before = compiled(base());
    const diff = diffDeploy(before, compiled(edit((d) => void (node(d, 'end')['disabled'] = true))));
    expect(diff.stopped).toEqual(['end']);
    expect(diff.restarted).toEqual(['mid']);
    const removed = diffDeploy(before, compiled(edit((d) => void d.nodes.splice(d.nodes.indexOf(node(d, 'other')), 1))));
    expect(removed).toMatchObject({ stopped: ['other'], restarted: [] });
  });

  it('keeps connections in the diff: unchanged entries stay unchanged, a name alone is no change', () => {
    const before = compiled(base());
    expect(diffDeploy(before, compiled(edit((d) => void (d.connections[0]!['name'] = 'Broker')))).connections).toEqual({ added: [], removed: [], changed: [], unchanged: ['broker'] });
    expect(diffDeploy(before, compiled(edit((d) => void (d.connections[0]!['config'] = { url: 'y' })))).connections.changed).toEqual(['broker']);
  });
});
