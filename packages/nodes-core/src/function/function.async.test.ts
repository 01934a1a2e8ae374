import { describe, expect, it } from 'vitest';
import { functionTestKit } from './function-test-kit.js';
import { sandboxStats } from './sandbox-pool.js';

const { fn, failure } = functionTestKit();

describe('function node: async code', () => {
  it('awaits a timer and returns the message', async () => {
    const node = await fn({ code: 'await new Promise((resolve) => setTimeout(resolve, 20));\nmsg.payload += 1;\nreturn msg;' });
    const [sent] = await node.input({ _msgid: 'a-1', payload: 41 });
    expect(sent).toEqual({ port: 'out', msg: { _msgid: 'a-1', payload: 42 } });
  });

  it('a returned promise is awaited', async () => {
    const node = await fn({ code: 'return Promise.resolve({ payload: msg.payload * 3 });' });
    expect((await node.input({ payload: 2 }))[0]?.msg.payload).toBe(6);
  });

  it('node.send from a timer goes out within the run; node.done() ends it', async () => {
    const node = await fn({ code: 'setTimeout(() => {\n  node.send({ payload: "later" });\n  node.done();\n}, 10);\nreturn null;' });
    const sent = await node.input({ _msgid: 'a-2', payload: 0 });
    expect(sent).toEqual([{ port: 'out', msg: { _msgid: 'a-2', payload: 'later' } }]);
  });

  it('promise callbacks the code starts run within its run', async () => {
    const node = await fn({ code: 'Promise.resolve(msg.payload).then((v) => node.send({ payload: v + 1 }));\nreturn null;' });
    expect((await node.input({ payload: 1 })).map((s) => s.msg.payload)).toEqual([2]);
  });

  it('an interval runs until cleared, then the run ends', async () => {
    const node = await fn({
      code: 'let n = 0;\nconst id = setInterval(() => {\n  n++;\n  if (n === 3) { clearInterval(id); node.send({ payload: n }); }\n}, 2);\nreturn null;',
    });
    expect((await node.input({})).map((s) => s.msg.payload)).toEqual([3]);
  });

  it('runs of several messages interleave, and each send belongs to its own message', async () => {
    const node = await fn({ code: 'setTimeout(() => node.send({ payload: "after " + msg.payload }), msg.payload);\nreturn null;' });
    await Promise.all([node.input({ _msgid: 'slow', payload: 60 }), node.input({ _msgid: 'fast', payload: 5 }), node.input({ _msgid: 'mid', payload: 30 })]);
    expect(node.output().map((m) => [m._msgid, m.payload])).toEqual([
      ['fast', 'after 5'],
      ['mid', 'after 30'],
      ['slow', 'after 60'],
    ]);
  });

  it('context writes made after an await land in the store', async () => {
    const node = await fn({ code: 'await null;\ncontext.set("seen", (context.get("seen") ?? 0) + 1);\nreturn { payload: context.get("seen") };' });
    await node.input({});
    await node.input({});
    expect(node.output().map((m) => m.payload)).toEqual([1, 2]);
    expect(node.ctx.context.node.get('seen')).toBe(2);
  });

  it('On start may be async too', async () => {
    const node = await fn({
      setup: 'await new Promise((resolve) => setTimeout(resolve, 5));\nflow.set("ready", true);',
      code: 'return { payload: flow.get("ready") };',
    });
    expect((await node.input({}))[0]?.msg.payload).toBe(true);
  });

  it('a throw after an await is FUNCTION_FAILED with its line', async () => {
    const node = await fn({ code: 'await null;\nthrow new Error("late failure");' });
    const err = await failure(node);
    expect(err.code).toBe('FUNCTION_FAILED');
    expect(err.message).toBe('Error: late failure (code line 2, column 7)');
  });

  it('a throw in a timer callback fails the message', async () => {
    const node = await fn({ code: 'setTimeout(() => { throw new TypeError("bad tick"); }, 1);\nreturn msg;' });
    expect((await failure(node)).message).toMatch(/^TypeError: bad tick \(code line 1/);
  });
});

describe('function node: one time limit for the whole run', () => {
  it('a promise that never settles fails with FUNCTION_TIMEOUT without restarting the worker; earlier sends still go out', async () => {
    const node = await fn({ timeoutMs: 150, code: 'node.send({ payload: "first" });\nawait new Promise(() => {});' });
    await node.input({ payload: 'warm-up' }).catch(() => undefined);
    const started = sandboxStats().started;
    const t0 = performance.now();
    const err = await failure(node);
    expect(err.code).toBe('FUNCTION_TIMEOUT');
    expect(err.message).toBe('user code ran longer than 150 ms on this message and was stopped');
    expect(err.details).toEqual({ timeoutMs: 150 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    expect(sandboxStats().started).toBe(started);
    expect(node.output().map((m) => m.payload)).toEqual(['first', 'first']);
  });

  it('a timer chain times out and its timers are cleared, not leaked', async () => {
    const node = await fn({
      timeoutMs: 100,
      code: [
        'if (msg.payload === "chain") {',
        '  (function tick() { globalThis.ticks = (globalThis.ticks ?? 0) + 1; setTimeout(tick, 2); })();',
        '  return msg;',
        '}',
        'const before = globalThis.ticks;',
        'await new Promise((resolve) => setTimeout(resolve, 40));',
        'return { payload: globalThis.ticks - before, ticked: before > 3 };',
      ].join('\n'),
    });
    expect((await failure(node, { payload: 'chain' })).code).toBe('FUNCTION_TIMEOUT');
    const [sent] = await node.input({ payload: 'count' });
    expect(sent?.msg).toMatchObject({ payload: 0, ticked: true });
  });

  it('a busy loop after an await is stopped by the CPU watchdog; the worker restarts and the node goes on', async () => {
    const node = await fn({ timeoutMs: 150, code: 'if (msg.payload === "spin") {\n  await new Promise((resolve) => setTimeout(resolve, 5));\n  for (;;) {}\n}\nreturn msg;' });
    await node.input({ payload: 'warm-up' });
    const started = sandboxStats().started;
    expect((await failure(node, { payload: 'spin' })).code).toBe('FUNCTION_TIMEOUT');
    expect((await node.input({ payload: 'after' }))[0]?.msg.payload).toBe('after');
    // The stopped worker was replaced (lazily, by the next message).
    expect(sandboxStats().started).toBe(started + 1);
  });

  it("a runaway run does not hold up other messages' async runs in the same worker beyond its own limit", async () => {
    const waiter = await fn({ timeoutMs: 2000, code: 'await new Promise((resolve) => setTimeout(resolve, 20));\nreturn { payload: "waited" };' });
    const stuck = await fn({ timeoutMs: 100, code: 'return new Promise(() => {});' });
    const [a, b] = await Promise.allSettled([stuck.input({}), waiter.input({})]);
    expect(a).toMatchObject({ status: 'rejected', reason: { code: 'FUNCTION_TIMEOUT' } });
    expect(b).toMatchObject({ status: 'fulfilled' });
    expect(waiter.output()[0]?.payload).toBe('waited');
  });
});
