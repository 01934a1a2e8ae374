import { defineNode, NodeError } from '@plantwire/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { LogEvent, NodeErrorEvent, Runtime, StatusEvent } from './api.js';
import { createRuntime } from './create-runtime.js';
import { MAX_ERROR_HOPS } from './error-router.js';
import { fixtureTypes, flowDoc, received, until, wire } from './fixtures/test-node-types.js';

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.stop({ drainTimeoutMs: 50 });
  runtime = undefined;
});

interface Recorded {
  rt: Runtime;
  errors: NodeErrorEvent[];
  statuses: StatusEvent[];
  logs: LogEvent[];
}

async function start(doc: Record<string, unknown>, extraTypes: Parameters<typeof createRuntime>[0]['nodeTypes'] = []): Promise<Recorded> {
  const logs: LogEvent[] = [];
  runtime = createRuntime({ nodeTypes: [...fixtureTypes, ...extraTypes], env: {}, logger: { log: (e) => logs.push(e) }, closeTimeoutMs: 100 });
  const errors: NodeErrorEvent[] = [];
  const statuses: StatusEvent[] = [];
  runtime.on('error', (e) => errors.push(e));
  runtime.on('status', (e) => statuses.push(e));
  const result = await runtime.deploy(doc);
  if (!result.ok) throw new Error(JSON.stringify(result.issues, null, 2));
  return { rt: runtime, errors, statuses, logs };
}

describe('error routing', () => {
  it('turns a throw in onInput into an error event with node, tab, message id, code and message, and goes on with the next message', async () => {
    const { rt, errors } = await start(
      flowDoc([{ id: 'f', type: 'fail', tab: 't1', config: { code: 'DECODE_FAILED', text: 'bad JSON' } }, { id: 'c', type: 'catcher', tab: 't1' }], [], { tabs: [{ id: 't1', label: 'T' }] }),
    );
    rt.inject('f', { _msgid: 'm1', payload: '{' });
    rt.inject('f', { _msgid: 'm2', payload: '{' });
    await until(() => errors.length === 2);
    expect(errors[0]).toEqual({ nodeId: 'f', type: 'fail', tab: 't1', msgId: 'm1', code: 'DECODE_FAILED', message: 'bad JSON', handledBy: 'catch' });
    expect(errors[1]!.msgId).toBe('m2');
    expect(rt.metrics()['f']!.errors).toBe(2);
  });

  it('sends the failed message plus error out of the wired error port, and not to catch nodes', async () => {
    const { rt, errors } = await start(
      flowDoc(
        [
          { id: 'f', type: 'fail', name: 'Parser', config: { text: 'nope' } },
          { id: 'handler', type: 'collect' },
          { id: 'c', type: 'catcher', config: { scope: 'all' } },
          { id: 'caught', type: 'collect' },
        ],
        [wire('f:error', 'handler'), wire('c', 'caught')],
      ),
    );
    rt.inject('f', { _msgid: 'm1', payload: 1, topic: 't' });
    await until(() => received.get('handler')!.length === 1);
    expect(received.get('handler')![0]).toEqual({
      _msgid: 'm1',
      payload: 1,
      topic: 't',
      error: { message: 'nope', code: 'NODE_FAILED', source: { id: 'f', type: 'fail', name: 'Parser', tab: undefined }, count: 1 },
    });
    expect(errors[0]!.handledBy).toBe('port');
    expect(received.get('caught')).toEqual([]);
  });

  it('sends errors out of catch nodes in scope; an uncaught-only catch node gets only what no other catch node covers', async () => {
    const { rt, errors } = await start(
      flowDoc(
        [
          { id: 'f1', type: 'fail', tab: 'a' },
          { id: 'f2', type: 'fail', tab: 'b' },
          { id: 'catchA', type: 'catcher', tab: 'a' },
          { id: 'uncaught', type: 'catcher', tab: 'a', config: { scope: 'all', uncaughtOnly: true } },
          { id: 'outA', type: 'collect', tab: 'a' },
          { id: 'outU', type: 'collect', tab: 'a' },
        ],
        [wire('catchA', 'outA'), wire('uncaught', 'outU')],
        { tabs: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] },
      ),
    );
    rt.inject('f1', { _msgid: 'one', payload: 1 });
    rt.inject('f2', { _msgid: 'two', payload: 2 });
    await until(() => received.get('outA')!.length === 1 && received.get('outU')!.length === 1);
    expect(received.get('outA')![0]).toMatchObject({ _msgid: 'one', error: { source: { id: 'f1' } } });
    expect(received.get('outU')![0]).toMatchObject({ _msgid: 'two', error: { source: { id: 'f2' } } });
    expect(errors.map((e) => e.handledBy)).toEqual(['catch', 'catch']);
  });

  it('with no error port and no catch node, logs the error and turns the badge red', async () => {
    const { rt, errors, statuses, logs } = await start(flowDoc([{ id: 'f', type: 'fail', config: { text: 'lost' } }]));
    rt.inject('f', { _msgid: 'm1', payload: 1 });
    await until(() => errors.length === 1);
    expect(errors[0]!.handledBy).toBe('log');
    expect(statuses).toContainEqual({ nodeId: 'f', status: { fill: 'red', shape: 'dot', text: 'lost' } });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', message: 'lost', nodeId: 'f', code: 'NODE_FAILED', msgId: 'm1' }));
  });

  it('handles a rejected async onInput like a throw', async () => {
    const rejecter = defineNode({
      type: 'rejecter',
      version: 1,
      category: 'transform',
      summary: 'Rejects.',
      inputs: { in: 'x' },
      outputs: { out: 'x' },
      config: z.object({}),
      onInput: async () => {
        throw new NodeError('NOT_CONNECTED', 'broker down');
      },
    });
    const { rt, errors } = await start(flowDoc([{ id: 'r', type: 'rejecter' }]), [rejecter]);
    rt.inject('r', { _msgid: 'm1' });
    await until(() => errors.length === 1);
    expect(errors[0]).toMatchObject({ nodeId: 'r', msgId: 'm1', code: 'NOT_CONNECTED', message: 'broker down' });
  });

  it('refuses a result that is not a message, naming what was returned', async () => {
    const bad = defineNode({
      type: 'bad-result',
      version: 1,
      category: 'transform',
      summary: 'Returns a number.',
      inputs: { in: 'x' },
      outputs: { out: 'x' },
      config: z.object({}),
      onInput: () => 42 as never,
    });
    const { rt, errors } = await start(flowDoc([{ id: 'b', type: 'bad-result' }]), [bad]);
    rt.inject('b', { payload: 1 });
    await until(() => errors.length === 1);
    expect(errors[0]!.message).toMatch(/onInput must return a message object, an array of messages or nothing; it returned a number \(42\)/);
  });

  it(`breaks an error loop (catch → a node that fails again) after ${MAX_ERROR_HOPS} trips with ERROR_LOOP`, async () => {
    const { rt, errors, logs } = await start(flowDoc([{ id: 'f', type: 'fail' }, { id: 'c', type: 'catcher' }], [wire('c', 'f')]));
    rt.inject('f', { _msgid: 'loop', payload: 1 });
    await until(() => errors.some((e) => e.code === 'ERROR_LOOP'));
    expect(errors).toHaveLength(MAX_ERROR_HOPS + 1);
    expect(errors.at(-1)).toMatchObject({ nodeId: 'f', msgId: 'loop', code: 'ERROR_LOOP', handledBy: 'log' });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', code: 'ERROR_LOOP', nodeId: 'f' }));
    // The loop is over: the runtime is idle again.
    await rt.stop({ drainTimeoutMs: 1000 }).then((report) => expect(report.drained).toBe(true));
    runtime = undefined;
  });

  it('attributes ctx.error and a throw from a ctx.setTimeout callback to the node', async () => {
    const timed = defineNode({
      type: 'timed',
      version: 1,
      category: 'source',
      summary: 'Fails later.',
      outputs: { out: 'x' },
      config: z.object({}),
      setup(ctx) {
        ctx.setTimeout(() => {
          throw new Error('timer exploded');
        }, 0);
        ctx.setTimeout(async () => {
          throw new NodeError('TIMEOUT', 'async timer exploded');
        }, 0);
        ctx.error(new NodeError('NOT_CONNECTED', 'reported'), { _msgid: 'ctx-msg' });
      },
    });
    const { errors } = await start(flowDoc([{ id: 't', type: 'timed', tab: 'x' }], [], { tabs: [{ id: 'x', label: 'X' }] }), [timed]);
    await until(() => errors.length === 3);
    expect(errors).toEqual(
      expect.arrayContaining([
        { nodeId: 't', type: 'timed', tab: 'x', msgId: 'ctx-msg', code: 'NOT_CONNECTED', message: 'reported', handledBy: 'log' },
        { nodeId: 't', type: 'timed', tab: 'x', msgId: undefined, code: 'NODE_FAILED', message: 'timer callback: timer exploded', handledBy: 'log' },
        { nodeId: 't', type: 'timed', tab: 'x', msgId: undefined, code: 'TIMEOUT', message: 'timer callback: async timer exploded', handledBy: 'log' },
      ]),
    );
  });

  it('marks a node whose setup fails as failed (red, input dropped) and starts the others', async () => {
    const broken = defineNode({
      type: 'broken',
      version: 1,
      category: 'transform',
      summary: 'Cannot start.',
      inputs: { in: 'x' },
      outputs: { out: 'x' },
      config: z.object({}),
      setup() {
        throw new Error('port in use');
      },
    });
    const logs: LogEvent[] = [];
    runtime = createRuntime({ nodeTypes: [...fixtureTypes, broken], env: {}, logger: { log: (e) => logs.push(e) } });
    const errors: NodeErrorEvent[] = [];
    const statuses: StatusEvent[] = [];
    runtime.on('error', (e) => errors.push(e));
    runtime.on('status', (e) => statuses.push(e));
    const result = await runtime.deploy(flowDoc([{ id: 'b', type: 'broken' }, { id: 'p', type: 'pass' }, { id: 'out', type: 'collect' }], [wire('p', 'out')]));
    expect(result).toMatchObject({ ok: true, started: ['b', 'out', 'p'], warnings: [{ code: 'SETUP_FAILED', nodeId: 'b', severity: 'warning', message: expect.stringContaining('port in use') }] });
    expect(errors).toEqual([{ nodeId: 'b', type: 'broken', tab: undefined, msgId: undefined, code: 'SETUP_FAILED', message: 'setup failed: port in use', handledBy: 'log' }]);
    expect(statuses).toContainEqual({ nodeId: 'b', status: { fill: 'red', shape: 'dot', text: 'setup failed: port in use' } });
    expect(runtime.inject('b', { payload: 1 })).toBe(false);
    expect(runtime.metrics()['b']!.dropped).toBe(1);
    runtime.inject('p', { payload: 1 });
    await until(() => received.get('out')!.length === 1);
  });

  it('reports a close that throws and still stops', async () => {
    const badClose = defineNode({
      type: 'bad-close',
      version: 1,
      category: 'sink',
      summary: 'Fails to close.',
      inputs: { in: 'x' },
      config: z.object({}),
      close() {
        throw new Error('cannot flush');
      },
    });
    const { rt, errors } = await start(flowDoc([{ id: 'b', type: 'bad-close' }]), [badClose]);
    const report = await rt.stop();
    runtime = undefined;
    expect(report.drained).toBe(true);
    expect(errors).toEqual([expect.objectContaining({ nodeId: 'b', code: 'NODE_FAILED', message: 'close failed: cannot flush' })]);
  });
});

describe('status and complete watchers', () => {
  it('emits ctx.status as a "status" event and sends it out of status nodes in scope', async () => {
    const blinker = defineNode({
      type: 'blinker',
      version: 1,
      category: 'sink',
      summary: 'Sets its status per message.',
      inputs: { in: 'x' },
      config: z.object({}),
      onInput(msg, ctx) {
        ctx.status({ fill: 'green', shape: 'dot', text: String(msg.payload) });
      },
    });
    const { rt, statuses } = await start(
      flowDoc([{ id: 'b', type: 'blinker', name: 'Blinker' }, { id: 'watch', type: 'status-watcher', config: { scope: ['b'] } }, { id: 'out', type: 'collect' }], [wire('watch', 'out')]),
      [blinker],
    );
    rt.inject('b', { payload: 'on' });
    await until(() => received.get('out')!.length === 1);
    expect(statuses).toContainEqual({ nodeId: 'b', status: { fill: 'green', shape: 'dot', text: 'on' } });
    expect(received.get('out')![0]).toEqual({ _msgid: expect.any(String), status: { fill: 'green', shape: 'dot', text: 'on', source: { id: 'b', type: 'blinker', name: 'Blinker', tab: undefined } } });
  });

  it('sends every message a node finished without error, unchanged, out of complete nodes in scope', async () => {
    const { rt } = await start(
      flowDoc(
        [
          { id: 'ok', type: 'collect' },
          { id: 'f', type: 'fail' },
          { id: 'done', type: 'complete-watcher', config: { scope: ['ok', 'f'] } },
          { id: 'out', type: 'collect' },
          { id: 'c', type: 'catcher' },
        ],
        [wire('done', 'out')],
      ),
    );
    const msg = { _msgid: 'finished', payload: 1 };
    rt.inject('ok', msg);
    rt.inject('f', { _msgid: 'failed', payload: 2 });
    await until(() => received.get('out')!.length === 1 && rt.metrics()['f']!.errors === 1);
    expect(received.get('out')![0]).toBe(msg);
  });
});
