// The "secrets never leave" test: known secrets go into the credential store, a flow uses them
// against the simulated plant (aedes broker, OPC UA server with a user login), errors and debug
// output happen, and then everything the server wrote or answered is searched for them.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { coreNodes } from '@plantwire/nodes-core';
import { mqttConnections, mqttNodes } from '@plantwire/nodes-mqtt';
import { opcuaConnections, opcuaNodes } from '@plantwire/nodes-opcua';
import { API_ROUTES, apiPath } from '@plantwire/protocol';
import { startPlant, type Plant } from '@plantwire/sim';
import { hashPassword } from './auth/password-hash.js';
import type { ServerLogger } from './server-options.js';
import { api, startTestServer, type TestServer } from './test-support/start-test-server.js';
import { waitFor } from '@plantwire/testing';

// Distinctive per run, so a hit cannot be a coincidence and a stale fixture cannot pass.
const run = randomBytes(6).toString('hex');
const MQTT_SECRET = `mqtt-secret-${run}-${randomBytes(8).toString('hex')}`;
const OPCUA_SECRET = `opcua-secret-${run}-${randomBytes(8).toString('hex')}`;
/** A wrong password the OPC UA server refuses: the failure path must not echo it either. */
const REFUSED_SECRET = `refused-secret-${run}-${randomBytes(8).toString('hex')}`;
const SECRETS = [MQTT_SECRET, OPCUA_SECRET, REFUSED_SECRET];
const TEMPERATURE = 'ns=1;s=Line1.Machine1.Temperature';
const ADMIN_PASSWORD = 'admin password (test only)';

/** A captured text and where it came from. */
interface Captured {
  readonly where: string;
  readonly text: string;
}

/** Every (place, secret) pair where a secret occurs. */
function leaks(captured: readonly Captured[]): Array<{ where: string; secret: string }> {
  return captured.flatMap((c) => SECRETS.filter((s) => c.text.includes(s)).map((secret) => ({ where: c.where, secret })));
}

const logLines: string[] = [];
const logger: ServerLogger = {
  log: (entry) => void logLines.push(JSON.stringify(entry)),
  info: (message, fields) => void logLines.push(JSON.stringify({ level: 'info', message, ...fields })),
  warn: (message, fields) => void logLines.push(JSON.stringify({ level: 'warn', message, ...fields })),
  error: (message, fields) => void logLines.push(JSON.stringify({ level: 'error', message, ...fields })),
};
/** What anything (a protocol library) wrote to the process's stdout and stderr during the run. */
const processOutput: string[] = [];
const originalWrites = { stdout: process.stdout.write, stderr: process.stderr.write };
const responses: Captured[] = [];
const socketPayloads: string[] = [];

let plant: Plant;
let server: TestServer;
let token: string;
let socket: Socket;

/** An API call whose response body is kept for the search. */
async function call(path: string, options: Parameters<typeof api>[2] = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: options.method ?? 'GET',
    headers: { Authorization: `Bearer ${token}`, ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  responses.push({ where: `${options.method ?? 'GET'} ${path} → ${res.status}`, text: `${JSON.stringify([...res.headers])}\n${text}` });
  return { status: res.status, text, json: () => JSON.parse(text) };
}

beforeAll(async () => {
  for (const stream of ['stdout', 'stderr'] as const) {
    const original = originalWrites[stream];
    process[stream].write = ((chunk: unknown, ...rest: unknown[]) => {
      processOutput.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (original as (...a: unknown[]) => boolean).call(process[stream], chunk, ...rest);
    }) as typeof process.stdout.write;
  }
  plant = await startPlant({ ports: { mqtt: 0, opcua: 0 }, servers: ['mqtt', 'opcua'], opcuaUsers: [{ username: 'operator-test', password: OPCUA_SECRET }] });
  const passwordHash = await hashPassword(ADMIN_PASSWORD, { N: 1024, r: 8, p: 1 });
  server = await startTestServer({
    nodeTypes: [...coreNodes, ...mqttNodes, ...opcuaNodes],
    connectionTypes: [...mqttConnections, ...opcuaConnections],
    auth: [{ name: 'admin', role: 'admin', passwordHash }],
    logger,
  });
  token = (await api(server.url, API_ROUTES.login, { method: 'POST', body: { password: ADMIN_PASSWORD } })).body.token;
  socket = connect(server.url, { transports: ['websocket'], reconnection: false, auth: { token } });
  socket.onAny((event: string, ...args: unknown[]) => void socketPayloads.push(JSON.stringify([event, ...args])));
  await new Promise<void>((resolve, reject) => {
    socket.on('connect', resolve);
    socket.on('connect_error', reject);
  });
}, 60_000);

afterAll(async () => {
  process.stdout.write = originalWrites.stdout;
  process.stderr.write = originalWrites.stderr;
  socket?.close();
  await server?.dispose();
  await plant?.stop();
});

const document = () => ({
  version: 1,
  name: 'secrets under test',
  connections: [
    { id: 'broker', type: 'mqtt-broker', config: { url: plant.endpoints.mqtt, username: 'plantwire-test' } },
    { id: 'ua', type: 'opcua-endpoint', config: { endpointUrl: plant.endpoints.opcua, userIdentity: 'username', username: 'operator-test' } },
    { id: 'ua-refused', type: 'opcua-endpoint', config: { endpointUrl: plant.endpoints.opcua, userIdentity: 'username', username: 'operator-test' } },
  ],
  nodes: [
    { id: 'publish', type: 'mqtt-out', config: { broker: 'broker', topic: `plantwire/secrets/${run}` } },
    { id: 'receive', type: 'mqtt-in', config: { broker: 'broker', topic: `plantwire/secrets/${run}`, payloadFormat: 'json' } },
    { id: 'print-mqtt', type: 'debug', config: { property: 'payload' } },
    { id: 'temperature', type: 'opcua-subscribe', config: { endpoint: 'ua', items: [{ name: 'Temperature', nodeId: TEMPERATURE }] } },
    { id: 'print-ua', type: 'debug', config: { property: 'payload' } },
    { id: 'missing', type: 'opcua-read', config: { endpoint: 'ua', nodeIds: ['ns=1;s=No.Such.Variable'] } },
    { id: 'refused', type: 'opcua-subscribe', config: { endpoint: 'ua-refused', items: [{ name: 'Temperature', nodeId: TEMPERATURE }] } },
  ],
  wires: [
    { from: { node: 'receive', port: 'out' }, to: { node: 'print-mqtt', port: 'in' } },
    { from: { node: 'temperature', port: 'out' }, to: { node: 'print-ua', port: 'in' } },
  ],
});

describe('secrets', () => {
  it('appear in no file of the data dir (but the encrypted store), no export, log line, API response, socket payload or audit entry', async () => {
    // Credentials go in write-only, before the entries are deployed.
    expect((await call('/api/credentials/broker', { method: 'PUT', body: { values: { password: MQTT_SECRET }, type: 'mqtt-broker' } })).status).toBe(200);
    expect((await call('/api/credentials/ua', { method: 'PUT', body: { values: { password: OPCUA_SECRET }, type: 'opcua-endpoint' } })).status).toBe(200);
    expect((await call('/api/credentials/ua-refused', { method: 'PUT', body: { values: { password: REFUSED_SECRET }, type: 'opcua-endpoint' } })).status).toBe(200);

    // A secret pasted into the document is refused (and not echoed by the refusal).
    const pasted = document();
    (pasted.connections[0]!.config as Record<string, unknown>)['password'] = MQTT_SECRET;
    expect((await call(API_ROUTES.validate, { method: 'POST', body: { document: pasted } })).status).toBe(200);
    const revision0 = (await call(API_ROUTES.flows)).json().revision;
    expect((await call(API_ROUTES.flows, { method: 'PUT', body: { document: pasted, revision: revision0 } })).status).toBe(422);

    const put = await call(API_ROUTES.flows, { method: 'PUT', body: { document: document(), revision: revision0 } });
    expect(put.status).toBe(200);

    // Real traffic with the stored secrets: a round trip through the broker, OPC UA values, errors.
    const isUp = (id: string) => () => server.runtime.connections().some((c) => c.id === id && c.state === 'connected');
    await waitFor('the broker connection', isUp('broker'), { timeoutMs: 20_000 });
    await waitFor('the OPC UA connection (user login)', isUp('ua'), { timeoutMs: 30_000 });
    await waitFor('the refused login to be reported', () => server.runtime.connections().some((c) => c.id === 'ua-refused' && c.state !== 'connecting' && c.state !== 'connected' && c.attempt > 0), { timeoutMs: 30_000 });
    expect((await call('/api/nodes/publish/inject', { method: 'POST', body: { payload: { reading: 42 } } })).status).toBe(200);
    expect((await call('/api/nodes/publish/inject', { method: 'POST', body: { payload: 'not json {' } })).status).toBe(200); // DECODE_FAILED at receive
    expect((await call('/api/nodes/missing/inject', { method: 'POST', body: { payload: 1 } })).status).toBe(200); // an unknown node id
    expect((await call('/api/connections/broker/test', { method: 'POST', body: { credentials: { password: MQTT_SECRET } } })).status).toBe(200);
    await call('/api/connections/ua/test', { method: 'POST', body: { credentials: { password: REFUSED_SECRET } } });

    // The socket is read until it carried what the run produced (bounded by a deadline, not a sleep).
    const seen = (event: string, nodeId?: string) => socketPayloads.some((p) => p.startsWith(`["${event}"`) && (nodeId === undefined || p.includes(`"nodeId":"${nodeId}"`)));
    await waitFor('debug, error and metrics events on the socket', () => seen('debug:message', 'print-mqtt') && seen('debug:message', 'print-ua') && seen('node:error-raised', 'receive') && seen('node:error-raised', 'missing') && seen('metrics:sampled') && seen('connection:state-changed'), { timeoutMs: 30_000 });

    // Every GET route (and the ops routes), with every connection id.
    for (const [name, route] of Object.entries(API_ROUTES)) {
      if (name === 'login' || name === 'logout' || name === 'inject' || name === 'testConnection' || name === 'validate' || name === 'importFlows') continue;
      for (const connectionId of route.includes(':') ? ['broker', 'ua', 'ua-refused'] : ['']) {
        await call(apiPath(route, { id: connectionId, connectionId }));
      }
    }
    const exported = await call(API_ROUTES.exportFlows);
    await call('/metrics');
    await call('/health');
    const statuses = await new Promise<unknown>((resolve) => socket.emit('node:statuses', resolve));
    socketPayloads.push(JSON.stringify(statuses));
    await server.runtime.stop(); // context and everything else is flushed to the data dir

    const files: Captured[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        // The encrypted store holds the secrets by design (AES-256-GCM); nothing else may.
        else if (relative(server.dataDir, path) !== 'credentials.json') files.push({ where: `data dir: ${relative(server.dataDir, path)}`, text: readFileSync(path).toString('latin1') });
      }
    };
    walk(server.dataDir);
    expect(files.map((f) => f.where)).toEqual(expect.arrayContaining(['data dir: flows.json', 'data dir: audit.log']));
    const captured: Captured[] = [
      ...files,
      { where: 'export', text: exported.text },
      ...logLines.map((text, i) => ({ where: `log line ${i}`, text })),
      ...processOutput.map((text, i) => ({ where: `process output ${i}`, text })),
      ...responses,
      ...socketPayloads.map((text, i) => ({ where: `socket payload ${i}`, text })),
    ];
    expect(logLines.length).toBeGreaterThan(0);
    expect(responses.length).toBeGreaterThan(15);
    expect(leaks(captured)).toEqual([]);

    // The search can fail: a secret planted in one captured buffer is found and named.
    const planted = captured.map((c, i) => (i === captured.length - 1 ? { ...c, text: `${c.text} ${OPCUA_SECRET}` } : c));
    expect(leaks(planted)).toEqual([{ where: captured.at(-1)!.where, secret: OPCUA_SECRET }]);
  }, 120_000);
});
