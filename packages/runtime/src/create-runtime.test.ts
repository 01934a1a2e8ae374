import { defineNode, type Message } from '@plantwire/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { LogEvent, Runtime } from './api.js';
import { createRuntime } from './create-runtime.js';
import { fixtureTypes, flowDoc, received, sourceContexts, until, wire } from './fixtures/test-node-types.js';

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.stop({ drainTimeoutMs: 100 });
  runtime = undefined;
});

async function start(doc: Record<string, unknown>, options: { env?: Record<string, string>; extraTypes?: Parameters<typeof createRuntime>[0]['nodeTypes'] } = {}) {
  runtime = createRuntime({ nodeTypes: [...fixtureTypes, ...(options.extraTypes ?? [])], env: options.env ?? {} });
  const result = await runtime.deploy(doc);
  if (!result.ok) throw new Error(JSON.stringify(result.issues, null, 2));
  return runtime;
}

describe('createRuntime: the graph', () => {
  it('moves messages along named ports and wires, in order', async () => {
    const rt = await start(flowDoc([{ id: 'a', type: 'add', config: { amount: 10 } }, { id: 'b', type: 'add' }, { id: 'out', type: 'collect' }], [wire('a', 'b'), wire('b', 'out')]));
    for (let i = 0; i < 5; i++) expect(rt.inject('a', { payload: i })).toBe(true);
    await until(() => received.get('out')!.length === 5);
    expect(received.get('out')!.map((m) => m.payload)).toEqual([11, 12, 13, 14, 15]);
    expect(rt.metrics()['a']).toMatchObject({ in: 5, out: 5, errors: 0, dropped: 0, queueDepth: 0, queueCapacity: 1000 });
    expect(rt.metrics()['a']!.processingTimeMs).toBeGreaterThanOrEqual(0);
  });

  it('fans out the same message object to every target, without cloning', async () => {
    const rt = await start(flowDoc([{ id: 'p', type: 'pass' }, { id: 'x', type: 'collect' }, { id: 'y', type: 'collect' }], [wire('p', 'x'), wire('p', 'y')]));
    const msg = { _msgid: 'same', payload: { deep: [1, 2, 3] } };
    rt.inject('p', msg);
    await until(() => received.get('x')!.length === 1 && received.get('y')!.length === 1);
    expect(received.get('x')![0]).toBe(msg);
    expect(received.get('y')![0]).toBe(received.get('x')![0]);
  });

  it('hands nodes their config parsed by the schema: defaults filled, ${ENV} substituted (tab over document over process), typed', async () => {
    const seen: unknown[] = [];
    const probe = defineNode({
      type: 'config-probe',
      version: 1,
      category: 'transform',
      summary: 'Reports its config and env.',
      inputs: { in: 'x' },
      outputs: { out: 'x' },
      config: z.object({ host: z.string(), port: z.number(), retries: z.number().default(3) }),
      setup(ctx) {
        seen.push({ config: ctx.config, site: ctx.env('SITE'), line: ctx.env('LINE'), home: ctx.env('HOME_DIR'), missing: ctx.env('NOPE') });
      },
    });
    await start(
      flowDoc([{ id: 'c', type: 'config-probe', tab: 't1', config: { host: '${SITE}-plc', port: '${PORT}' } }], [], {
        env: { SITE: 'doc-site', PORT: '502', LINE: 'doc-line' },
        tabs: [{ id: 't1', label: 'Line', env: { SITE: 'tab-site' } }],
      }),
      { env: { HOME_DIR: '/home/x', SITE: 'process-site' }, extraTypes: [probe] },
    );
    expect(seen).toEqual([{ config: { host: 'tab-site-plc', port: 502, retries: 3 }, site: 'tab-site', line: 'doc-line', home: '/home/x', missing: undefined }]);
  });

  it('migrates a config written for an older typeVersion before parsing it', async () => {
    const configs: unknown[] = [];
    const v2 = defineNode({
      type: 'v2-node',
      version: 2,
      category: 'transform',
      summary: 'Renamed a field in v2.',
      inputs: { in: 'x' },
      outputs: { out: 'x' },
      config: z.object({ gain: z.number() }),
      migrations: { 1: (c) => ({ gain: c['factor'] }) },
      setup: (ctx) => void configs.push(ctx.config),
    });
    const rt = await start(flowDoc([{ id: 'n', type: 'v2-node', typeVersion: 1, config: { factor: 4 } }]), { extraTypes: [v2] });
    expect(configs).toEqual([{ gain: 4 }]);
    expect(rt.document!.nodes[0]).toMatchObject({ typeVersion: 2, config: { gain: 4 } });
  });

  it('does not run disabled nodes or nodes on disabled tabs', async () => {
    const rt = await start(
      flowDoc(
        [
          { id: 'p', type: 'pass' },
          { id: 'off', type: 'collect', disabled: true },
          { id: 'dark', type: 'collect', tab: 'dt' },
          { id: 'on', type: 'collect' },
        ],
        [wire('p', 'off'), wire('p', 'dark'), wire('p', 'on')],
        { tabs: [{ id: 'dt', label: 'Disabled', disabled: true }] },
      ),
    );
    expect(Object.keys(rt.metrics()).sort()).toEqual(['on', 'p']);
    expect(received.has('off')).toBe(false);
    expect(() => rt.inject('off', { payload: 1 })).toThrow(/node "off" is not running: it is disabled/);
    rt.inject('p', { payload: 1 });
    await until(() => received.get('on')!.length === 1);
  });

  it('gives a returned message without an id a new one, and sends array results one by one', async () => {
    const splitter = defineNode({
      type: 'splitter',
      version: 1,
      category: 'transform',
      summary: 'One message per element.',
      inputs: { in: 'Arrays.' },
      outputs: { out: 'Elements.' },
      config: z.object({}),
      onInput: (msg) => (msg.payload as number[]).map((payload) => ({ payload })),
    });
    const rt = await start(flowDoc([{ id: 's', type: 'splitter' }, { id: 'out', type: 'collect' }], [wire('s', 'out')]), { extraTypes: [splitter] });
    rt.inject('s', { payload: [1, 2, 3] });
    await until(() => received.get('out')!.length === 3);
    const out = received.get('out')!;
    expect(out.map((m) => m.payload)).toEqual([1, 2, 3]);
    expect(new Set(out.map((m) => m._msgid)).size).toBe(3);
  });

  it('sends from inside onInput to a named port with ctx.send, and refuses an unknown port with a clear error', async () => {
    const router = defineNode({
      type: 'router',
      version: 1,
      category: 'transform',
      summary: 'Evens out, odds to alt.',
      inputs: { in: 'Numbers.' },
      outputs: { out: 'Even.', alt: 'Odd.' },
      config: z.object({}),
      onInput(msg, ctx) {
        if ((msg.payload as number) < 0) ctx.send(msg, 'nowhere');
        if ((msg.payload as number) % 2) ctx.send(msg, 'alt');
        else return msg;
      },
    });
    const rt = await start(flowDoc([{ id: 'r', type: 'router' }, { id: 'even', type: 'collect' }, { id: 'odd', type: 'collect' }], [wire('r', 'even'), wire('r:alt', 'odd')]), {
      extraTypes: [router],
    });
    const errors: string[] = [];
    rt.on('error', (e) => errors.push(e.message));
    for (const payload of [1, 2, 3, -2]) rt.inject('r', { payload });
    await until(() => errors.length === 1 && received.get('even')!.length + received.get('odd')!.length === 3);
    expect(received.get('even')!.map((m) => m.payload)).toEqual([2]);
    expect(received.get('odd')!.map((m) => m.payload)).toEqual([1, 3]);
    expect(errors[0]).toMatch(/node "r" \(router\) has no output port "nowhere"; its outputs are: out, alt, error/);
  });

  it('emits "sent" only when someone listens, with node, port and message', async () => {
    const rt = await start(flowDoc([{ id: 'src', type: 'probe-source' }, { id: 'out', type: 'collect' }], [wire('src', 'out')]));
    const sent: Array<{ nodeId: string; port: string; msg: Message }> = [];
    const off = rt.on('sent', (e) => sent.push(e));
    sourceContexts.get('src')!.emit({ payload: 'a' });
    sourceContexts.get('src')!.emit({ payload: 'b' }, 'alt');
    off();
    sourceContexts.get('src')!.emit({ payload: 'c' });
    expect(sent.map((s) => [s.nodeId, s.port, s.msg.payload])).toEqual([
      ['src', 'out', 'a'],
      ['src', 'alt', 'b'],
    ]);
  });

  it('routes ctx.debug to the "debug" event and ctx.log / runtime logs to the logger and the "log" event', async () => {
    const logged: LogEvent[] = [];
    const talker = defineNode({
      type: 'talker',
      version: 1,
      category: 'sink',
      summary: 'Debugs and logs.',
      inputs: { in: 'x' },
      config: z.object({}),
      onInput(msg, ctx) {
        ctx.debug(msg.payload, msg);
        ctx.log.warn('odd value', { value: msg.payload });
      },
    });
    runtime = createRuntime({ nodeTypes: [talker], env: {}, logger: { log: (e) => logged.push(e) } });
    const events: LogEvent[] = [];
    runtime.on('log', (e) => events.push(e));
    const debug: unknown[] = [];
    runtime.on('debug', (e) => debug.push(e));
    await runtime.deploy(flowDoc([{ id: 't', type: 'talker', name: 'Talker', tab: 'main' }], [], { tabs: [{ id: 'main', label: 'Main' }] }));
    runtime.inject('t', { _msgid: 'm1', payload: 42 });
    await until(() => debug.length === 1);
    expect(debug[0]).toEqual({ nodeId: 't', nodeName: 'Talker', tab: 'main', msgId: 'm1', value: 42, timestamp: expect.any(Number) });
    const warn = logged.find((e) => e.level === 'warn')!;
    expect(warn).toEqual({ level: 'warn', message: 'odd value', value: 42, time: expect.any(String), nodeId: 't', nodeType: 'talker', tab: 'main' });
    expect(events).toContainEqual(warn);
    expect(logged.some((e) => e.level === 'info' && e.message.startsWith('deployed: 1 started'))).toBe(true);
  });

  it('never lets a throwing event listener or logger break the flow', async () => {
    runtime = createRuntime({
      nodeTypes: fixtureTypes,
      env: {},
      logger: {
        log() {
          throw new Error('logger broke');
        },
      },
    });
    runtime.on('sent', () => {
      throw new Error('listener broke');
    });
    await runtime.deploy(flowDoc([{ id: 'p', type: 'pass' }, { id: 'out', type: 'collect' }], [wire('p', 'out')]));
    runtime.inject('p', { payload: 1 });
    await until(() => received.get('out')!.length === 1);
  });

  it('inject refuses an unknown node or input port with a clear error', async () => {
    const rt = await start(flowDoc([{ id: 'p', type: 'pass' }]));
    expect(() => rt.inject('nope', { payload: 1 })).toThrow(/node "nope" is not running: no node has that id/);
    expect(() => rt.inject('p', { payload: 1 }, 'side')).toThrow(/node "p" \(pass\) has no input port "side"; its inputs are: in/);
  });
});
