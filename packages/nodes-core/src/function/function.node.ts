import { resolve } from 'node:path';
import * as z from 'zod';
import { defineNode, NodeError, type Message, type MessageInit, type NodeContext, type NodeResult } from '@plantwire/node-sdk';
import { analyseCode, checkCode, type CODE_PARAMS } from './analyse-code.js';
import { openSandbox, type SandboxEffects, type SandboxInstance, type SandboxMessage, type SandboxRecord } from './sandbox-pool.js';

/** Most outputs a function node can have; ports are `out`, `out2` … `out10`. */
export const MAX_FUNCTION_OUTPUTS = 10;

/** Name of the port that receives entry `index` (0-based) of an array the code returns. */
export function functionOutputPort(index: number): string {
  return index === 0 ? 'out' : `out${index + 1}`;
}

const outputPorts = Object.fromEntries(
  Array.from({ length: MAX_FUNCTION_OUTPUTS }, (_, i) => [
    functionOutputPort(i),
    i === 0
      ? 'The message the code returns, or entry 0 of the array it returns.'
      : `Entry ${i} of the array the code returns (used when outputs ≥ ${i + 1}).`,
  ]),
);

const codeField = (kind: keyof typeof CODE_PARAMS) =>
  z
    .string()
    .superRefine((body, ctx) => {
      const problem = checkCode(body, kind);
      if (problem) {
        const where = problem.line > 0 ? ` (line ${problem.line}${problem.column > 0 ? `, column ${problem.column}` : ''})` : '';
        ctx.addIssue({ code: 'custom', message: `${problem.message}${where}` });
      }
    })
    // The editor's code editor and its highlighting; the field's own meta below adds title and text.
    .meta({ language: 'javascript' });

const capability = z.enum(['console', 'env', 'network', 'filesystem']).meta({
  description:
    'console: console.log/info/warn/error/debug write to the node\'s log. env: env.get("NAME") reads environment variables. network: fetch(url, { method, headers, body }) (http and https, limited to allowedHosts when set). filesystem: fs.readFile/writeFile/appendFile/readdir, promise-based, inside `directory` only.',
});

const configSchema = z.strictObject({
  code: codeField('code')
    .default('return msg;')
    .meta({
      title: 'Code',
      description:
        'Body of a JavaScript function of `msg`, as in Node-RED. Return a message, an array with one entry per output (each a message, an array of messages, or null), or null to send nothing. `msg` is the code\'s own copy: change it freely. Available: node.warn/error/log/status/send/done, context/flow/global.get/set, env.get, RED.util.cloneMessage, console, setTimeout/setInterval/clearTimeout/clearInterval, and with their capability fetch and fs. The code may use await or return a promise; the message\'s run ends when its result is known and no timer or request of it is pending, or when it calls node.done(). There is no require, process, import() or Buffer.',
      examples: ['msg.payload = msg.payload * 2;\nreturn msg;'],
    }),
  setup: codeField('setup')
    .default('')
    .meta({ title: 'On start', description: 'Runs once when the node starts, before the first message (Node-RED "On Start"); typically initialises context.' }),
  outputs: z.int().min(1).max(MAX_FUNCTION_OUTPUTS).default(1).meta({
    title: 'Outputs',
    description: `How many outputs the code addresses: entry i of a returned array goes to port out, out2 … out${MAX_FUNCTION_OUTPUTS}.`,
  }),
  timeoutMs: z.int().min(1).max(600_000).default(1000).meta({
    title: 'Time limit (ms)',
    unit: 'ms',
    description:
      'Time one message\'s run (or the On start code) may take, waiting on promises, timers and requests included. Past it the run is stopped, its timers cleared and its requests aborted, and the message fails with FUNCTION_TIMEOUT; other messages go on.',
  }),
  memoryLimitMb: z.int().min(16).max(16_384).default(256).meta({
    title: 'Memory limit (MB)',
    unit: 'MB',
    description: 'Heap limit of the sandbox worker; running out fails the message that was running with FUNCTION_FAILED (details.reason "memory-limit") and restarts the worker. Function nodes of one tab with the same limit share one worker, and this limit (each node takes about 0.2 MB of it, plus what its code and context hold).',
  }),
  capabilities: z.array(capability).default(['console']).meta({
    title: 'Capabilities',
    description: 'What the code is allowed beyond plain JavaScript; network and filesystem are off unless listed. Without its capability, fetch or fs does not exist in the sandbox.',
  }),
  allowedHosts: z.array(z.string().min(1)).default([]).meta({
    title: 'Allowed hosts',
    description: 'With the network capability: the only hosts fetch may reach (and be redirected to), as `name`, `name:port` or `*.domain`. Empty: any host.',
    examples: [['api.example.com', '10.0.0.5:8080']],
  }),
  directory: z.string().default('').meta({
    title: 'Directory',
    description: 'With the filesystem capability: the one directory fs may read, write and list, relative to the runtime\'s working directory. A path that leaves it (.., an absolute path, a symbolic link) is refused.',
    examples: ['data/line1'],
  }),
}).superRefine((config, ctx) => {
  if (config.capabilities.includes('filesystem') && config.directory === '') {
    ctx.addIssue({ code: 'custom', path: ['directory'], message: 'the filesystem capability needs a directory' });
  }
});

/** A function node's parsed config. */
export type FunctionConfig = z.output<typeof configSchema>;

interface FunctionState {
  readonly sandbox: SandboxInstance;
  /** Turns the sandbox's record for a message into what `onInput` resolves to; made once per node. */
  readonly answer: (record: SandboxRecord, input: Message) => NodeResult;
}

/**
 * The `function` node: user JavaScript, Node-RED style, in a sandbox.
 *
 * The code runs in a `vm` context inside a worker thread, never on the runtime's event loop, with
 * no `process`, `require`, `import()` or `Buffer`; `fetch` and `fs` exist only with the `network`
 * and `filesystem` capabilities. It may be async (await, promises, sandbox timers); one time limit
 * covers the whole run. An endless loop or a run that never ends costs one message a
 * FUNCTION_TIMEOUT; a throw is FUNCTION_FAILED with the user's line; a result that is not a
 * message, an array of per-output entries or null is FUNCTION_RESULT_INVALID.
 *
 * Speed: the function nodes of one tab with the same memory limit share one worker (started by
 * the first message), and each node takes up to 256 messages in flight, so one postMessage
 * carries a batch of messages (of every node) to the worker and one carries the results back.
 *
 * @example
 * { "id": "double", "type": "function", "config": { "code": "msg.payload = msg.payload * 2;\nreturn msg;" } }
 */
export const functionNode = defineNode({
  type: 'function',
  version: 1,
  category: 'transform',
  summary: 'Run JavaScript on each message (Node-RED compatible), sandboxed.',
  description:
    'Isolation: the code runs in a worker thread, in a `vm` context of its own, never on the runtime\'s event loop. There is no `process`, `require`, `import()` or `Buffer`, whatever the capabilities; `fetch` exists only with the `network` capability and `fs` only with `filesystem`. A throw fails with FUNCTION_FAILED and the line, and a result that is not a message, an array of per-output entries or null fails with FUNCTION_RESULT_INVALID.\n\n' +
    'Async: the code may `await`, return a promise, and use `setTimeout`/`setInterval` (and their clear functions); `node.send` works from any of them. A message\'s run ends when its result is known and none of its timers or requests is pending, or when it calls `node.done()`; its messages leave then, in order, and its timers are cleared. One limit, `timeoutMs`, covers the whole run: code on the CPU that long is stopped by restarting the worker (other messages go on), and a run that waits that long (a promise that never settles, a timer chain) is ended in the worker; either way the message fails with FUNCTION_TIMEOUT, and what it sent before still goes out.\n\n' +
    'Ports: entry *i* of a returned array goes to `out` (i = 0), `out2`, … `out10`; the node declares all ten so wires to them validate, and `outputs` says how many the code may address (a longer array is FUNCTION_RESULT_INVALID).\n\n' +
    'Context: the code reads and writes a copy of the node, flow and global context kept in the sandbox. Its writes reach the runtime\'s store, in message order, before the message leaves the node; writes by other nodes become visible to the code from its next batch of messages (usually the next message). Only stores the code names (`context`, `flow`, `global`) are loaded.\n\n' +
    'Environment: `env.get("NAME")` needs the `env` capability and a literal name; the names are resolved when the node starts.\n\n' +
    'Network and files: `network` gives `fetch(url, { method, headers, body })` (http and https; the body a string or a Uint8Array), resolving to `{ ok, status, statusText, url, redirected, headers.get/has/forEach, text(), json(), bytes(), arrayBuffer() }` with the body read whole (at most 16 MB); with `allowedHosts`, every host on the way, redirects included, must be listed. `filesystem` gives `fs.readFile(path, encoding = "utf8")` (encoding null for a Uint8Array), `fs.writeFile(path, data)`, `fs.appendFile(path, data)` and `fs.readdir(path = ".")`, all promises, for paths inside `directory`. Using either name without its capability is a ReferenceError that names the node and the capability. A waiting run of a node with either capability is not run again after a worker restart (it may have reached outside already): it fails.\n\n' +
    'Sharing: each tab (flow) gets its own workers, so a runaway function never stalls another tab. On one tab, function nodes with the same `memoryLimitMb` share one worker, which takes the messages of all of them in batches and starts with the first of them (a tab without function nodes starts none). A message that hangs delays the others in that worker until its time limit; give a heavy node a limit of its own to give it a worker of its own. Running out of memory fails the running message with FUNCTION_FAILED (details.reason "memory-limit", naming the node) and restarts the worker; the other messages in it run again.',
  icon: 'code',
  inputs: { in: 'Messages to run the code on.' },
  outputs: outputPorts,
  config: configSchema,
  concurrency: 256,

  async setup(ctx): Promise<FunctionState> {
    const { config } = ctx;
    const analysis = analyseCode(config.code, config.setup);
    const has = (name: FunctionConfig['capabilities'][number]) => config.capabilities.includes(name);
    const granted = { console: has('console'), env: has('env'), network: has('network'), filesystem: has('filesystem') };
    const env = granted.env ? Object.fromEntries(analysis.envNames.map((name) => [name, ctx.env(name)])) : {};
    const sandbox = await openSandbox(
      {
        nodeId: ctx.id,
        nodeName: ctx.name,
        code: config.code,
        setup: config.setup,
        outputs: config.outputs,
        timeoutMs: config.timeoutMs,
        capabilities: granted,
        allowedHosts: config.allowedHosts,
        directory: granted.filesystem ? resolve(config.directory) : '',
        asyncHints: analysis.asyncHints,
        env,
        stores: {
          node: analysis.stores.node ? ctx.context.node : undefined,
          flow: analysis.stores.flow ? ctx.context.flow : undefined,
          global: analysis.stores.global ? ctx.context.global : undefined,
        },
      },
      // One worker per tab: a runaway function stalls only the function nodes of its own tab.
      { memoryLimitMb: config.memoryLimitMb, group: ctx.tab ?? '' },
    );
    const rec = sandbox.setupRecord;
    applyEffects(ctx, rec[2], undefined, true);
    if (rec[0] === 3) {
      sandbox.close();
      throw failureError(rec[1], 'setup code', config.timeoutMs);
    }
    return { sandbox, answer: (record: SandboxRecord, input: Message) => toResult(record, input, ctx) };
  },

  onInput(msg, _ctx, state) {
    return state.sandbox.run(msg, state.answer);
  },

  close(_ctx, state) {
    state.sandbox.close();
  },
});

/** Turns a sandbox record into what onInput returns (first output) and sends (other outputs). */
function toResult(rec: SandboxRecord, input: Message, ctx: NodeContext<FunctionConfig>): NodeResult {
  // The usual answer: one message, no side effects.
  if (rec[0] === 1 && rec[2] === null) return withId(rec[1], input);
  const first: MessageInit[] = [];
  const sendsFirst = applyEffects(ctx, rec[2], input, false);
  for (const m of sendsFirst) first.push(m);
  switch (rec[0]) {
    case 0:
      break;
    case 1:
      first.push(withId(rec[1], input));
      break;
    case 2:
      rec[1].forEach((list, port) => {
        if (!list) return;
        for (const m of list) {
          if (port === 0) first.push(withId(m, input));
          else ctx.send(withId(m, input), functionOutputPort(port));
        }
      });
      break;
    case 3:
      // Messages node.send() sent before the failure still go out, as in Node-RED.
      for (const m of first) ctx.send(m, 'out');
      throw failureError(rec[1], 'code', ctx.config.timeoutMs);
  }
  if (first.length === 0) return null;
  return first.length === 1 ? first[0] : first;
}

/**
 * Applies logs, statuses, node.error calls and node.send messages. Sends for outputs other than the
 * first go out at once; those for the first output are returned so they leave in order with the
 * returned messages.
 */
function applyEffects(ctx: NodeContext<FunctionConfig>, fx: SandboxEffects | null, input: Message | undefined, fromSetup: boolean): MessageInit[] {
  const first: MessageInit[] = [];
  if (!fx) return first;
  if (fx.logs) for (const [level, text] of fx.logs) ctx.log[level](text);
  if (fx.statuses) for (const s of fx.statuses) ctx.status(s);
  if (fx.errors) {
    for (const [text, m] of fx.errors) {
      if (m) ctx.error(new NodeError('FUNCTION_FAILED', text, { details: { raisedBy: 'node.error' } }), withId(m, input) as Message);
      else ctx.log.error(text);
    }
  }
  if (fx.sends) {
    for (const [port, m] of fx.sends) {
      const out = withId(m, input);
      if (fromSetup) ctx.emit(out, functionOutputPort(port));
      else if (port === 0) first.push(out);
      else ctx.send(out, functionOutputPort(port));
    }
  }
  return first;
}

/** As in Node-RED, a message the code builds from scratch keeps the id of the message it came from. */
function withId(m: SandboxMessage, input: Message | undefined): MessageInit {
  if (typeof m['_msgid'] === 'string' || !input) return m as MessageInit;
  m['_msgid'] = input._msgid;
  return m as MessageInit;
}

function failureError(f: Extract<SandboxRecord, readonly [3, ...unknown[]]>[1], what: string, timeoutMs?: number): NodeError {
  const where = f.line > 0 ? ` (${what} line ${f.line}${f.column > 0 ? `, column ${f.column}` : ''})` : '';
  const message = f.code === 'FUNCTION_RESULT_INVALID' ? `invalid result: ${f.message}` : `${f.message}${where}`;
  if (f.code === 'FUNCTION_TIMEOUT') return new NodeError(f.code, message, { details: { timeoutMs } });
  return new NodeError(f.code, message, { details: f.line > 0 ? { line: f.line, column: f.column } : undefined });
}
