import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionRef, defineConnection, defineNode, type ConnectionContext, type ConnectionHandle } from '@plantwire/node-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { DeployResult, Runtime, RuntimeOptions } from './api.js';
import { createRuntime } from './create-runtime.js';
import { captureLogger, recordRuntime, type RuntimeRecording } from './fixtures/record-runtime.js';
import { fixtureTypes, flowDoc } from './fixtures/test-node-types.js';

/** What the next `connect` does. `hang` never settles by itself: the test may settle it through `pendingConnects`. */
type Step = 'ok' | 'throw' | 'sync-throw' | 'hang' | 'null' | 'lost-during';

interface ScriptedClient {
  readonly n: number;
  readonly ctx: ConnectionContext;
}

const script: Step[] = [];
let disconnectMode: 'ok' | 'hang' = 'ok';
let clients = 0;
const connected: ScriptedClient[] = [];
const disconnected: ScriptedClient[] = [];
const pendingConnects: Array<{ resolve(c: ScriptedClient): void; signal: AbortSignal }> = [];
const dataDirs: Array<string | undefined> = [];

const scripted = defineConnection({
  type: 'scripted',
  version: 1,
  summary: 'Connects as the test says.',
  config: z.object({ label: z.string().default('') }),
  connect(ctx) {
    dataDirs.push(ctx.dataDir);
    const step = script.shift() ?? 'ok';
    if (step === 'sync-throw') throw new Error('sync boom');
    const client: ScriptedClient = { n: ++clients, ctx };
    if (step === 'throw') return Promise.reject(new Error('async boom'));
    if (step === 'null') return Promise.resolve(null as unknown as ScriptedClient);
    if (step === 'hang') return new Promise<ScriptedClient>((resolve) => pendingConnects.push({ resolve, signal: ctx.signal }));
    if (step === 'lost-during') ctx.lost(new Error('dropped during the handshake'));
    connected.push(client);
    return Promise.resolve(client);
  },
  disconnect(client) {
    disconnected.push(client);
    return disconnectMode === 'hang' ? new Promise(() => undefined) : Promise.resolve();
  },
});

/** Per node id: what its handle saw. */
const seen = new Map<string, { handle: ConnectionHandle<ScriptedClient>; connected: number[]; disconnected: string[]; waited?: Promise<unknown> }>();
/** Badges and `onStateChange` calls, in the order they happened (the test adds the badges). */
const order: string[] = [];

const user = defineNode({
  type: 'uses-scripted',
  version: 1,
  category: 'sink',
  summary: 'Uses one or two scripted connections.',
  inputs: { in: 'x' },
  config: z.object({
    conn: connectionRef(scripted),
    other: connectionRef(scripted).optional(),
    throwOnConnect: z.boolean().default(false),
    waitInBackground: z.boolean().default(false),
  }),
  setup(ctx) {
    const handle = ctx.connection<ScriptedClient>(ctx.config.conn);
    const record = { handle, connected: [] as number[], disconnected: [] as string[] } as NonNullable<ReturnType<typeof seen.get>>;
    seen.set(ctx.id, record);
    if (ctx.config.other) ctx.connection(ctx.config.other);
    handle.onConnected((client) => {
      record.connected.push(client.n);
      if (ctx.config.throwOnConnect) throw new Error('listener broke');
    });
    handle.onDisconnected((reason) => void record.disconnected.push(reason));
    handle.onStateChange((state) => void order.push(`state ${state}`));
    if (ctx.config.waitInBackground) record.waited = handle.whenConnected().catch((err: unknown) => err);
  },
});

const asksElsewhere = defineNode({
  type: 'asks-elsewhere',
  version: 1,
  category: 'sink',
  summary: 'Asks for a connection its config does not name.',
  inputs: { in: 'x' },
  config: z.object({ conn: connectionRef(scripted) }),
  setup(ctx) {
    ctx.connection('elsewhere');
  },
});

const legacyUser = defineNode({
  type: 'uses-legacy',
  version: 1,
  category: 'sink',
  summary: 'References a node-type-declared connection.',
  inputs: { in: 'x' },
  config: z.object({ conn: connectionRef('test-broker') }),
});

let runtime: Runtime | undefined;
beforeEach(() => {
  script.length = 0;
  disconnectMode = 'ok';
  clients = 0;
  connected.length = 0;
  disconnected.length = 0;
  pendingConnects.length = 0;
  dataDirs.length = 0;
  seen.clear();
  order.length = 0;
});
afterEach(async () => {
  disconnectMode = 'ok';
  await runtime?.stop({ drainTimeoutMs: 50 });
  runtime = undefined;
});

function start(options: Partial<RuntimeOptions> = {}): { rt: Runtime; rec: RuntimeRecording } {
  const { logger, lines } = captureLogger();
  runtime = createRuntime({
    nodeTypes: [...fixtureTypes, user, asksElsewhere, legacyUser],
    connectionTypes: [scripted],
    env: {},
    logger,
    closeTimeoutMs: 100,
    connectTimeoutMs: 1000,
    connectionBackoff: { initialMs: 1, maxMs: 4, random: () => 1 },
    ...options,
  });
  return { rt: runtime, rec: recordRuntime(runtime, lines) };
}

const entry = (id = 'c1', label = '') => ({ id, type: 'scripted', config: { label } });
const docWith = (nodes: Array<Record<string, unknown>>, connections = [entry()]) => flowDoc(nodes, [], { connections });

async function deployOk(rt: Runtime, d: unknown): Promise<Extract<DeployResult, { ok: true }>> {
  const r = await rt.deploy(d);
  if (!r.ok) throw new Error(JSON.stringify(r.issues, null, 2));
  return r;
}

describe('connection supervisor', () => {
  it('treats a connect that throws, rejects, hangs past its timeout or resolves nothing as a failed attempt, and closes a late client', async () => {
    script.push('sync-throw', 'throw', 'hang', 'null', 'ok');
    const { rt, rec } = start({ connectTimeoutMs: 30 });
    await deployOk(rt, docWith([{ id: 'n', type: 'uses-scripted', config: { conn: 'c1' } }]));
    await rec.waitFor(() => rec.connection.some((e) => e.state === 'connected'), 'connected');

    expect(rec.connection.filter((e) => e.state === 'waiting').map((e) => [e.attempt, e.reason, e.nextRetryMs])).toEqual([
      [1, 'sync boom', 1],
      [2, 'async boom', 2],
      [3, 'connect did not finish within 30 ms', 4],
      [4, 'connect resolved without a client', 4],
    ]);
    expect(rec.connection.at(-1)).toMatchObject({ state: 'connected', attempt: 5 });
    expect(pendingConnects[0]!.signal.aborted).toBe(true); // the timed-out attempt was told to give up
    expect(rec.errors).toEqual([]);

    // The hung attempt finally produces a client: nobody wants it, so it is disconnected at once.
    const late: ScriptedClient = { n: 99, ctx: connected[0]!.ctx };
    pendingConnects[0]!.resolve(late);
    await new Promise((resolve) => setImmediate(resolve)); // the release runs on promise callbacks: one turn is enough
    expect(disconnected).toContain(late);
    expect(rt.connections()[0]).toMatchObject({ state: 'connected' });
  });

  it('fails an attempt that reports a loss while connecting, counts one loss once, and ignores an old client', async () => {
    script.push('lost-during', 'ok', 'ok');
    const { rt, rec } = start();
    await deployOk(rt, docWith([{ id: 'n', type: 'uses-scripted', config: { conn: 'c1' } }]));
    await rec.waitFor(() => rec.connection.some((e) => e.state === 'connected'), 'connected');
    expect(rec.connection.find((e) => e.state === 'waiting')!.reason).toBe('dropped during the handshake');
    expect(disconnected.map((c) => c.n)).toEqual([1]); // the client of the failed attempt was released

    const second = connected[1]!;
    second.ctx.lost(new Error('cable pulled'));
    second.ctx.lost(new Error('cable pulled again'));
    await rec.waitFor(() => rec.connection.filter((e) => e.state === 'connected').length === 2, 'reconnected');
    expect(rec.connection.filter((e) => e.state === 'waiting').map((e) => e.reason)).toEqual(['dropped during the handshake', 'connection lost: cable pulled']);
    second.ctx.lost(new Error('a late report from the old client'));
    expect(rt.connections()[0]).toMatchObject({ state: 'connected', attempt: 1 });
    expect(disconnected.map((c) => c.n)).toEqual([1, 2]);
    expect(seen.get('n')).toMatchObject({ connected: [2, 3], disconnected: ['connection lost: cable pulled'] });
    expect(second.ctx.signal.aborted).toBe(true);
  });

  it('tells onStateChange listeners of every state change, retries included, after the badge shows it', async () => {
    const { rt, rec } = start();
    rt.on('status', (e) => void (e.nodeId === 'n' && order.push(`badge ${e.status?.text}`)));
    await deployOk(rt, docWith([{ id: 'n', type: 'uses-scripted', config: { conn: 'c1' } }]));
    await rec.waitFor(() => rec.connection.some((e) => e.state === 'connected'), 'connected');
    order.length = 0;
    script.push('throw', 'ok');
    connected[0]!.ctx.lost(new Error('cable pulled'));
    await rec.waitFor(() => rec.connection.filter((e) => e.state === 'connected').length === 2, 'reconnected');
    expect(order).toEqual([
      'badge connection lost: cable pulled',
      'state waiting',
      'badge connecting',
      'state connecting',
      'badge async boom',
      'state waiting',
      'badge connecting',
      'state connecting',
      'badge connected',
      'state connected',
    ]);
  });

  it('makes a throwing onConnected listener an error of the node, not of the connection', async () => {
    const { rt, rec } = start();
    await deployOk(rt, docWith([{ id: 'n', type: 'uses-scripted', config: { conn: 'c1', throwOnConnect: true } }]));
    await rec.waitFor(() => rec.errors.length === 1, 'the node error');
    expect(rec.errors[0]).toMatchObject({ nodeId: 'n', code: 'NODE_FAILED', message: expect.stringMatching(/onConnected listener of connection "c1".*listener broke/) });
    expect(rt.connections()[0]).toMatchObject({ state: 'connected' });
  });

  it('refuses ctx.connection for an id the config does not reference', async () => {
    const { rt } = start();
    const result = await deployOk(rt, docWith([{ id: 'n', type: 'asks-elsewhere', config: { conn: 'c1' } }]));
    expect(result.warnings).toEqual([
      expect.objectContaining({
        code: 'SETUP_FAILED',
        nodeId: 'n',
        message: expect.stringMatching(/asked for connection "elsewhere", which its config does not reference \(it references: c1\)/),
      }),
    ]);
  });

  it('rejects whenConnected with NOT_CONNECTED when the node closes first, and retires its handle', async () => {
    script.push('hang');
    const { rt, rec } = start({ connectTimeoutMs: 60_000 });
    await deployOk(rt, docWith([{ id: 'n', type: 'uses-scripted', config: { conn: 'c1', waitInBackground: true } }]));
    await rec.waitFor(() => pendingConnects.length === 1, 'the hanging connect');
    const record = seen.get('n')!;
    await deployOk(rt, docWith([]));
    expect(await record.waited).toMatchObject({ code: 'NOT_CONNECTED', message: 'connection "c1" (scripted) is not connected: the node closed' });
    expect(record.handle.state).toBe('idle');
    expect(() => record.handle.requireClient()).toThrow(/connection "c1" \(scripted\) is not connected/);
    expect(pendingConnects[0]!.signal.aborted).toBe(true); // no user left: the attempt was abandoned
    expect(rt.connections()[0]).toMatchObject({ state: 'idle' });
  });

  it('shows the worst of two connections on a node, prefixed with its id', async () => {
    script.push('ok', 'throw');
    const { rt, rec } = start({ connectionBackoff: { initialMs: 10_000, maxMs: 10_000, random: () => 1 } });
    await deployOk(rt, docWith([{ id: 'n', type: 'uses-scripted', config: { conn: 'c1', other: 'c2' } }], [entry('c1'), entry('c2')]));
    await rec.waitFor(() => rec.connection.some((e) => e.id === 'c2' && e.state === 'waiting') && rec.connection.some((e) => e.id === 'c1' && e.state === 'connected'), 'both settled');
    expect(rec.status.at(-1)).toEqual({ nodeId: 'n', status: { fill: 'red', shape: 'ring', text: 'c2: async boom' } });
  });

  it('marks a connection of a node-type-declared (legacy) type failed instead of connecting it', async () => {
    const { rt, rec } = start();
    await deployOk(rt, docWith([{ id: 'n', type: 'uses-legacy', config: { conn: 'b' } }], [{ id: 'b', type: 'test-broker', config: { url: 'x' } } as never]));
    await rec.waitFor(() => rec.connection.some((e) => e.state === 'failed'), 'failed');
    expect(rec.connection.at(-1)!.reason).toMatch(/declared as a node type of category "connection", not with defineConnection/);
  });

  it('bounds a disconnect that hangs by closeTimeoutMs and logs it', async () => {
    const { rt, rec } = start();
    await deployOk(rt, docWith([{ id: 'n', type: 'uses-scripted', config: { conn: 'c1' } }]));
    await rec.waitFor(() => rec.connection.some((e) => e.state === 'connected'), 'connected');
    disconnectMode = 'hang';
    const report = await rt.stop();
    expect(report.durationMs).toBeLessThan(1000);
    expect(rec.logs.find((l) => l['code'] === 'TIMEOUT')).toMatchObject({ level: 'warn', message: 'connection "c1" (scripted): disconnect failed: disconnect did not finish within 100 ms' });
  });

  it('gives each connection a directory of its own under the data directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plantwire-conn-'));
    try {
      const { rt, rec } = start({ dataDir: dir });
      await deployOk(rt, docWith([{ id: 'n', type: 'uses-scripted', config: { conn: 'c1' } }]));
      await rec.waitFor(() => rec.connection.some((e) => e.state === 'connected'), 'connected');
      expect(dataDirs).toEqual([join(dir, 'connections', 'c1')]);
      expect((await stat(dataDirs[0]!)).isDirectory()).toBe(true);
      await rt.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
