import { defineNode } from '@plantwire/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { DeployOptions, DeployResult, Runtime } from './api.js';
import { createRuntime } from './create-runtime.js';
import { fixtureTypes, flowDoc, gates, received, tick, until, wire } from './fixtures/test-node-types.js';

/** Lifecycle calls of `life` nodes, in order: "setup:id:label", "close:id:label". */
const calls: string[] = [];
const names = new Map<string, () => string | undefined>();
const life = defineNode({
  type: 'life',
  version: 1,
  category: 'transform',
  summary: 'Records its lifecycle and counts the messages it saw.',
  inputs: { in: 'x' },
  outputs: { out: 'x' },
  config: z.object({ label: z.string().default('') }),
  async setup(ctx) {
    await tick(); // an async setup, so deploys overlapping in time would show
    calls.push(`setup:${ctx.id}:${ctx.config.label}`);
    names.set(ctx.id, () => ctx.name);
    return { seen: 0 };
  },
  onInput(msg, _ctx, state) {
    state.seen++;
    return { ...msg, seen: state.seen };
  },
  close(ctx) {
    calls.push(`close:${ctx.id}:${ctx.config.label}`);
  },
});

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.stop({ drainTimeoutMs: 50 });
  runtime = undefined;
  calls.length = 0;
});

function newRuntime(): Runtime {
  runtime = createRuntime({ nodeTypes: [...fixtureTypes, life], env: {}, closeTimeoutMs: 200 });
  return runtime;
}

const base = () =>
  flowDoc(
    [
      { id: 'a', type: 'life', config: { label: 'a1' } },
      { id: 'b', type: 'life', config: { label: 'b1' } },
      { id: 'out', type: 'collect' },
    ],
    [wire('a', 'b'), wire('b', 'out')],
  );

async function deployOk(rt: Runtime, doc: unknown, options?: DeployOptions): Promise<Extract<DeployResult, { ok: true }>> {
  const r = await rt.deploy(doc, options);
  if (!r.ok) throw new Error(JSON.stringify(r.issues, null, 2));
  return r;
}

describe('deploy', () => {
  it('refuses an invalid document with every issue, and changes nothing', async () => {
    const rt = newRuntime();
    await deployOk(rt, base());
    const before = rt.document;
    calls.length = 0;
    const bad = flowDoc([{ id: 'a', type: 'life', config: { label: 3 } }, { id: 'x', type: 'no-such-type' }], [wire('a', 'ghost')]);
    const result = await rt.deploy(bad);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.code).sort()).toEqual(['CONFIG_INVALID', 'UNKNOWN_NODE_TYPE', 'WIRE_DANGLING']);
    expect(result.issues.find((i) => i.code === 'CONFIG_INVALID')).toMatchObject({ path: '$.nodes[0].config.label', nodeId: 'a' });
    expect(calls).toEqual([]);
    expect(rt.document).toBe(before);
    rt.inject('a', { payload: 1 });
    await until(() => received.get('out')!.length === 1);
  });

  it('says when a deploy begins and ends, refused ones too, with the setups inside', async () => {
    const rt = newRuntime();
    const events: string[] = [];
    calls.length = 0;
    // Each begin and end with how many setups had run by then.
    rt.on('deploying', ({ active }) => events.push(`${active ? 'begin' : 'end'}:${calls.length}`));
    rt.on('deployed', () => events.push('deployed'));
    await deployOk(rt, base());
    expect(calls).toEqual(['setup:a:a1', 'setup:b:b1']);
    expect(events).toEqual(['begin:0', 'deployed', 'end:2']);
    await rt.deploy(flowDoc([{ id: 'x', type: 'no-such-type' }], []));
    expect(events).toEqual(['begin:0', 'deployed', 'end:2', 'begin:2', 'end:2']);
  });

  it('restarts only what changed; unchanged nodes keep running with their state', async () => {
    const rt = newRuntime();
    const deployed: unknown[] = [];
    rt.on('deployed', (r) => deployed.push(r));
    expect(await deployOk(rt, base())).toMatchObject({ started: ['a', 'b', 'out'], restarted: [], stopped: [], unchanged: [] });
    rt.inject('a', { payload: 1 });
    await until(() => received.get('out')!.length === 1);
    calls.length = 0;

    const next = base() as { nodes: Array<Record<string, unknown>> };
    next.nodes[1]!['config'] = { label: 'b2' };
    next.nodes.push({ id: 'extra', type: 'collect' });
    const result = await deployOk(rt, next);
    expect(result).toEqual({ ok: true, started: ['extra'], stopped: [], restarted: ['b'], unchanged: ['a', 'out'], warnings: [] });
    expect(calls).toEqual(['close:b:b1', 'setup:b:b2']);
    expect(deployed).toHaveLength(2);

    rt.inject('a', { payload: 2 });
    await until(() => received.get('out')!.length === 2);
    // a kept its state (second message it saw); b is a new instance (first message it saw).
    expect(received.get('out')![1]).toMatchObject({ payload: 2, seen: 1 });
    expect(rt.metrics()['a']!.in).toBe(2);
  });

  it('closes removed nodes and restarts the nodes whose wires changed', async () => {
    const rt = newRuntime();
    await deployOk(rt, base());
    calls.length = 0;
    const result = await deployOk(rt, flowDoc([{ id: 'a', type: 'life', config: { label: 'a1' } }, { id: 'out', type: 'collect' }], [wire('a', 'out')]));
    expect(result).toMatchObject({ stopped: ['b'], restarted: ['a', 'out'], started: [], unchanged: [] });
    expect(calls.sort()).toEqual(['close:a:a1', 'close:b:b1', 'setup:a:a1']);
    expect(Object.keys(rt.metrics()).sort()).toEqual(['a', 'out']);
  });

  it('restarts nothing for a layout-only change, and renames in place', async () => {
    const rt = newRuntime();
    await deployOk(rt, base());
    calls.length = 0;
    const moved = { ...base(), layout: { nodes: { a: { x: 100, y: 40 } } } };
    expect(await deployOk(rt, moved)).toMatchObject({ started: [], stopped: [], restarted: [], unchanged: ['a', 'b', 'out'] });
    const renamed = base() as { nodes: Array<Record<string, unknown>> };
    renamed.nodes[0]!['name'] = 'Scaler';
    expect(await deployOk(rt, renamed)).toMatchObject({ restarted: [], unchanged: ['a', 'b', 'out'] });
    expect(calls).toEqual([]);
    expect(names.get('a')!()).toBe('Scaler');
  });

  it('hands a restarted node the messages queued for its old instance', async () => {
    const rt = newRuntime();
    const doc = (capacity: number) => flowDoc([{ id: 'g', type: 'gate', queue: { capacity } }, { id: 'out', type: 'collect' }], [wire('g', 'out')]);
    await deployOk(rt, doc(10));
    for (let i = 1; i <= 4; i++) rt.inject('g', { payload: i });
    await until(() => gates.get('g')!.pending.length === 1);
    const oldGate = gates.get('g')!;
    // No drain (as when the bound runs out): the queue is handed over at once.
    const redeploy = rt.deploy(doc(20), { drainTimeoutMs: 0 });
    await tick();
    oldGate.release(); // the old instance finishes its in-flight message while closing
    const result = await redeploy;
    expect(result).toMatchObject({ ok: true, restarted: ['g'], unchanged: ['out'] });
    expect(gates.get('g')).not.toBe(oldGate);
    for (let i = 0; i < 3; i++) {
      await until(() => gates.get('g')!.pending.length === 1);
      gates.get('g')!.release();
    }
    await until(() => received.get('out')!.length === 4);
    expect(received.get('out')!.map((m) => m.payload)).toEqual([1, 2, 3, 4]);
    expect(rt.metrics()['g']).toMatchObject({ in: 4, dropped: 0, queueCapacity: 20 });
  });

  it('still delivers what a restarted node had already sent but a full target had not yet taken', async () => {
    const rt = newRuntime();
    const doc = (capacity: number) => flowDoc([{ id: 'p', type: 'pass', queue: { capacity } }, { id: 'out', type: 'gate', queue: { capacity: 1 } }, { id: 'end', type: 'collect' }], [wire('p', 'out'), wire('out', 'end')]);
    await deployOk(rt, doc(10));
    for (let i = 1; i <= 3; i++) rt.inject('p', { payload: i });
    // 1 is in the gate, 2 in its queue, 3 held by p for the full queue.
    await until(() => gates.get('out')!.pending.length === 1 && rt.metrics()['p']!.out === 3);
    // Without a drain (as when the bound runs out while the target stays full).
    expect(await deployOk(rt, doc(20), { drainTimeoutMs: 0 })).toMatchObject({ restarted: ['p'], unchanged: ['end', 'out'] });
    for (let i = 0; i < 3; i++) {
      await until(() => gates.get('out')!.pending.length === 1);
      gates.get('out')!.release();
    }
    await until(() => received.get('end')!.length === 3);
    expect(received.get('end')!.map((m) => m.payload)).toEqual([1, 2, 3]);
    expect(Object.values(rt.metrics()).map((m) => m.dropped)).toEqual([0, 0, 0]);
  });

  it('serialises deploys: a deploy during a deploy waits for it', async () => {
    const rt = newRuntime();
    const order: string[] = [];
    rt.on('deployed', (r) => order.push(`deployed:${r.started.join(',')}|${r.restarted.join(',')}`));
    const first = rt.deploy(base());
    const secondDoc = base() as { nodes: Array<Record<string, unknown>> };
    secondDoc.nodes[0]!['config'] = { label: 'a2' };
    const second = rt.deploy(secondDoc);
    await Promise.all([first, second]);
    expect(order).toEqual(['deployed:a,b,out|', 'deployed:|a']);
    // The second deploy starts only after the first one's setups have all finished.
    expect(calls.slice(0, 2).sort()).toEqual(['setup:a:a1', 'setup:b:b1']);
    expect(calls.slice(2)).toEqual(['close:a:a1', 'setup:a:a2']);
    expect(rt.document!.nodes[0]!.config).toEqual({ label: 'a2' });
  });

  it('starts the nodes that receive before the sources that feed them', async () => {
    const emitter = defineNode({
      type: 'emitter',
      version: 1,
      category: 'source',
      summary: 'Emits once in setup.',
      outputs: { out: 'x' },
      config: z.object({}),
      setup(ctx) {
        calls.push(`setup:${ctx.id}`);
        ctx.emit({ payload: 'first' });
      },
    });
    runtime = createRuntime({ nodeTypes: [...fixtureTypes, life, emitter], env: {} });
    await deployOk(runtime, flowDoc([{ id: 'src', type: 'emitter' }, { id: 'b', type: 'life', config: { label: 'b' } }, { id: 'out', type: 'collect' }], [wire('src', 'b'), wire('b', 'out')]));
    expect(calls).toEqual(['setup:b:b', 'setup:src']);
    await until(() => received.get('out')!.length === 1);
  });

  it('keeps connection entries in the document and accepts them unchanged across deploys', async () => {
    const rt = newRuntime();
    const doc = { ...base(), connections: [{ id: 'broker', type: 'test-broker', config: { url: 'mqtt://x' } }] };
    await deployOk(rt, doc);
    expect(await deployOk(rt, doc)).toMatchObject({ started: [], restarted: [], stopped: [] });
    expect(rt.document!.connections).toEqual([{ id: 'broker', type: 'test-broker', config: { url: 'mqtt://x' } }]);
  });

  it('reports warnings from validation on a successful deploy', async () => {
    const rt = newRuntime();
    const result = await deployOk(rt, { ...base(), layout: { nodes: { ghost: { x: 0, y: 0 } } } });
    expect(result.warnings.map((w) => w.code)).toEqual(['LAYOUT_UNKNOWN_NODE']);
  });
});
