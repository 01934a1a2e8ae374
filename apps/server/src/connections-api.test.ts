import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreNodes } from '@plantwire/nodes-core';
import { mqttConnections, mqttNodes } from '@plantwire/nodes-mqtt';
import { opcuaConnections, opcuaNodes } from '@plantwire/nodes-opcua';
import { startPlant, type Plant } from '@plantwire/sim';
import { api, startTestServer, type TestServer } from './test-support/start-test-server.js';

const SECRET = 'pa55-word-that-must-not-leak';

let plant: Plant;
let server: TestServer;
beforeAll(async () => {
  plant = await startPlant({ ports: { mqtt: 0, opcua: 0 }, servers: ['mqtt', 'opcua'] });
  const doc = {
    version: 1,
    env: { MQTT_URL: 'mqtt://127.0.0.1:1' },
    connections: [
      { id: 'broker', type: 'mqtt-broker', config: { url: '${MQTT_URL}' } },
      { id: 'opcua', type: 'opcua-endpoint', config: { endpointUrl: plant.endpoints.opcua } },
    ],
    nodes: [{ id: 'temps', type: 'opcua-subscribe', config: { endpoint: 'opcua', items: [{ name: 'Line1/Machine1/Temperature', nodeId: 'ns=1;s=Line1.Machine1.Temperature' }] } }],
    wires: [],
  };
  server = await startTestServer({
    nodeTypes: [...coreNodes, ...mqttNodes, ...opcuaNodes],
    connectionTypes: [...mqttConnections, ...opcuaConnections],
    // The overlay points the flow at the plant; it is not stored.
    documentEnv: { MQTT_URL: plant.endpoints.mqtt },
    initialDocument: doc,
  });
}, 60_000);
afterAll(async () => {
  await server?.dispose();
  await plant?.stop();
});

describe('connections', () => {
  it('tests a deployed connection against the simulated plant, and 404s an unknown one', async () => {
    const res = await api(server.url, '/api/connections/broker/test', { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, durationMs: expect.any(Number) });
    const unknown = await api(server.url, '/api/connections/nope/test', { method: 'POST' });
    expect(unknown.status).toBe(404);
  });

  it('stores credentials write-only: the API says "set", never the value, and neither flows, export nor flows.json holds it', async () => {
    const put = await api(server.url, '/api/credentials/broker', { method: 'PUT', body: { values: { password: SECRET } } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ connectionId: 'broker', fields: { password: 'set', key: 'not set' } });
    const get = await api(server.url, '/api/credentials/broker');
    expect(get.body.fields.password).toBe('set');
    for (const path of ['/api/credentials/broker', '/api/flows', '/api/flows/export', '/metrics']) {
      const res = await fetch(`${server.url}${path}`);
      expect(await res.text()).not.toContain(SECRET);
    }
    expect(readFileSync(join(server.dataDir, 'flows.json'), 'utf8')).not.toContain(SECRET);
    // The overlay is not stored either.
    expect(readFileSync(join(server.dataDir, 'flows.json'), 'utf8')).toContain('mqtt://127.0.0.1:1"');
    const bad = await api(server.url, '/api/credentials/broker', { method: 'PUT', body: { values: { password: 5 } } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).not.toContain(SECRET);
  });

  it('browses the OPC UA address space of a running connection', async () => {
    const isUp = () => server.runtime.connections().some((c) => c.id === 'opcua' && c.state === 'connected');
    if (!isUp()) await new Promise<void>((resolve) => server.runtime.on('connection', () => isUp() && resolve()));
    const root = await api(server.url, '/api/connections/opcua/browse');
    expect(root.status).toBe(200);
    expect(root.body.node).toBeTypeOf('string');
    expect(root.body.items.map((i: { displayName: string }) => i.displayName)).toContain('Line1');
    const notBrowsable = await api(server.url, '/api/connections/broker/browse');
    expect([400, 503]).toContain(notBrowsable.status);
    expect(['NOT_SUPPORTED', 'NOT_CONNECTED']).toContain(notBrowsable.body.code);
    expect((await api(server.url, '/api/connections/nope/browse')).status).toBe(404);
  }, 30_000);
});
