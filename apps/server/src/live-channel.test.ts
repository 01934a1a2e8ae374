import { afterEach, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, DebugMessageEvent, DebugSkippedEvent, MetricsSampledEvent, ServerToClientEvents } from '@plantwire/protocol';
import { api, startTestServer, type TestServer } from './test-support/start-test-server.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const servers: TestServer[] = [];
const sockets: Client[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

async function open(server: TestServer): Promise<Client> {
  const socket: Client = connect(server.url, { transports: ['websocket'], reconnection: false });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.on('connect', resolve);
    socket.on('connect_error', reject);
  });
  return socket;
}

describe('live channel', () => {
  it('caps a debug flood per client: a bounded stream with "skipped" markers that account for every message, and bounded server memory', async () => {
    const server = await startTestServer({ debugRatePerClient: 100 });
    servers.push(server);
    const socket = await open(server);
    const received: DebugMessageEvent[] = [];
    const skipped: DebugSkippedEvent[] = [];
    socket.on('debug:message', (e) => received.push(e));
    socket.on('debug:skipped', (e) => skipped.push(e));

    let emitted = 0;
    server.runtime.on('debug', () => emitted++);
    const heapBefore = process.memoryUsage().heapUsed;
    // About 10,000 msg/s for 2 s into the debug node, bounded in count and time.
    const TARGET = 20_000;
    const startedAt = performance.now();
    let accepted = 0;
    while (accepted < TARGET && performance.now() - startedAt < 10_000) {
      for (let i = 0; i < 100 && accepted < TARGET; i++) if (server.runtime.inject('print', { payload: { n: accepted, text: 'x'.repeat(2000) } })) accepted++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Every accepted message reached the debug node and was either forwarded or counted as skipped.
    const account = () => received.length + skipped.reduce((sum, s) => sum + s.count, 0);
    await new Promise<void>((resolve) => {
      const check = () => (emitted >= accepted && account() >= emitted ? resolve() : setTimeout(check, 50));
      check();
    });
    const seconds = (performance.now() - startedAt) / 1000;
    expect(emitted).toBe(accepted);
    expect(account()).toBe(emitted);
    expect(received.length).toBeLessThanOrEqual(100 + Math.ceil(seconds + 1) * 100);
    expect(received.length).toBeGreaterThan(50);
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped[0]).toMatchObject({ nodeId: 'print', count: expect.any(Number), from: expect.any(Number), to: expect.any(Number) });
    // Long values are cut and marked.
    expect(received[0]!.truncated).toBe(true);
    expect(JSON.stringify(received[0]!.value).length).toBeLessThan(1200);
    const growthMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    expect(growthMb).toBeLessThan(40);
  }, 30_000);

  it('samples metrics with node rates and per-port counts, and tells every client about a deploy', async () => {
    const server = await startTestServer();
    servers.push(server);
    const socket = await open(server);
    const sample = new Promise<MetricsSampledEvent>((resolve) => socket.on('metrics:sampled', (e) => e.ports['tick:out'] && resolve(e)));
    await api(server.url, '/api/nodes/tick/inject', { method: 'POST' });
    const event = await sample;
    expect(event.nodes['print']).toMatchObject({ in: 1, queueCapacity: expect.any(Number) });
    expect(event.ports['tick:out']).toMatchObject({ total: 1 });

    const deployed = new Promise((resolve) => socket.on('flows:deployed', resolve));
    const { body } = await api(server.url, '/api/flows');
    const put = await api(server.url, '/api/flows', { method: 'PUT', body: { document: { ...body.document, name: 'renamed' }, revision: body.revision } });
    expect(await deployed).toMatchObject({ revision: put.body.revision });
  }, 15_000);

  it('trends a watched port: numeric points, the points held on re-watch, and a malformed spec refused', async () => {
    const server = await startTestServer();
    servers.push(server);
    const socket = await open(server);
    const watched = await socket.emitWithAck('trend:watch', { nodeId: 'tick', port: 'out', path: 'payload' });
    expect(watched.ok).toBe(true);
    if (!watched.ok) return;
    const points = new Promise<unknown[]>((resolve) => socket.on('trend:sampled', (e) => e.trendId === watched.value.trendId && resolve([...e.points])));
    await api(server.url, '/api/nodes/tick/inject', { method: 'POST' });
    expect(await points).toEqual([expect.objectContaining({ v: 7 })]);
    const again = await socket.emitWithAck('trend:watch', { nodeId: 'tick', port: 'out', path: 'payload' });
    expect(again.ok && again.value.points.map((p) => p.v)).toEqual([7]);
    const bad = await socket.emitWithAck('trend:watch', { nodeId: 5 } as never);
    expect(bad).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
  }, 15_000);
});
