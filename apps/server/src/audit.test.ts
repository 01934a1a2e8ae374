import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreNodes } from '@plantwire/nodes-core';
import { modbusConnections, modbusNodes } from '@plantwire/nodes-modbus';
import { opcuaConnections, opcuaNodes } from '@plantwire/nodes-opcua';
import { API_ROUTES, type AuditEntry, type DeviceAuditEntry } from '@plantwire/protocol';
import { startPlant, type Plant } from '@plantwire/sim';
import { hashPassword } from './auth/password-hash.js';
import { api, SMALL_FLOW, startTestServer, type TestServer } from './test-support/start-test-server.js';
import { waitFor } from '@plantwire/testing';

const SETPOINT = 'ns=1;s=Line1.Machine1.Setpoint';
let plant: Plant;
let server: TestServer;
const tokens: Record<'admin' | 'editor' | 'viewer', string> = { admin: '', editor: '', viewer: '' };

/** The audit log as written on disk. */
function auditLog(): AuditEntry[] {
  let text = '';
  try {
    text = readFileSync(join(server.dataDir, 'audit.log'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEntry);
}

function flowWith(extraNodes: ReadonlyArray<Record<string, unknown>>, connections: unknown[]) {
  return { ...SMALL_FLOW, connections, nodes: [...SMALL_FLOW.nodes, ...extraNodes] as Array<Record<string, unknown>> };
}

let plc: { id: string; type: string; config: Record<string, unknown> };
let opcua: { id: string; type: string; config: Record<string, unknown> };
const modbusWriter = (address = 10) => ({ id: 'set-temp', type: 'modbus-write', config: { device: 'plc', tags: [{ name: 'setpoint', address, type: 'float32' }] } });
const opcuaWriter = { id: 'set-temp-ua', type: 'opcua-write', config: { endpoint: 'ua', nodeId: SETPOINT } };

async function deploy(who: keyof typeof tokens, document: unknown) {
  const { body } = await api(server.url, API_ROUTES.flows, { token: tokens[who] });
  return api(server.url, API_ROUTES.flows, { method: 'PUT', token: tokens[who], body: { document, revision: body.revision } });
}

beforeAll(async () => {
  plant = await startPlant({ ports: { modbus: 0, opcua: 0 }, servers: ['modbus', 'opcua'] });
  plc = { id: 'plc', type: 'modbus-device', config: { host: plant.endpoints.modbus.host, port: plant.endpoints.modbus.port, unitId: 1, wordOrder: 'CDAB' } };
  opcua = { id: 'ua', type: 'opcua-endpoint', config: { endpointUrl: plant.endpoints.opcua } };
  const users = [];
  for (const role of ['admin', 'editor', 'viewer'] as const) {
    // Low scrypt cost: the test checks roles, not the hash's strength.
    users.push({ name: `${role}-user`, role, passwordHash: await hashPassword(`${role} password (test)`, { N: 1024, r: 8, p: 1 }) });
  }
  server = await startTestServer({ nodeTypes: [...coreNodes, ...modbusNodes, ...opcuaNodes], connectionTypes: [...modbusConnections, ...opcuaConnections], auth: users });
  for (const role of ['admin', 'editor', 'viewer'] as const) {
    const login = await api(server.url, API_ROUTES.login, { method: 'POST', body: { password: `${role} password (test)` } });
    expect(login.status).toBe(200);
    tokens[role] = login.body.token;
  }
}, 60_000);
afterAll(async () => {
  await server?.dispose();
  await plant?.stop();
});

describe('elevation for device writes', () => {
  it('marks device-writing node types as privileged in their manifest', async () => {
    const { body } = await api(server.url, API_ROUTES.nodeTypes, { token: tokens.viewer });
    const privileged = body.nodes.filter((n: { privileged?: boolean }) => n.privileged).map((n: { type: string }) => n.type);
    expect(privileged.sort()).toEqual(['modbus-write', 'opcua-write']);
  });

  it('refuses an editor who adds a write node (403 naming the node and why), lets an admin, and lets an editor deploy other changes beside it', async () => {
    const withWriter = flowWith([modbusWriter()], [plc]);
    const refused = await deploy('editor', withWriter);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    expect(refused.body.message).toContain('set-temp (writes to Modbus device "plc": holding 10–11)');
    expect(refused.body.issues).toEqual([{ severity: 'error', code: 'ELEVATION_REQUIRED', nodeId: 'set-temp', path: '$.nodes[2]', message: 'writes to Modbus device "plc": holding 10–11' }]);
    expect(server.runtime.document?.nodes.map((n) => n.id)).not.toContain('set-temp');

    expect((await deploy('admin', withWriter)).status).toBe(200);
    // The writer is unchanged: an editor may change the rest.
    const renamed = { ...withWriter, nodes: withWriter.nodes.map((n) => (n.id === 'print' ? { ...n, name: 'renamed by the editor' } : n)) };
    expect((await deploy('editor', renamed)).status).toBe(200);
    // Pointing it at other registers, or its device elsewhere, is a change again.
    expect((await deploy('editor', flowWith([modbusWriter(12)], [plc]))).status).toBe(403);
    const moved = await deploy('editor', flowWith([modbusWriter()], [{ ...plc, config: { ...plc.config, unitId: 2 } }]));
    expect(moved.status).toBe(403);
    expect(moved.body.issues.map((i: { nodeId: string }) => i.nodeId)).toEqual(['set-temp']);
    // Removing it needs no elevation.
    expect((await deploy('editor', SMALL_FLOW)).status).toBe(200);
  }, 30_000);

  it('can be turned off in the server options', async () => {
    const hash = await hashPassword('editor password (test)', { N: 1024, r: 8, p: 1 });
    const open = await startTestServer({ nodeTypes: [...coreNodes, ...modbusNodes], connectionTypes: modbusConnections, auth: [{ name: 'ed', role: 'editor', passwordHash: hash }], privilegedDeployRole: false });
    try {
      const { body: login } = await api(open.url, API_ROUTES.login, { method: 'POST', body: { password: 'editor password (test)' } });
      const { body } = await api(open.url, API_ROUTES.flows, { token: login.token });
      const put = await api(open.url, API_ROUTES.flows, { method: 'PUT', token: login.token, body: { document: flowWith([modbusWriter()], [plc]), revision: body.revision } });
      expect(put.status).toBe(200);
    } finally {
      await open.dispose();
    }
  }, 30_000);
});

describe('audit log', () => {
  it('records every deploy and every device write (Modbus and OPC UA, ok and failed) with who, when, revision, target and value', async () => {
    const before = auditLog().length;
    const put = await deploy('admin', flowWith([modbusWriter(), opcuaWriter], [plc, opcua]));
    expect(put.status).toBe(200);
    const revision: string = put.body.revision;

    expect((await api(server.url, '/api/nodes/set-temp/inject', { method: 'POST', token: tokens.editor, body: { topic: 'setpoint', payload: 72.5 } })).status).toBe(200);
    await waitFor('the PLC to hold 72.5', () => plant.tags()['Line1/Machine1/Setpoint'] === 72.5, { timeoutMs: 10_000 });
    // The sim accepts 0…150: a refused write is audited with its error.
    await api(server.url, '/api/nodes/set-temp/inject', { method: 'POST', token: tokens.editor, body: { topic: 'setpoint', payload: 500 } });
    await waitFor('the refused write in the log', () => auditLog().slice(before).some((e) => e.kind === 'device' && e.result === 'failed'), { timeoutMs: 10_000 });
    const isUp = () => server.runtime.connections().some((c) => c.id === 'ua' && c.state === 'connected');
    await waitFor('the OPC UA connection', isUp, { timeoutMs: 20_000 });
    await api(server.url, '/api/nodes/set-temp-ua/inject', { method: 'POST', token: tokens.editor, body: { payload: 65 } });
    await waitFor('the OPC UA write', () => plant.tags()['Line1/Machine1/Setpoint'] === 65, { timeoutMs: 20_000 });

    const entries = await waitFor('three device entries', () => {
      const devices = auditLog().slice(before).filter((e): e is DeviceAuditEntry => e.kind === 'device');
      return devices.length >= 3 && devices;
    }, { timeoutMs: 10_000 });
    const deployEntry = auditLog().slice(before).find((e) => e.kind === 'deploy');
    expect(deployEntry).toMatchObject({ kind: 'deploy', user: 'admin-user', role: 'admin', revisionAfter: revision, result: 'ok', started: 2, privilegedNodes: ['set-temp', 'set-temp-ua'] });
    expect(Date.parse(deployEntry!.time)).toBeGreaterThan(Date.now() - 60_000);
    const common = { kind: 'device', user: 'admin-user', revision, action: 'write' };
    expect(entries[0]).toMatchObject({ ...common, nodeId: 'set-temp', nodeType: 'modbus-write', target: { connection: 'plc', unitId: 1, area: 'holding', address: 10, tag: 'setpoint' }, value: 72.5, result: 'ok' });
    expect(entries[0]).not.toHaveProperty('error');
    expect(entries[1]).toMatchObject({ ...common, nodeId: 'set-temp', value: 500, result: 'failed', error: expect.stringContaining('illegal data value') });
    expect(entries[2]).toMatchObject({ ...common, nodeId: 'set-temp-ua', nodeType: 'opcua-write', target: { connection: 'ua', nodeId: SETPOINT }, value: 65, result: 'ok' });
    expect(Date.parse(entries[2]!.time)).toBeGreaterThanOrEqual(Date.parse(entries[0]!.time));

    // Refused deploys are recorded too.
    expect(auditLog().some((e) => e.kind === 'deploy' && e.result === 'FORBIDDEN' && e.user === 'editor-user' && e.privilegedNodes.includes('set-temp'))).toBe(true);
  }, 60_000);

  it('GET /api/audit serves the last entries to admins only', async () => {
    const res = await api(server.url, `${API_ROUTES.audit}?limit=2`, { token: tokens.admin });
    expect(res.status).toBe(200);
    expect(res.body.entries).toEqual(auditLog().slice(-2));
    expect((await api(server.url, API_ROUTES.audit, { token: tokens.editor })).status).toBe(403);
    expect((await api(server.url, `${API_ROUTES.audit}?limit=0`, { token: tokens.admin })).body.code).toBe('BAD_REQUEST');
  });
});
