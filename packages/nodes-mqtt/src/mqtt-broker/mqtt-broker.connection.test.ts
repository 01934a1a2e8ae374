import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '@plantwire/runtime';
import { startPlant, type Plant } from '@plantwire/sim';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mqttConnections } from '../index.js';
import { mqttBroker } from './mqtt-broker.connection.js';
import { collect, flowDoc, latestClient, nodeTypes, outsideClient, run, whenAllConnected, whenSubscribed } from '../test-support/harness.js';
import { freePort, startMosquitto, type Mosquitto } from '../test-support/mosquitto.js';

let plant: Plant;
let secured: Mosquitto;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  [plant, secured] = await Promise.all([startPlant({ ports: { mqtt: 0 }, servers: ['mqtt'] }), startMosquitto({ users: { plant: 'right-password' } })]);
});
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
afterAll(async () => {
  await Promise.all([plant.stop(), secured.stop()]);
});

const entry = (config: Record<string, unknown>) => ({ id: 'b', type: 'mqtt-broker', config });

describe('mqtt-broker: test connection', () => {
  const runtime = createRuntime({ nodeTypes: nodeTypes(), connectionTypes: mqttConnections, env: {} });
  afterAll(() => runtime.stop());

  it('connects and disconnects (MQTT 3.1.1 to the simulated broker)', async () => {
    const report = await runtime.testConnection(entry({ url: plant.endpoints.mqtt }));
    expect(report).toMatchObject({ ok: true, message: expect.stringMatching(/^connected to mqtt:\/\/127\.0\.0\.1:\d+ \(MQTT 3\.1\.1\)/) });
  });

  it('says why it cannot connect: nothing listening, protocol version refused, bad credentials', async () => {
    const port = await freePort();
    expect(await runtime.testConnection(entry({ url: `mqtt://127.0.0.1:${port}` }))).toMatchObject({ ok: false, message: expect.stringMatching(/ECONNREFUSED/) });
    expect(await runtime.testConnection(entry({ url: plant.endpoints.mqtt, protocolVersion: 5 }))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/Unacceptable protocol version/i),
    });
    const bad = await runtime.testConnection(entry({ url: secured.url, username: 'plant' }), { credentials: { password: 'wrong' } });
    expect(bad).toMatchObject({ ok: false, message: expect.stringMatching(/Not authorized \(reason code 5\)/) });
    expect(bad.message).not.toContain('wrong');
    expect(await runtime.testConnection(entry({ url: secured.url, username: 'plant', protocolVersion: 5 }), { credentials: { password: 'right-password' } })).toMatchObject({ ok: true });
  });

  it('refuses a bad URL or an MQTT 5 option on a 3.1.1 entry at validation', async () => {
    expect(await runtime.testConnection(entry({ url: 'http://x' }))).toMatchObject({ ok: false, message: expect.stringMatching(/mqtt:\/\/broker:1883/) });
    expect(await runtime.testConnection(entry({ url: plant.endpoints.mqtt, sessionExpiryInterval: 60 }))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/sessionExpiryInterval is an MQTT 5 feature/),
    });
  });

  it('refuses certificates on a plain mqtt:// or ws:// entry, naming the field', () => {
    const pemText = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    const plain = mqttBroker.config.safeParse({ url: 'mqtt://broker:1883', ca: pemText, cert: pemText });
    expect(plain.success).toBe(false);
    expect(plain.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['ca', 'ca is for TLS connections, but the URL is mqtt://; use mqtts:// or remove ca'],
      ['cert', 'cert is for TLS connections, but the URL is mqtt://; use mqtts:// or remove cert'],
    ]);
    expect(mqttBroker.config.safeParse({ url: 'ws://broker/mqtt', cert: pemText }).error?.issues[0]?.message).toMatch(/use wss:\/\//);
    expect(mqttBroker.config.safeParse({ url: 'mqtts://broker:8883', ca: pemText, cert: pemText }).success).toBe(true);
    expect(mqttBroker.config.safeParse({ url: 'wss://broker/mqtt', ca: pemText }).success).toBe(true);
  });
});

describe('mqtt-broker: supervised by the runtime', () => {
  it('bad credentials: the badge and the connection events say "Not authorized" and retries back off; right credentials connect', async () => {
    const doc = flowDoc(
      [{ id: 'secured', config: { url: secured.url, username: 'plant', protocolVersion: 5 } }],
      [{ id: 'in', type: 'mqtt-in', config: { broker: 'secured', topic: 'auth/x' } }],
    );
    const flow = await run(doc, { credentials: { secured: { password: 'wrong' } } });
    cleanups.push(() => flow.stop());
    await flow.waitFor(() => flow.connectionEvents.filter((e) => e.state === 'waiting').length >= 3, { timeoutMs: 5000 });
    const waits = flow.connectionEvents.filter((e) => e.state === 'waiting');
    for (const w of waits) expect(w.reason).toMatch(/Not authorized \(reason code 135\)/);
    expect(waits.map((w) => w.attempt)).toEqual([1, 2, 3, ...waits.slice(3).map((w) => w.attempt)]);
    expect(waits.every((w) => typeof w.nextRetryMs === 'number')).toBe(true);
    const badge = flow.statuses.filter((s) => s.nodeId === 'in').at(-1)?.status;
    expect(badge).toMatchObject({ fill: 'red', shape: 'ring', text: expect.stringMatching(/Not authorized/) });
    expect(JSON.stringify(flow.connectionEvents)).not.toContain('wrong');

    await flow.runtime.credentials.set('secured', { password: 'right-password' });
    await whenAllConnected(flow);
    expect(flow.statuses.filter((s) => s.nodeId === 'in').at(-1)?.status).toMatchObject({ fill: 'green' });
  });

  it('publishes the birth message on every connect, the broker publishes the will when the link dies, and the client id is stable', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'plantwire-mqtt-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const watcher = await outsideClient(plant.endpoints.mqtt);
    cleanups.push(() => watcher.endAsync(true));
    const got = await collect(watcher, 'edge/#');
    const doc = flowDoc(
      [
        {
          id: 'edge',
          config: {
            url: plant.endpoints.mqtt,
            birth: { topic: 'edge/status', payload: 'online' },
            will: { topic: 'edge/status', payload: 'offline', qos: 1 },
          },
        },
      ],
      [{ id: 'probe', type: 'broker-probe', config: { broker: 'edge' } }],
    );
    const flow = await run(doc, { dataDir });
    cleanups.push(() => flow.stop());
    await whenAllConnected(flow);
    const { vi } = await import('vitest');
    await vi.waitFor(() => expect(got.map((m) => m.payload)).toEqual(['online']), { timeout: 3000, interval: 10 });
    const first = latestClient('edge')!;
    const clientId = first.mqtt.options.clientId!;
    expect(clientId).toMatch(/^plantwire-[0-9a-f]{12}$/);
    expect((await readFile(join(dataDir, 'connections', 'edge', 'client-id'), 'utf8')).trim()).toBe(clientId);

    first.mqtt.stream.destroy(); // the link dies without DISCONNECT
    await vi.waitFor(() => expect(got.map((m) => m.payload)).toEqual(['online', 'offline', 'online']), { timeout: 5000, interval: 10 });
    const second = latestClient('edge')!;
    expect(second).not.toBe(first);
    expect(second.mqtt.options.clientId).toBe(clientId);
  });

  it('a node closing does not disturb another node on the same connection (reference-counted subscriptions)', async () => {
    const doc = (nodes: Array<Record<string, unknown>>) =>
      flowDoc([{ id: 'shared', config: { url: plant.endpoints.mqtt } }], [...(nodes as never[]), { id: 'probe', type: 'broker-probe', config: { broker: 'shared' } }]);
    const a = { id: 'a', type: 'mqtt-in', config: { broker: 'shared', topic: 'ref/x' } };
    const b = { id: 'b', type: 'mqtt-in', config: { broker: 'shared', topic: 'ref/x' } };
    const flow = await run(doc([a, b]));
    cleanups.push(() => flow.stop());
    const client = await whenSubscribed('shared', 'ref/x');
    const result = await flow.runtime.deploy(doc([a]));
    expect(result.ok).toBe(true);
    expect(client.isSubscribed('ref/x')).toBe(true);
    expect(latestClient('shared')).toBe(client); // the connection stayed open
    const pub = await outsideClient(plant.endpoints.mqtt);
    cleanups.push(() => pub.endAsync(true));
    await pub.publishAsync('ref/x', 'still here', { qos: 1 });
    expect((await flow.next('a')).payload).toBe('still here');
  });
});
