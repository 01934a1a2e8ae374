import { defineNode, type AnyNodeType, type ContextStore, type Message } from '@plantwire/node-sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { NodeInstance, type NodeHost } from './node-instance.js';
import { Scheduler } from './scheduler.js';

function memory(): ContextStore {
  const m = new Map<string, unknown>();
  return { get: (k) => m.get(k), set: (k, v) => void m.set(k, v), delete: (k) => void m.delete(k), keys: () => [...m.keys()] };
}

function instance(def: AnyNodeType, id = 'n') {
  const raised: Array<{ err: unknown; code?: string | undefined; context?: string | undefined }> = [];
  const sent: Array<{ port: string; msg: Message }> = [];
  const host: NodeHost = {
    scheduler: new Scheduler(),
    sentListeners: 1,
    emitSent: (_n, port, msg) => void sent.push({ port, msg }),
    raise: (_n, err, _msg, _direct, code, context) => void raised.push({ err, code, context }),
    completed: () => {},
    statusChanged: () => {},
    debug: () => {},
    log: () => {},
    settled: () => {},
  };
  const node = new NodeInstance(
    { id, def, name: undefined, tab: undefined, config: def.config.parse({}), capacity: 2, overflow: 'block', watchSpec: undefined, env: () => undefined },
    host,
    { node: memory(), flow: memory(), global: memory() },
  );
  return { node, raised, sent };
}

const plain = defineNode({ type: 'plain', version: 1, category: 'source', summary: 'x', outputs: { out: 'x' }, config: z.object({}) });

afterEach(() => {
  vi.useRealTimers();
});

describe('NodeInstance', () => {
  it('answers targetsOf the same whether linked with a map or with its first port\'s list', () => {
    const a = instance(plain, 'a').node;
    const b = instance(plain, 'b').node;
    const targets = [{ node: b, port: 'in' }];
    a.linkFirst(targets);
    expect(a.targetsOf('out')).toBe(targets);
    expect(a.targetsOf('error')).toEqual([]);
    expect(a.errorPortWired).toBe(false);
    a.link(new Map([['out', targets], ['error', [{ node: b, port: 'in' }]]]));
    expect(a.targetsOf('out')).toBe(targets);
    expect(a.targetsOf('error')).toHaveLength(1);
    expect(a.errorPortWired).toBe(true);
  });

  it('starts a node with a synchronous setup at once, without a promise, and waits for an asynchronous one', async () => {
    const sync = instance(defineNode({ type: 'sync', version: 1, category: 'source', summary: 'x', outputs: { out: 'x' }, config: z.object({}), setup: () => ({ n: 1 }) }));
    expect(sync.node.start(1000)).toBeUndefined();
    expect(sync.node.phase).toBe('running');
    expect(sync.node.state).toEqual({ n: 1 });

    const failing = instance(defineNode({ type: 'bad', version: 1, category: 'source', summary: 'x', outputs: { out: 'x' }, config: z.object({}), setup: () => { throw new Error('no port'); } }));
    expect(failing.node.start(1000)).toBe('no port');
    expect(failing.node.phase).toBe('failed');

    const later = instance(defineNode({ type: 'later', version: 1, category: 'source', summary: 'x', outputs: { out: 'x' }, config: z.object({}), setup: async () => ({ n: 2 }) }));
    const started = later.node.start(1000);
    expect(started).toBeInstanceOf(Promise);
    expect(later.node.phase).toBe('starting');
    expect(await started).toBeUndefined();
    expect(later.node.phase).toBe('running');
    expect(later.node.state).toEqual({ n: 2 });
  });

  it('calls an onDrain listener soon when there is no pressure, never after close', async () => {
    const { node } = instance(plain);
    await node.start(1000);
    let calls = 0;
    node.ctx.onDrain(() => calls++);
    expect(calls).toBe(0); // not re-entrantly
    await Promise.resolve();
    expect(calls).toBe(1);
    await node.close(1000);
    node.ctx.onDrain(() => calls++);
    await Promise.resolve();
    expect(calls).toBe(1);
  });

  it('refuses (and counts) emits after close, and ignores new timers', async () => {
    const { node, sent } = instance(plain);
    await node.start(1000);
    expect(node.ctx.emit({ payload: 1 })).toBe(true);
    await node.close(1000);
    expect(node.ctx.emit({ payload: 2 })).toBe(false);
    expect(node.counters()).toMatchObject({ out: 1, dropped: 1 });
    expect(sent.map((s) => s.msg.payload)).toEqual([1]);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let fired = false;
    node.ctx.setTimeout(() => (fired = true), 0);
    vi.advanceTimersByTime(10);
    expect(fired).toBe(false);
  });

  it('lets a node cancel its own timer', async () => {
    const { node } = instance(plain);
    await node.start(1000);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let fired = 0;
    const cancel = node.ctx.setTimeout(() => fired++, 5);
    node.ctx.setTimeout(() => fired++, 5);
    cancel();
    vi.advanceTimersByTime(10);
    expect(fired).toBe(1);
  });

  it('fails a setup that does not finish within its bound (TIMEOUT), and drops input from then on', async () => {
    const hanging = defineNode({ type: 'hanging', version: 1, category: 'sink', summary: 'x', inputs: { in: 'x' }, config: z.object({}), setup: () => new Promise<void>(() => {}) });
    const { node, raised } = instance(hanging);
    const failure = await node.start(10);
    expect(failure).toBe('setup did not finish within 10 ms');
    expect(node.phase).toBe('failed');
    expect(node.accepting).toBe(false);
    expect(raised).toEqual([{ err: expect.objectContaining({ code: 'TIMEOUT' }), code: 'SETUP_FAILED', context: 'setup failed' }]);
  });

  it('throws a clear error for an emit on a port the type does not declare', async () => {
    const { node } = instance(plain);
    await node.start(1000);
    expect(() => node.ctx.emit({ payload: 1 }, 'side')).toThrow('node "n" (plain) has no output port "side"; its outputs are: out, error');
  });
});
