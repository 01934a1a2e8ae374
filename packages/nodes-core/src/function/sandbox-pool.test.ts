import { runInNewContext } from 'node:vm';
import type { ContextStore } from '@plantwire/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { openSandbox, sandboxStats, type SandboxInstance, type SandboxSpec } from './sandbox-pool.js';
import { RUNNER_SOURCE, WORKER_SOURCE } from './sandbox-sources.js';

const opened: SandboxInstance[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

function memoryStore(): ContextStore & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return { data, get: (k) => data.get(k), set: (k, v) => void data.set(k, v), delete: (k) => void data.delete(k), keys: () => [...data.keys()] };
}

async function sandbox(code: string, overrides: Partial<SandboxSpec> = {}, group = ''): Promise<SandboxInstance> {
  const s = await openSandbox(
    {
      nodeId: 'f1',
      code,
      setup: '',
      outputs: 1,
      timeoutMs: 2000,
      capabilities: { console: true, env: false, network: false, filesystem: false },
      allowedHosts: [],
      directory: '',
      asyncHints: false,
      env: {},
      stores: {},
      ...overrides,
    },
    { memoryLimitMb: 256, group },
  );
  opened.push(s);
  return s;
}

describe('sandbox sources', () => {
  it('both sources are valid JavaScript', () => {
    expect(() => new Function(WORKER_SOURCE)).not.toThrow();
    expect(typeof runInNewContext(RUNNER_SOURCE)).toBe('function');
  });
});

describe('sandbox pool', () => {
  it('sends the messages of one turn in one batch, answered in order', async () => {
    const s = await sandbox('return { payload: msg.payload * 2 };');
    const before = sandboxStats().batches;
    const records = await Promise.all(Array.from({ length: 300 }, (_, i) => s.run({ payload: i })));
    expect(sandboxStats().batches - before).toBe(1);
    expect(records.map((r) => (r[0] === 1 ? r[1]['payload'] : undefined))).toEqual(Array.from({ length: 300 }, (_, i) => i * 2));
  });

  it('copies binary data both ways: typed arrays, ArrayBuffer, DataView', async () => {
    const s = await sandbox('msg.payload.bytes[0] = 9;\nmsg.payload.made = new Float32Array([1.5]);\nreturn msg;');
    const bytes = new Uint8Array([1, 2, 3]);
    const rec = await s.run({ payload: { bytes, buffer: new Uint16Array([7]).buffer, view: new DataView(new Uint8Array([4, 5]).buffer) } });
    expect(rec[0]).toBe(1);
    const payload = (rec[1] as { payload: Record<string, unknown> }).payload;
    expect(payload['bytes']).toEqual(new Uint8Array([9, 2, 3]));
    expect(bytes[0]).toBe(1);
    expect(payload['made']).toEqual(new Float32Array([1.5]));
    expect(new Uint16Array(payload['buffer'] as ArrayBuffer)[0]).toBe(7);
    expect((payload['view'] as DataView).getUint8(1)).toBe(5);
  });

  it('a message holding a function fails that message only', async () => {
    const s = await sandbox('return msg;');
    const [bad, good] = await Promise.allSettled([s.run({ payload: () => 1 }), s.run({ payload: 2 })]);
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'FUNCTION_FAILED', message: expect.stringContaining('cannot be handed to user code') } });
    expect(good).toMatchObject({ status: 'fulfilled', value: [1, { payload: 2 }, null] });
  });

  it('a context value that is not plain data fails only the code that reads it', async () => {
    const flow = memoryStore();
    flow.set('helper', () => 1);
    flow.set('limit', 5);
    const s = await sandbox('return { payload: flow.get(msg.payload) };', { stores: { flow } });
    expect(await s.run({ payload: 'limit' })).toEqual([1, { payload: 5 }, null]);
    const rec = await s.run({ payload: 'helper' });
    expect(rec[0]).toBe(3);
    expect(rec[1]).toMatchObject({ code: 'FUNCTION_FAILED', message: expect.stringContaining('flow.get("helper"): the value cannot be read in a function node') });
  });

  it('a store the code does not name is not loaded, and using it anyway says why', async () => {
    const global = memoryStore();
    global.set('x', 1);
    const s = await sandbox('return { payload: globalThis["glo" + "bal"].get("x") };', { stores: {} });
    const rec = await s.run({});
    expect(rec[1]).toMatchObject({ message: expect.stringContaining('global context is not available here') });
  });

  it("the worker's own newer write wins over another node's change that crossed it", async () => {
    const flow = memoryStore();
    const s = await sandbox(
      [
        'if (msg.payload === "write") {',
        '  flow.set("mode", "from-code");',
        // Keep the worker busy so the next batch is sent before this one is answered.
        '  const end = Date.now() + 400; while (Date.now() < end) {}',
        '  return null;',
        '}',
        'return { payload: flow.get("mode") };',
      ].join('\n'),
      { stores: { flow } },
    );
    const first = s.run({ payload: 'write' });
    await new Promise<void>((resolve) => setImmediate(resolve));
    // Another node writes while the code's write is still on its way back.
    flow.set('mode', 'from-other-node');
    const second = s.run({ payload: 'read' });
    await first;
    expect(await second).toEqual([1, { payload: 'from-code' }, null]);
    // Store and worker agree afterwards, and later changes by others are seen.
    expect(flow.get('mode')).toBe('from-code');
    flow.set('mode', 'later');
    expect(await s.run({ payload: 'read' })).toEqual([1, { payload: 'later' }, null]);
  });

  it('restarts the worker after a hang and keeps the context it had', async () => {
    const node = memoryStore();
    const s = await sandbox('if (msg.payload === "hang") for (;;) {}\ncontext.set("n", (context.get("n") ?? 0) + 1);\nreturn { payload: context.get("n") };', { stores: { node }, timeoutMs: 100 });
    expect((await s.run({})).slice(0, 2)).toEqual([1, { payload: 1 }]);
    const started = sandboxStats().started;
    await expect(s.run({ payload: 'hang' })).rejects.toMatchObject({ code: 'FUNCTION_TIMEOUT' });
    expect((await s.run({})).slice(0, 2)).toEqual([1, { payload: 2 }]);
    expect(node.data.get('n')).toBe(2);
    expect(sandboxStats().started).toBe(started + 1);
  });

  it('messages of many shapes cross both ways exactly: key order, own __proto__ keys, nested values, non-plain messages', async () => {
    const s = await sandbox('msg.seen = Object.keys(msg).join(",");\nreturn msg;');
    const proto = JSON.parse('{"__proto__": {"polluted": true}, "payload": 1}') as Record<string, unknown>;
    const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { b: 2, a: 1 });
    const withGetter = { payload: 0, get computed() { return 42; } };
    const inputs: Array<Record<string, unknown>> = [
      { payload: 1, topic: 't' },
      { topic: 't', payload: 1 },
      { 2: 'two', 1: 'one', payload: { deep: [1, { x: new Uint8Array([3]) }] } },
      proto,
      nullProto,
      withGetter,
      { payload: 1, topic: 't' },
    ];
    const records = await Promise.all(inputs.map((m) => s.run(m)));
    const out = records.map((r) => r[1] as Record<string, unknown>);
    expect(out.map((m) => m['seen'])).toEqual(['payload,topic', 'topic,payload', '1,2,payload', '__proto__,payload', 'b,a', 'payload,computed', 'payload,topic']);
    expect(Object.keys(out[1]!)).toEqual(['topic', 'payload', 'seen']);
    expect(out[2]!['payload']).toEqual({ deep: [1, { x: new Uint8Array([3]) }] });
    // An own "__proto__" key stays an own property on both sides; no prototype is set.
    expect(Object.getPrototypeOf(out[3])).toBe(Object.prototype);
    expect(Object.hasOwn(out[3]!, '__proto__')).toBe(true);
    expect((out[3] as { polluted?: unknown }).polluted).toBeUndefined();
    expect(out[5]).toEqual({ payload: 0, computed: 42, seen: 'payload,computed' });
    // A message that is not a plain object still travels as structured clone copies it.
    const tagOf = await sandbox('return { payload: Object.prototype.toString.call(msg) + " " + msg.getTime() };');
    expect(await tagOf.run(new Date(5))).toEqual([1, { payload: '[object Date] 5' }, null]);
  });

  it('a restarted worker still understands the message and result shapes seen before', async () => {
    const s = await sandbox('if (msg.payload === "hang") for (;;) {}\nreturn { payload: msg.payload, step: 1 };', { timeoutMs: 100 });
    expect(await s.run({ payload: 1, topic: 't' })).toEqual([1, { payload: 1, step: 1 }, null]);
    await expect(s.run({ payload: 'hang', topic: 't' })).rejects.toMatchObject({ code: 'FUNCTION_TIMEOUT' });
    expect(await s.run({ payload: 2, topic: 't' })).toEqual([1, { payload: 2, step: 1 }, null]);
  });

  it('nodes of different groups (tabs) never share a worker; nodes of one group do', async () => {
    const workers = sandboxStats().workers;
    const a1 = await sandbox('return { payload: "a1" };', {}, 'tab-a');
    const a2 = await sandbox('return { payload: "a2" };', {}, 'tab-a');
    const b = await sandbox('return { payload: "b" };', {}, 'tab-b');
    await Promise.all([a1.run({}), a2.run({}), b.run({})]);
    expect(sandboxStats().workers).toBe(workers + 2);
  });

  it('closing the last node stops the worker; the next node starts a new one', async () => {
    const workers = sandboxStats().workers;
    const s = await sandbox('return msg;');
    // No On Start code: the worker starts with the first message.
    expect(sandboxStats().workers).toBe(workers);
    await s.run({});
    expect(sandboxStats().workers).toBe(workers + 1);
    opened.splice(0);
    s.close();
    expect(sandboxStats().workers).toBe(workers);
    await expect(s.run({})).rejects.toMatchObject({ code: 'FUNCTION_FAILED', message: 'the function node is closed' });
  });
});
