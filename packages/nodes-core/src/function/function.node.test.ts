import { NodeError, toManifest, type Message } from '@plantwire/node-sdk';
import { testNode, type TestNode } from '@plantwire/testing';
import { describe, expect, it } from 'vitest';
import { functionTestKit } from './function-test-kit.js';
import { functionNode, functionOutputPort } from './function.node.js';
import { sandboxStats } from './sandbox-pool.js';

const { fn, failure, track, untrackAll } = functionTestKit();

describe('function node: declaration', () => {
  it('declares out, out2 … out10 and documents every config field', () => {
    const manifest = toManifest(functionNode);
    expect(Object.keys(manifest.outputs)).toEqual(['out', 'out2', 'out3', 'out4', 'out5', 'out6', 'out7', 'out8', 'out9', 'out10']);
    expect(functionOutputPort(2)).toBe('out3');
    const properties = manifest.configSchema['properties'] as Record<string, Record<string, unknown>>;
    expect(Object.keys(properties)).toEqual(['code', 'setup', 'outputs', 'timeoutMs', 'memoryLimitMb', 'capabilities', 'allowedHosts', 'directory']);
    for (const [key, field] of Object.entries(properties)) {
      expect(field['title'], `${key} title`).toEqual(expect.any(String));
      expect(field['description'], `${key} description`).toEqual(expect.any(String));
    }
    expect(properties['code']?.['default']).toBe('return msg;');
    expect(manifest.description).toContain('`out2`');
  });

  it('fills defaults and refuses unknown or out-of-range settings', () => {
    expect(functionNode.config.parse({})).toEqual({
      code: 'return msg;',
      setup: '',
      outputs: 1,
      timeoutMs: 1000,
      memoryLimitMb: 256,
      capabilities: ['console'],
      allowedHosts: [],
      directory: '',
    });
    expect(functionNode.config.safeParse({ outputs: 11 }).success).toBe(false);
    expect(functionNode.config.safeParse({ capabilities: ['fs'] }).success).toBe(false);
    const noDirectory = functionNode.config.safeParse({ capabilities: ['filesystem'] });
    expect(noDirectory.error?.issues[0]).toMatchObject({ path: ['directory'], message: 'the filesystem capability needs a directory' });
    expect(functionNode.config.safeParse({ timeout: 5 }).success).toBe(false);
  });
});

describe('function node: Node-RED code ports', () => {
  it('runs `msg.payload = msg.payload * 2; return msg;` on its own copy, keeping the message id', async () => {
    const node = await fn({ code: 'msg.payload = msg.payload * 2;\nreturn msg;' });
    const input = { _msgid: 'm-1', payload: 21, topic: 'tank/level' };
    const [sent] = await node.input(input);
    expect(sent).toEqual({ port: 'out', msg: { _msgid: 'm-1', payload: 42, topic: 'tank/level' } });
    // testNode froze the runtime's message: user code wrote to a copy, so no TypeError and no change.
    expect(input.payload).toBe(21);
  });

  it('a new message built by the code inherits the input id, as in Node-RED', async () => {
    const node = await fn({ code: 'return { payload: msg.payload + 1 };' });
    const [sent] = await node.input({ _msgid: 'm-2', payload: 1 });
    expect(sent?.msg).toEqual({ _msgid: 'm-2', payload: 2 });
  });

  it('returning null or nothing sends nothing', async () => {
    const node = await fn({ code: 'if (msg.payload > 10) return msg;\nreturn null;' });
    expect(await node.input({ payload: 5 })).toEqual([]);
    const quiet = await fn({ code: 'msg.payload = 1;' });
    expect(await quiet.input({ payload: 5 })).toEqual([]);
  });

  it('an array sends one entry per output (a message, an array of messages or null)', async () => {
    const node = await fn({
      outputs: 3,
      code: 'const low = { payload: "low" };\nreturn [msg, null, [low, { payload: "also" }]];',
    });
    await node.input({ _msgid: 'm-3', payload: 1 });
    expect(node.output('out')).toEqual([{ _msgid: 'm-3', payload: 1 }]);
    expect(node.output('out2')).toEqual([]);
    expect(node.output('out3')).toEqual([
      { _msgid: 'm-3', payload: 'low' },
      { _msgid: 'm-3', payload: 'also' },
    ]);
  });

  it('[[a, b]] sends several messages on the first output, in order', async () => {
    const node = await fn({ code: 'return [[{ payload: 1 }, null, { payload: 2 }]];' });
    await node.input({ payload: 0 });
    expect(node.output().map((m) => m.payload)).toEqual([1, 2]);
  });

  it('node.send, node.warn/log/error/status reach the runtime', async () => {
    const node = await fn({
      outputs: 2,
      code: [
        'node.send({ payload: "early" });',
        'node.send([null, { payload: "side" }]);',
        'node.log("handling " + msg.payload);',
        'node.warn({ level: msg.payload });',
        'node.status({ fill: "green", shape: "dot", text: "ok " + msg.payload });',
        'node.error("bad reading", msg);',
        'node.error("just logged");',
        'return msg;',
      ].join('\n'),
    });
    await node.input({ _msgid: 'm-4', payload: 7 });
    expect(node.output('out').map((m) => m.payload)).toEqual(['early', 7]);
    expect(node.output('out2').map((m) => m.payload)).toEqual(['side']);
    expect(node.logs).toEqual([
      { level: 'info', message: 'handling 7', fields: undefined },
      { level: 'warn', message: '{"level":7}', fields: undefined },
      { level: 'error', message: 'just logged', fields: undefined },
    ]);
    expect(node.statuses).toEqual([{ fill: 'green', shape: 'dot', text: 'ok 7' }]);
    expect(node.errors).toHaveLength(1);
    const [{ err, msg }] = node.errors as [{ err: NodeError; msg: Message }];
    expect(err.code).toBe('FUNCTION_FAILED');
    expect(err.message).toBe('bad reading');
    expect(msg).toMatchObject({ _msgid: 'm-4', payload: 7 });
  });

  it('node.status({}) clears the badge', async () => {
    const node = await fn({ code: 'node.status({});\nreturn null;' });
    await node.input({ payload: 1 });
    expect(node.statuses).toEqual([null]);
  });

  it('context, flow and global get/set persist across messages and land in the runtime stores', async () => {
    const node = await fn({
      setup: 'context.set("count", 0);\nflow.set("line", "L1");',
      code: [
        'const count = context.get("count") + 1;',
        'context.set("count", count);',
        'global.set("last", { value: msg.payload, count });',
        'return { payload: count, line: flow.get("line") };',
      ].join('\n'),
    });
    await Promise.all([node.input({ payload: 'a' }), node.input({ payload: 'b' }), node.input({ payload: 'c' })]);
    expect(node.output().map((m) => [m.payload, m['line']])).toEqual([
      [1, 'L1'],
      [2, 'L1'],
      [3, 'L1'],
    ]);
    expect(node.ctx.context.node.get('count')).toBe(3);
    expect(node.ctx.context.flow.get('line')).toBe('L1');
    expect(node.ctx.context.global.get('last')).toEqual({ value: 'c', count: 3 });
  });

  it('sees context written by other nodes from its next batch on', async () => {
    const node = await fn({ code: 'return { payload: flow.get("setpoint") ?? null };' });
    await node.input({});
    node.ctx.context.flow.set('setpoint', 42);
    await node.input({});
    node.ctx.context.flow.delete('setpoint');
    await node.input({});
    expect(node.output().map((m) => m.payload)).toEqual([null, 42, null]);
  });

  it('context values are values: changing what get returned does not change the store', async () => {
    const node = await fn({
      setup: 'flow.set("limits", { high: 10 });',
      code: 'const l = flow.get("limits");\nl.high = 99;\nreturn { payload: flow.get("limits").high };',
    });
    await node.input({});
    expect(node.output()[0]?.payload).toBe(10);
    expect(node.ctx.context.flow.get('limits')).toEqual({ high: 10 });
  });

  it('context.flow / context.global, arrays of keys and callback forms work as in Node-RED', async () => {
    const node = await fn({
      code: [
        'context.flow.set(["a", "b"], [1, 2]);',
        'let seen;',
        'flow.get(["a", "b"], (err, values) => { seen = values; });',
        'return { payload: seen, keys: flow.keys().sort() };',
      ].join('\n'),
    });
    await node.input({});
    expect(node.output()[0]).toMatchObject({ payload: [1, 2], keys: ['a', 'b'] });
  });

  it('env.get reads the environment with the env capability', async () => {
    const node = await fn({ capabilities: ['env'], code: 'return { payload: env.get("LINE_ID"), other: env.get(\'UNSET_NAME\') };' }, { env: { LINE_ID: 'press-4' } });
    await node.input({});
    expect(node.output()[0]).toMatchObject({ payload: 'press-4', other: undefined });
  });

  it('env.get without the env capability is a node error naming the capability', async () => {
    const node = await fn({ code: 'return { payload: env.get("LINE_ID") };' }, { env: { LINE_ID: 'press-4' } });
    const err = await failure(node);
    expect(err.code).toBe('FUNCTION_FAILED');
    expect(err.message).toContain('env.get is not available in function node "function-under-test": grant the "env" capability');
  });

  it('env.get with a computed name explains that names must be literals', async () => {
    const node = await fn({ capabilities: ['env'], code: 'const name = "LINE" + "_ID";\nreturn { payload: env.get(name) };' });
    const err = await failure(node);
    expect(err.message).toContain('only names written as a literal');
  });

  it('console goes to the node log; without the console capability it is a node error', async () => {
    const node = await fn({ code: 'console.log("value", msg.payload, { a: 1 });\nconsole.warn("careful");\nreturn null;' });
    await node.input({ payload: 3 });
    expect(node.logs).toEqual([
      { level: 'info', message: 'value 3 {"a":1}', fields: undefined },
      { level: 'warn', message: 'careful', fields: undefined },
    ]);
    const silent = await fn({ capabilities: [], code: 'console.log("x");\nreturn msg;' });
    expect((await failure(silent)).message).toContain('grant the "console" capability');
  });

  it('keeps values JSON cannot carry: Date, Map, Set, undefined', async () => {
    const node = await fn({ code: 'msg.year = msg.payload.when.getUTCFullYear();\nmsg.payload.tags.set("b", 2);\nreturn msg;' });
    await node.input({ payload: { when: new Date('2024-05-01T00:00:00Z'), tags: new Map([['a', 1]]), ids: new Set([7]), none: undefined } });
    const out = node.output()[0]!;
    expect(out['year']).toBe(2024);
    expect(out.payload).toEqual({ when: new Date('2024-05-01T00:00:00Z'), tags: new Map([['a', 1], ['b', 2]]), ids: new Set([7]), none: undefined });
    expect('none' in (out.payload as object)).toBe(true);
  });

  it('RED.util.cloneMessage gives an independent copy', async () => {
    const node = await fn({ code: 'const copy = RED.util.cloneMessage(msg);\ncopy.payload.n = 2;\nreturn [[msg, copy]];' });
    await node.input({ payload: { n: 1 } });
    expect(node.output().map((m) => (m.payload as { n: number }).n)).toEqual([1, 2]);
  });
});

describe('function node: failures have an address', () => {
  it('a throw is FUNCTION_FAILED with the user message and line', async () => {
    const node = await fn({ code: 'const limit = 100;\n\nif (msg.payload > limit) throw new Error("reading above limit");\nreturn msg;' });
    const err = await failure(node, { payload: 500 });
    expect(err.code).toBe('FUNCTION_FAILED');
    expect(err.message).toBe('Error: reading above limit (code line 3, column 32)');
    expect(err.details).toEqual({ line: 3, column: 32 });
    expect(await node.input({ payload: 5 })).toHaveLength(1);
  });

  it('a runtime TypeError points at the user line', async () => {
    const node = await fn({ code: 'const x = msg.payload;\nreturn { payload: x.deep.value };' });
    const err = await failure(node, { payload: {} });
    expect(err.message).toMatch(/^TypeError: Cannot read properties of undefined \(reading 'value'\) \(code line 2/);
  });

  it('throwing a non-Error value is reported as its text', async () => {
    const node = await fn({ code: 'throw "sensor offline";' });
    expect((await failure(node)).message).toBe('sensor offline');
  });

  it.each([
    ['a function', 'return function () {};', 'is a function'],
    ['a number', 'return 42;', 'is a number'],
    ['a symbol', 'return Symbol("x");', 'is a symbol'],
    ['a string', 'return "done";', 'is a string'],
    ['a Promise inside a message', 'msg.payload = Promise.resolve(1);\nreturn msg;', 'msg.payload is a Promise (await it'],
    ['a message holding a function', 'msg.payload = { convert: (x) => x * 2 };\nreturn msg;', 'msg.payload.convert is a function'],
    ['an array longer than the outputs', 'return [msg, msg];', 'the returned value is an array of 2 but the node has 1 output'],
    ['an array with a number entry', 'return [[msg, 3]];', 'is a number, not a message object'],
  ])('returning %s is FUNCTION_RESULT_INVALID', async (_what, code, expected) => {
    const node = await fn({ code });
    const err = await failure(node);
    expect(err.code).toBe('FUNCTION_RESULT_INVALID');
    expect(err.message).toContain(expected);
  });

  it('a syntax error is a config error with its line, found before the node runs', () => {
    const result = functionNode.config.safeParse({ code: 'const a = 1;\nreturn a +;' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['code'], message: expect.stringMatching(/^SyntaxError: .*\(line 2, column \d+\)$/) });
  });

  it('code with await is valid; a syntax error in it still has its line', () => {
    expect(functionNode.config.safeParse({ code: 'const v = await fetchIt();\nreturn msg;' }).success).toBe(true);
    const result = functionNode.config.safeParse({ code: 'await null;\nconst a = ;' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/^SyntaxError: .*\(line 2, column \d+\)$/);
    // A body that would close the async wrapper early is refused, not run.
    expect(functionNode.config.safeParse({ code: 'await null;\n}; (function () {' }).success).toBe(false);
  });

  it('a setup that throws fails the node start with FUNCTION_FAILED and the setup line', async () => {
    const err: unknown = await testNode(functionNode, { setup: 'flow.set("x", 1);\nthrow new Error("no config");' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NodeError);
    expect((err as NodeError).code).toBe('FUNCTION_FAILED');
    expect((err as NodeError).message).toBe('Error: no config (setup code line 2, column 7)');
  });

  it('a context value the store refuses fails that message with the store reason', async () => {
    const node = await fn({ code: 'flow.set("bad", 1);\nreturn msg;' });
    // The runtime's stores take JSON only; this store refuses everything to stand in for that.
    (node.ctx.context.flow as { set: (k: string, v: unknown) => void }).set = () => {
      throw new TypeError('the value is not JSON-serialisable');
    };
    const err = await failure(node);
    expect(err).toMatchObject({ code: 'FUNCTION_FAILED', message: 'the value is not JSON-serialisable' });
  });
});

describe('function node: isolation', () => {
  it.each([
    ['process.exit()', 'process.exit(1);', 'ReferenceError: process is not defined'],
    ["require('fs')", 'const fs = require("fs");\nreturn msg;', 'ReferenceError: require is not defined'],
    ['globalThis.process', 'globalThis.process.exit(1);', "TypeError: Cannot read properties of undefined (reading 'exit')"],
    ["this.constructor.constructor('return process')()", 'const p = this.constructor.constructor("return process")();\nreturn msg;', 'ReferenceError: process is not defined'],
    ["msg.constructor.constructor('return process')()", 'return { payload: msg.constructor.constructor("return process")().pid };', 'ReferenceError: process is not defined'],
    ["node.warn.constructor('return process')()", 'return { payload: node.warn.constructor("return process")().pid };', 'ReferenceError: process is not defined'],
    ["context.get('x').constructor…", 'context.set("x", {});\nreturn { payload: context.get("x").constructor.constructor("return process")().pid };', 'ReferenceError: process is not defined'],
    ['Buffer', 'return { payload: Buffer.from("x") };', 'ReferenceError: Buffer is not defined'],
    ['fetch', 'fetch("http://127.0.0.1:1/");\nreturn msg;', 'ReferenceError: fetch is not defined (function node "function-under-test" does not have the "network" capability'],
    ['fs', 'fs.readFile("x");\nreturn msg;', 'ReferenceError: fs is not defined (function node "function-under-test" does not have the "filesystem" capability'],
    ["Function('return this')().process", 'return { payload: Function("return this")().process.pid };', "TypeError: Cannot read properties of undefined (reading 'pid')"],
    ['FinalizationRegistry (callbacks outside the time limit)', 'new FinalizationRegistry(() => {});', 'ReferenceError: FinalizationRegistry is not defined'],
    ['the caller chain', 'const f = function () { return f.caller.caller; };\nreturn { payload: f().constructor("return process")().pid };', "TypeError: Cannot read properties of null (reading 'constructor')"],
  ])('%s fails as a node error and the node keeps working', async (_what, code, expected) => {
    const node = await fn({ code: `if (msg.payload === "attack") {\n${code}\n}\nreturn msg;` });
    const err = await failure(node, { payload: 'attack' });
    expect(err.code).toBe('FUNCTION_FAILED');
    expect(err.message).toContain(expected);
    expect(await node.input({ payload: 'ok' })).toEqual([{ port: 'out', msg: expect.objectContaining({ payload: 'ok' }) }]);
  });

  it('import() is refused at config validation, with its line', () => {
    const result = functionNode.config.safeParse({ code: 'const x = 1;\nreturn import("fs");' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('import() is not available in a function node: it has no module loader, file system or network (line 2, column 8)');
  });

  it('an import() smuggled past validation never loads anything, and its error is not a way out', async () => {
    const node = await fn({ code: 'return new Function("return imp" + "ort(\'fs\')")();' });
    const err = await failure(node);
    expect(err.code).toBe('FUNCTION_FAILED');
    expect(err.message).toContain('import() is not available in a function node');
    // The rejection is an error of the sandbox's realm: its constructor chain has no process.
    const probe = await fn({
      code: [
        'try { await new Function("return imp" + "ort(\'fs\')")(); } catch (e) {',
        '  return { payload: e.constructor.constructor("return typeof process")() };',
        '}',
      ].join('\n'),
    });
    await probe.input({});
    expect(probe.output()[0]?.payload).toBe('undefined');
  });

  it('user code that patches builtins cannot reach a host object through the runner', async () => {
    const node = await fn({
      setup: [
        // A host-realm object would answer "object" here; this realm has no process.
        'const grab = (o) => { try { if (o.constructor.constructor("return typeof process")() !== "undefined") globalThis.leak = "LEAKED"; } catch (e) {} };',
        'const keys = Object.keys; Object.keys = (o) => { grab(o); return keys(o); };',
        'const push = Array.prototype.push; Array.prototype.push = function (...a) { a.forEach(grab); return push.apply(this, a); };',
        'Object.defineProperty(Object.prototype, "then", { get() { grab(this); return undefined; }, configurable: true });',
      ].join('\n'),
      code: 'return { payload: globalThis.leak ?? "nothing leaked", copy: msg.payload };',
    });
    await node.input({ payload: { nested: [1, { deep: true }] } });
    await node.input({ payload: 2 });
    expect(node.output().map((m) => m.payload)).toEqual(['nothing leaked', 'nothing leaked']);
  });

  it('stack trace call sites (Error.prepareStackTrace) expose no host object', async () => {
    const node = await fn({
      code: [
        'const seen = new Set();',
        'Error.prepareStackTrace = (e, sites) => {',
        '  for (const site of sites) {',
        '    for (const o of [site, site.getThis(), site.getFunction()]) {',
        '      if (o) seen.add(o.constructor.constructor("return typeof process")());',
        '    }',
        '  }',
        '  return "";',
        '};',
        'new Error("probe").stack;',
        'return { payload: [...seen] };',
      ].join('\n'),
    });
    await node.input({});
    expect(node.output()[0]?.payload).toEqual(['undefined']);
  });

  it('one node cannot change the builtins another node sees', async () => {
    const polluter = await fn({ code: 'Object.prototype.polluted = "yes";\nArray.prototype.map = null;\nreturn msg;' });
    const victim = await fn({ code: 'return { payload: ({}).polluted ?? "clean", mapped: [1, 2].map((x) => x * 2) };' });
    await polluter.input({});
    await victim.input({});
    expect(victim.output()[0]).toMatchObject({ payload: 'clean', mapped: [2, 4] });
  });
});

describe('function node: CPU and memory limits', () => {
  it('an endless loop is FUNCTION_TIMEOUT for that message only; messages before and after still pass', async () => {
    const node = await fn({ timeoutMs: 150, code: 'if (msg.payload === "hang") { while (true) {} }\nreturn { payload: msg.payload * 10 };' });
    const results = await Promise.allSettled([node.input({ payload: 1 }), node.input({ payload: 'hang' }), node.input({ payload: 2 })]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const err = (results[1] as PromiseRejectedResult).reason as NodeError;
    expect(err).toBeInstanceOf(NodeError);
    expect(err.code).toBe('FUNCTION_TIMEOUT');
    expect(err.message).toBe('user code ran longer than 150 ms on this message and was stopped');
    expect(node.output().map((m) => m.payload)).toEqual([10, 20]);
    await node.input({ payload: 3 });
    expect(node.output().map((m) => m.payload)).toEqual([10, 20, 30]);
  });

  it('the runtime thread stays free while user code loops', async () => {
    const node = await fn({ timeoutMs: 400, code: 'while (true) {}' });
    let settledAfterTurns = -1;
    let turns = 0;
    const hung = node.input({ payload: 1 }).catch((e: unknown) => e).finally(() => (settledAfterTurns = turns));
    // Code looping on this thread would block these turns until it was stopped.
    const t0 = performance.now();
    while (performance.now() - t0 < 150) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      turns++;
    }
    expect(settledAfterTurns).toBe(-1);
    expect(turns).toBeGreaterThan(10);
    expect(((await hung) as NodeError).code).toBe('FUNCTION_TIMEOUT');
  });

  it('the setup code has the time limit too', async () => {
    const err: unknown = await testNode(functionNode, { timeoutMs: 100, setup: 'for (;;) {}' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as NodeError).code).toBe('FUNCTION_TIMEOUT');
  });

  it('an allocation bomb is a node error naming the node; the worker restarts and this and other nodes go on', async () => {
    const bomb = await fn(
      {
        memoryLimitMb: 32,
        timeoutMs: 20_000,
        code: 'if (msg.payload === "bomb") {\n  const keep = [];\n  for (;;) keep.push("reading " + keep.length + " ".repeat(64));\n}\nreturn msg;',
      },
      { id: 'bomb' },
    );
    const other = await fn({ memoryLimitMb: 32, code: 'return { payload: "other " + msg.payload };' }, { id: 'other' });
    const started = sandboxStats().started;
    const results = await Promise.allSettled([
      bomb.input({ payload: 'before' }),
      other.input({ payload: 1 }),
      bomb.input({ payload: 'bomb' }),
      other.input({ payload: 2 }),
      bomb.input({ payload: 'after' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const err = (results[2] as PromiseRejectedResult).reason as NodeError;
    expect(err.code).toBe('FUNCTION_FAILED');
    expect(err.message).toBe('user code of function node "bomb" ran out of memory (the sandbox heap limit is 32 MB); the sandbox was restarted');
    expect(err.details).toMatchObject({ reason: 'memory-limit', memoryLimitMb: 32, nodeId: 'bomb' });
    // Both nodes shared the worker; it was replaced once, and both go on.
    expect(sandboxStats().started).toBe(started + 2);
    expect((await bomb.input({ payload: 'next' }))[0]?.msg.payload).toBe('next');
    expect((await other.input({ payload: 3 }))[0]?.msg.payload).toBe('other 3');
    expect(bomb.output().map((m) => m.payload)).toEqual(['before', 'after', 'next']);
    expect(other.output().map((m) => m.payload)).toEqual(['other 1', 'other 2', 'other 3']);
  });
});

describe('function node: shared sandbox', () => {
  it('function nodes with the same limits share one worker, which stops with the last of them', async () => {
    const before = sandboxStats();
    const a = await fn({ code: 'return { payload: "a" };' });
    const b = await fn({ code: 'return { payload: "b" };' });
    // Without On Start code, nothing runs in the sandbox until the first message.
    expect(sandboxStats().workers).toBe(before.workers);
    expect(sandboxStats().nodes).toBe(before.nodes + 2);
    await Promise.all([a.input({}), b.input({})]);
    expect(sandboxStats().workers).toBe(before.workers + 1);
    expect([a.output()[0]?.payload, b.output()[0]?.payload]).toEqual(['a', 'b']);
    await a.close();
    await b.close();
    untrackAll();
    expect(sandboxStats().workers).toBe(before.workers);
  });

  it("a hang in one node re-runs the other node's in-flight messages exactly once", async () => {
    const hanging = await fn({ timeoutMs: 150, code: 'while (true) {}' });
    const counter = await fn({
      timeoutMs: 150,
      setup: 'context.set("runs", 0);',
      code: 'const runs = context.get("runs") + 1;\ncontext.set("runs", runs);\nreturn { payload: runs };',
    });
    const startedBefore = sandboxStats().started;
    // One batch: counter's first messages run before the hang, the rest after it.
    const inputs = [
      counter.input({ payload: 'x' }),
      counter.input({ payload: 'x' }),
      hanging.input({ payload: 'stuck' }),
      counter.input({ payload: 'x' }),
      counter.input({ payload: 'x' }),
    ];
    const results = await Promise.allSettled(inputs);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(((results[2] as PromiseRejectedResult).reason as NodeError).code).toBe('FUNCTION_TIMEOUT');
    expect(counter.output().map((m) => m.payload)).toEqual([1, 2, 3, 4]);
    expect(counter.ctx.context.node.get('runs')).toBe(4);
    expect(sandboxStats().started).toBe(startedBefore + 1);
  });

  it('two nodes sharing a flow store see each other\'s writes within one batch', async () => {
    const flowStore = new Map<string, unknown>();
    const shared = {
      get: (k: string) => flowStore.get(k),
      set: (k: string, v: unknown) => void flowStore.set(k, v),
      delete: (k: string) => void flowStore.delete(k),
      keys: () => [...flowStore.keys()],
    };
    // Both nodes get the same flow store object, as the runtime gives the nodes of one tab.
    const w = await testNodeWithFlow(shared, 'flow.set("seen", (flow.get("seen") ?? 0) + 1);\nreturn null;');
    const r = await testNodeWithFlow(shared, 'return { payload: flow.get("seen") ?? 0 };');
    await Promise.all([w.input({}), r.input({}), w.input({}), r.input({})]);
    expect(r.output().map((m) => m.payload)).toEqual([1, 2]);
    expect(flowStore.get('seen')).toBe(2);
  });
});

/** A function node whose ctx.context.flow is `store` from the start (testNode gives each node its own stores). */
async function testNodeWithFlow(store: { get(k: string): unknown; set(k: string, v: unknown): void; delete(k: string): void; keys(): string[] }, code: string) {
  const node = await testNode({ ...functionNode, setup: undefined, onInput: undefined, close: undefined } as typeof functionNode, { code });
  Object.assign(node.ctx.context, { flow: store });
  const state = await functionNode.setup!(node.ctx);
  const wrapped: TestNode<unknown> = {
    ...node,
    state,
    async input(init) {
      const before = node.sent.length;
      const msg = Object.freeze({ _msgid: `m${Math.random()}`, ...init }) as Message;
      const result = await functionNode.onInput!(msg, node.ctx, state, 'in');
      if (result != null) for (const m of Array.isArray(result) ? result : [result]) node.ctx.send(m);
      return node.sent.slice(before);
    },
    async close() {
      await functionNode.close!(node.ctx, state);
    },
  };
  track(wrapped);
  return wrapped;
}
