import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeployResult, Runtime, RuntimeOptions } from './api.js';
import { createRuntime } from './create-runtime.js';
import { captureLogger, recordRuntime, type RuntimeRecording } from './fixtures/record-runtime.js';
import { freePort, lineCalls, lineIn, lineOut, lineStats, lineWait, startLineServer, tcpLine, type LineServer } from './fixtures/tcp-line.js';
import { collect, fixtureTypes, flowDoc, received, wire } from './fixtures/test-node-types.js';

let runtimes: Runtime[] = [];
let servers: LineServer[] = [];

beforeEach(() => {
  lineCalls.connect = 0;
  lineCalls.connected.length = 0;
  lineCalls.disconnect.length = 0;
  lineStats.clear();
});

afterEach(async () => {
  await Promise.all(runtimes.map((rt) => rt.stop({ drainTimeoutMs: 50 })));
  await Promise.all(servers.map((s) => s.stop()));
  runtimes = [];
  servers = [];
});

async function server(options: { port?: number; password?: string } = {}): Promise<LineServer> {
  const s = await startLineServer(options);
  servers.push(s);
  return s;
}

/** A runtime with the line fixtures, fast backoff without jitter (random 1: every delay is its bound), recorded. */
function start(options: Partial<RuntimeOptions> = {}): { rt: Runtime; rec: RuntimeRecording } {
  const { logger, lines } = captureLogger();
  const rt = createRuntime({
    nodeTypes: [...fixtureTypes, lineIn, lineOut, lineWait],
    connectionTypes: [tcpLine],
    env: {},
    logger,
    closeTimeoutMs: 500,
    connectionBackoff: { initialMs: 10, maxMs: 40, random: () => 1 },
    ...options,
  });
  runtimes.push(rt);
  return { rt, rec: recordRuntime(rt, lines) };
}

const conn = (port: number, extra: Record<string, unknown> = {}) => ({ id: 'plc', type: 'tcp-line', config: { port, ...extra } });

/** Three subscribers on one connection, each wired to its own collector. */
function threeSubscribers(port: number, connectionExtra: Record<string, unknown> = {}, topics = ['a', 'a', 'b']) {
  return flowDoc(
    [
      { id: 'in1', type: 'line-in', config: { server: 'plc', topic: topics[0] } },
      { id: 'in2', type: 'line-in', config: { server: 'plc', topic: topics[1] } },
      { id: 'in3', type: 'line-in', config: { server: 'plc', topic: topics[2] } },
      { id: 'out1', type: 'collect' },
      { id: 'out2', type: 'collect' },
      { id: 'out3', type: 'collect' },
    ],
    [wire('in1', 'out1'), wire('in2', 'out2'), wire('in3', 'out3')],
    { connections: [conn(port, connectionExtra)] },
  );
}

async function deployOk(rt: Runtime, doc: unknown): Promise<Extract<DeployResult, { ok: true }>> {
  const r = await rt.deploy(doc);
  if (!r.ok) throw new Error(JSON.stringify(r.issues, null, 2));
  return r;
}

const openSockets = (s: LineServer) => s.sockets.filter((x) => !x.closed);
const statesOf = (rec: RuntimeRecording, id = 'plc') => rec.connection.filter((e) => e.id === id).map((e) => e.state);

describe('connection supervision over real TCP', () => {
  it('opens one client for three nodes, shows its state on every node, and delivers to each subscriber', async () => {
    const s = await server();
    const { rt, rec } = start();
    s.onChange(rec.poke);
    await deployOk(rt, threeSubscribers(s.port));
    await rec.waitFor(() => s.sockets[0]?.subs.length === 3, 'three subscriptions');

    expect(s.sockets).toHaveLength(1);
    expect(lineCalls.connect).toBe(1);
    expect(s.sockets[0]!.subs.sort()).toEqual(['a', 'a', 'b']);
    expect(statesOf(rec)).toEqual(['connecting', 'connected']);
    expect(rec.connection[1]).toMatchObject({ id: 'plc', type: 'tcp-line', state: 'connected', attempt: 1 });
    for (const id of ['in1', 'in2', 'in3']) {
      expect(rec.status.filter((e) => e.nodeId === id).map((e) => e.status)).toEqual([
        { fill: 'yellow', shape: 'ring', text: 'connecting' },
        { fill: 'green', shape: 'dot', text: 'connected' },
      ]);
    }
    expect(rt.connections()).toEqual([{ id: 'plc', type: 'tcp-line', state: 'connected', attempt: 1 }]);

    expect(s.publish('a', 'hello')).toBe(1); // one socket carries both subscriptions to "a"
    await rec.waitFor(() => received.get('out1')!.length === 1 && received.get('out2')!.length === 1, 'both "a" subscribers');
    expect(received.get('out1')![0]).toMatchObject({ topic: 'a', payload: 'hello' });
    expect(received.get('out3')).toEqual([]);
  });

  it('backs off while the server is down (growing, capped), shows why on the nodes, then connects when it comes up', async () => {
    const port = await freePort();
    const { rt, rec } = start();
    await deployOk(rt, threeSubscribers(port));
    await rec.waitFor(() => rec.connection.filter((e) => e.state === 'waiting').length >= 5, 'five failed attempts');

    const waits = rec.connection.filter((e) => e.state === 'waiting').slice(0, 5);
    expect(waits.map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(waits.map((e) => e.nextRetryMs)).toEqual([10, 20, 40, 40, 40]);
    expect(waits[0]!.reason).toMatch(/ECONNREFUSED/);
    // Every attempt is announced; nothing ever reached a node as an error.
    expect(statesOf(rec).slice(0, 4)).toEqual(['connecting', 'waiting', 'connecting', 'waiting']);
    expect(rec.errors).toEqual([]);
    const badges = rec.status.filter((e) => e.nodeId === 'in1').map((e) => e.status);
    expect(badges).toContainEqual({ fill: 'yellow', shape: 'ring', text: 'connecting' });
    expect(badges).toContainEqual({ fill: 'red', shape: 'ring', text: expect.stringMatching(/ECONNREFUSED/) });
    expect(rec.logs.some((l) => l['code'] === 'CONNECTION_FAILED' && l['connectionId'] === 'plc')).toBe(true);

    const s = await server({ port });
    s.onChange(rec.poke);
    await rec.waitFor(() => s.sockets[0]?.subs.length === 3, 'subscriptions once the server is up');
    expect(rec.connection.at(-1)).toMatchObject({ state: 'connected' });
    expect(rec.status.filter((e) => e.nodeId === 'in3').at(-1)!.status).toEqual({ fill: 'green', shape: 'dot', text: 'connected' });
    expect([...lineStats.values()].map((x) => x.connected)).toEqual([1, 1, 1]);
  });

  it('reconnects after a server restart; onConnected runs exactly once per reconnect, so nodes resubscribe', async () => {
    const s = await server();
    const { rt, rec } = start();
    s.onChange(rec.poke);
    await deployOk(rt, threeSubscribers(s.port));
    await rec.waitFor(() => s.sockets[0]?.subs.length === 3, 'first subscriptions');
    const firstPort = s.sockets[0]!.remotePort;

    await s.stop();
    await rec.waitFor(() => rec.connection.some((e) => e.state === 'waiting'), 'the loss');
    expect(rec.connection.find((e) => e.state === 'waiting')).toMatchObject({ reason: expect.stringMatching(/connection lost: the server closed the connection/), attempt: 0, nextRetryMs: 10 });
    await s.start();
    await rec.waitFor(() => s.sockets[1]?.subs.length === 3, 'resubscriptions on the new socket');

    expect(s.sockets[1]!.remotePort).not.toBe(firstPort);
    expect(s.sockets[1]!.subs.sort()).toEqual(['a', 'a', 'b']);
    // The dead client was handed to disconnect once; the new one is open.
    expect(lineCalls.disconnect).toEqual([firstPort]);
    s.publish('b', 'after');
    await rec.waitFor(() => received.get('out3')!.length === 1, 'a message after the reconnect');
    for (const id of ['in1', 'in2', 'in3']) {
      expect(lineStats.get(id)).toEqual({ connected: 2, disconnected: [expect.stringMatching(/connection lost/)] });
    }
    expect(rec.errors).toEqual([]);
  });

  it('keeps the client of an unchanged entry across a deploy, restarting only the node that changed', async () => {
    const s = await server();
    const { rt, rec } = start();
    s.onChange(rec.poke);
    await deployOk(rt, threeSubscribers(s.port));
    await rec.waitFor(() => s.sockets[0]?.subs.length === 3, 'first subscriptions');
    const eventsBefore = rec.connection.length;

    const renamed = threeSubscribers(s.port, {}, ['a', 'a', 'c']) as { connections: Array<Record<string, unknown>> };
    renamed.connections[0]!['name'] = 'Line PLC'; // a label only: no change
    const result = await deployOk(rt, renamed);
    expect(result).toMatchObject({ restarted: ['in3'], unchanged: ['in1', 'in2', 'out1', 'out2', 'out3'] });
    await rec.waitFor(() => s.sockets[0]!.subs.length === 4, 'the restarted node subscribing');

    expect(s.sockets).toHaveLength(1); // same socket: same local port, no reconnect
    expect(s.sockets[0]!.subs.at(-1)).toBe('c');
    expect(lineCalls.connect).toBe(1);
    expect(rec.connection.length).toBe(eventsBefore);
    expect(lineStats.get('in1')!.connected).toBe(1);
    expect(lineStats.get('in3')!.connected).toBe(1); // the new instance, called once with the open client
  });

  it('reconnects a changed entry and restarts every node that uses it', async () => {
    const s = await server();
    const { rt, rec } = start();
    s.onChange(rec.poke);
    await deployOk(rt, threeSubscribers(s.port));
    await rec.waitFor(() => s.sockets[0]?.subs.length === 3, 'first subscriptions');

    const result = await deployOk(rt, threeSubscribers(s.port, { label: 'v2' }));
    expect(result.restarted).toEqual(['in1', 'in2', 'in3']);
    expect(result.unchanged).toEqual(['out1', 'out2', 'out3']);
    await rec.waitFor(() => s.sockets[1]?.subs.length === 3, 'subscriptions on the new client');

    expect(s.sockets[0]!.closed).toBe(true); // the old client was closed before the new one opened
    expect(lineCalls.disconnect).toEqual([s.sockets[0]!.remotePort]);
    expect(statesOf(rec)).toEqual(['connecting', 'connected', 'idle', 'connecting', 'connected']);
  });

  it('closes a connection when no running node uses it any more, and at stop', async () => {
    const s = await server();
    const { rt, rec } = start();
    s.onChange(rec.poke);
    await deployOk(rt, threeSubscribers(s.port));
    await rec.waitFor(() => s.sockets[0]?.subs.length === 3, 'subscriptions');

    await deployOk(rt, flowDoc([{ id: 'out1', type: 'collect' }], [], { connections: [conn(s.port)] }));
    await rec.waitFor(() => s.sockets[0]!.closed, 'the server to see the close');
    expect(statesOf(rec).at(-1)).toBe('idle');
    expect(lineCalls.disconnect).toHaveLength(1);

    await deployOk(rt, threeSubscribers(s.port));
    await rec.waitFor(() => s.sockets[1]?.subs.length === 3, 'a reopened client');
    await rt.stop();
    expect(lineCalls.disconnect).toHaveLength(2);
    expect(statesOf(rec).at(-1)).toBe('idle');
    await rec.waitFor(() => s.sockets[1]!.closed, 'the close at stop');
  });

  it('lets a sink fail with NOT_CONNECTED while down, and a node await its connection in setup', async () => {
    const port = await freePort();
    const { rt, rec } = start();
    const doc = flowDoc(
      [
        { id: 'pub', type: 'line-out', config: { server: 'plc', topic: 't' } },
        { id: 'wait', type: 'line-wait', config: { server: 'plc' } },
      ],
      [],
      { connections: [conn(port)] },
    );
    const deploying = rt.deploy(doc); // line-wait's setup holds the deploy until connected
    await rec.waitFor(() => rec.connection.some((e) => e.state === 'waiting'), 'a failed attempt');
    const s = await server({ port });
    s.onChange(rec.poke);
    expect((await deploying).ok).toBe(true);
    rt.inject('pub', { payload: 42 });
    await rec.waitFor(() => s.published.length === 1, 'the publish');
    expect(s.published).toEqual(['t 42']);

    await s.stop();
    await rec.waitFor(() => rt.connections()[0]!.state !== 'connected', 'the loss');
    rt.inject('pub', { payload: 43 });
    await rec.waitFor(() => rec.errors.length === 1, 'the sink error');
    expect(rec.errors[0]).toMatchObject({ nodeId: 'pub', code: 'NOT_CONNECTED', message: expect.stringMatching(/connection "plc" \(tcp-line\) is not connected: connection lost/) });
  });

  it('refuses a deploy whose nodes name a missing connection or one of the wrong type, or that holds a secret', async () => {
    const { rt } = start({ nodeTypes: [...fixtureTypes, lineIn] });
    const result = await rt.deploy(
      flowDoc(
        [
          { id: 'in1', type: 'line-in', config: { server: 'nope', topic: 'a' } },
          { id: 'in2', type: 'line-in', config: { server: 'legacy', topic: 'a' } },
        ],
        [],
        { connections: [{ id: 'plc', type: 'tcp-line', config: { port: 1, password: 'hunter22' } }, { id: 'legacy', type: 'test-broker', config: { url: 'x' } }] },
      ),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.code, i.path, i.nodeId])).toEqual([
      ['CONNECTION_UNKNOWN', '$.nodes[0].config.server', 'in1'],
      ['CONNECTION_TYPE_MISMATCH', '$.nodes[1].config.server', 'in2'],
      ['SECRET_IN_DOCUMENT', '$.connections[0].config.password', 'plc'],
    ]);
    expect(JSON.stringify(result.issues)).not.toContain('hunter22');
  });
});

describe('connection tests (the editor button)', () => {
  it('tests a running entry without disturbing its client, an undeployed entry, and reports failures', async () => {
    const s = await server();
    const { rt, rec } = start();
    s.onChange(rec.poke);
    await deployOk(rt, threeSubscribers(s.port));
    await rec.waitFor(() => s.sockets[0]?.subs.length === 3, 'subscriptions');

    const running = await rt.testConnection('plc');
    expect(running).toMatchObject({ ok: true, message: expect.stringMatching(/^connected in \d+ ms$/) });
    expect(running.durationMs).toBeGreaterThanOrEqual(0);
    expect(s.sockets[0]!.closed).toBe(false);
    await rec.waitFor(() => s.sockets[1]?.closed === true, 'the test client to close');

    const other = await server();
    expect(await rt.testConnection({ id: 'new-plc', type: 'tcp-line', config: { port: other.port } })).toMatchObject({ ok: true });
    const closedPort = await freePort();
    expect(await rt.testConnection({ id: 'new-plc', type: 'tcp-line', config: { port: closedPort } })).toMatchObject({ ok: false, message: expect.stringMatching(/ECONNREFUSED/) });
    expect(await rt.testConnection({ id: 'x', type: 'tcp-line', config: { port: 'not a port' } })).toMatchObject({ ok: false, message: expect.stringMatching(/^\$\.config\.port: /) });
    expect(await rt.testConnection({ id: 'x', type: 'no-such', config: {} })).toMatchObject({ ok: false, message: expect.stringMatching(/unknown connection type "no-such"/) });
    expect(await rt.testConnection('ghost')).toMatchObject({ ok: false, message: expect.stringMatching(/no connection "ghost" in the running document/) });
    expect(statesOf(rec)).toEqual(['connecting', 'connected']); // tests are not supervised connections
  });

  it('bounds a test by its timeout, and tests with credentials given for the test only', async () => {
    const s = await server({ password: 'right-horse' });
    const { rt } = start();
    // A server that accepts but never says HELLO: the handshake hangs.
    const silent = await import('node:net').then(({ createServer }) => createServer(() => undefined));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const slow = await rt.testConnection({ id: 'slow', type: 'tcp-line', config: { port } }, { timeoutMs: 50 });
      expect(slow).toMatchObject({ ok: false, message: 'connect did not finish within 50 ms' });
    } finally {
      silent.close();
    }
    expect(await rt.testConnection({ id: 'p', type: 'tcp-line', config: { port: s.port } })).toMatchObject({ ok: false, message: 'the server requires a password' });
    expect(await rt.testConnection({ id: 'p', type: 'tcp-line', config: { port: s.port } }, { credentials: { password: 'right-horse' } })).toMatchObject({ ok: true });
    const wrong = await rt.testConnection({ id: 'p', type: 'tcp-line', config: { port: s.port } }, { credentials: { password: 'wrong-horse' } });
    expect(wrong).toEqual({ ok: false, message: 'authentication failed for password ***: bad password', durationMs: expect.any(Number) });
    expect(await rt.credentials.has('p')).toEqual([]); // test credentials are never stored
  });
});
