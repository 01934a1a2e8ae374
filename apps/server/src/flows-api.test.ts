import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalStringify, type FlowDocument } from '@plantwire/flow';
import { api, SMALL_FLOW, startTestServer, type TestServer } from './test-support/start-test-server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});
async function start(options = {}) {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}

const withDebugName = (doc: typeof SMALL_FLOW, name: string) => ({ ...doc, nodes: doc.nodes.map((n) => (n.id === 'print' ? { ...n, name } : n)) });

describe('GET/PUT /api/flows', () => {
  it('serves the initial document with a revision, deploys a PUT with that revision and saves flows.json canonically', async () => {
    const server = await start();
    const first = await api(server.url, '/api/flows');
    expect(first.status).toBe(200);
    expect(first.body.document.nodes.map((n: { id: string }) => n.id).sort()).toEqual(['print', 'tick']);
    expect(first.body.revision).toMatch(/^[\w-]{10,}$/);

    const next = withDebugName(SMALL_FLOW, 'renamed');
    const put = await api(server.url, '/api/flows', { method: 'PUT', body: { document: next, revision: first.body.revision } });
    expect(put.status).toBe(200);
    expect(put.body.revision).not.toBe(first.body.revision);
    expect(put.body.restarted.concat(put.body.unchanged, put.body.started)).toContain('print');
    expect(server.runtime.document?.nodes.find((n) => n.id === 'print')?.name).toBe('renamed');

    const onDisk = readFileSync(join(server.dataDir, 'flows.json'), 'utf8');
    expect(onDisk).toBe(canonicalStringify(JSON.parse(onDisk) as FlowDocument));
    expect(JSON.parse(onDisk).nodes.find((n: { id: string }) => n.id === 'print').name).toBe('renamed');
    const after = await api(server.url, '/api/flows');
    expect(after.body.revision).toBe(put.body.revision);
  });

  it('keeps the revision across a restart (a hash of the canonical text)', async () => {
    const server = await start();
    const { body } = await api(server.url, '/api/flows');
    const put = await api(server.url, '/api/flows', { method: 'PUT', body: { document: withDebugName(SMALL_FLOW, 'kept'), revision: body.revision } });
    await server.close();
    const again = await start({ dataDir: server.dataDir });
    const reloaded = await api(again.url, '/api/flows');
    expect(reloaded.body.revision).toBe(put.body.revision);
    expect(again.runtime.document?.nodes.find((n) => n.id === 'print')?.name).toBe('kept');
  });

  it('answers a stale revision with 409 REVISION_CONFLICT and changes nothing', async () => {
    const server = await start();
    const { body } = await api(server.url, '/api/flows');
    await api(server.url, '/api/flows', { method: 'PUT', body: { document: withDebugName(SMALL_FLOW, 'first'), revision: body.revision } });
    const fileBefore = readFileSync(join(server.dataDir, 'flows.json'), 'utf8');
    const stale = await api(server.url, '/api/flows', { method: 'PUT', body: { document: withDebugName(SMALL_FLOW, 'second'), revision: body.revision } });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('REVISION_CONFLICT');
    expect(server.runtime.document?.nodes.find((n) => n.id === 'print')?.name).toBe('first');
    expect(readFileSync(join(server.dataDir, 'flows.json'), 'utf8')).toBe(fileBefore);
  });

  it('serialises concurrent PUTs of the same revision: one wins, the other gets 409', async () => {
    const server = await start();
    const { body } = await api(server.url, '/api/flows');
    const results = await Promise.all(['a', 'b'].map((name) => api(server.url, '/api/flows', { method: 'PUT', body: { document: withDebugName(SMALL_FLOW, name), revision: body.revision } })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('answers an invalid document with 422 FLOW_INVALID listing every problem by node id and path; the running flow and the file stay', async () => {
    const server = await start();
    const { body } = await api(server.url, '/api/flows');
    const fileBefore = readFileSync(join(server.dataDir, 'flows.json'), 'utf8').toString();
    const broken = {
      ...SMALL_FLOW,
      nodes: [
        { id: 'tick', type: 'inject', config: { payload: { type: 'number', value: 'not a number' } } },
        { id: 'print', type: 'debug', config: { property: 'payload', status: 'loud' } },
        { id: 'ghost', type: 'no-such-type', config: {} },
      ],
    };
    const res = await api(server.url, '/api/flows', { method: 'PUT', body: { document: broken, revision: body.revision } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('FLOW_INVALID');
    const byNode = new Map<string, string[]>();
    for (const issue of res.body.issues as Array<{ nodeId?: string; path: string; severity: string }>) if (issue.severity === 'error') byNode.set(issue.nodeId ?? '-', [...(byNode.get(issue.nodeId ?? '-') ?? []), issue.path]);
    expect([...byNode.keys()].sort()).toEqual(['ghost', 'print', 'tick']);
    expect(byNode.get('print')!.some((p) => p.startsWith('$.nodes[1].config.status'))).toBe(true);
    expect(server.runtime.document?.nodes.map((n) => n.id).sort()).toEqual(['print', 'tick']);
    expect(readFileSync(join(server.dataDir, 'flows.json'), 'utf8')).toBe(fileBefore);
    expect((await api(server.url, '/api/flows')).body.revision).toBe(body.revision);
  });

  it('400 BAD_REQUEST when the revision or document is missing', async () => {
    const server = await start();
    const res = await api(server.url, '/api/flows', { method: 'PUT', body: { document: SMALL_FLOW } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'BAD_REQUEST', issues: [{ path: '$.revision' }] });
  });
});

describe('validate, export, import, node types', () => {
  it('validates without deploying', async () => {
    const server = await start();
    const res = await api(server.url, '/api/flows/validate', { method: 'POST', body: { document: { ...SMALL_FLOW, nodes: [...SMALL_FLOW.nodes, { id: 'x', type: 'nope', config: {} }] } } });
    expect(res.status).toBe(200);
    expect(res.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'UNKNOWN_NODE_TYPE', nodeId: 'x' })]));
    expect(server.runtime.document?.nodes.some((n) => n.id === 'x')).toBe(false);
  });

  it('exports the running document as a canonical attachment, and imports text back with issues', async () => {
    const server = await start();
    const exported = await api(server.url, '/api/flows/export');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(/attachment; filename="flows.json"/);
    expect(typeof exported.body).toBe('object');
    const imported = await api(server.url, '/api/flows/import', { method: 'POST', body: { text: JSON.stringify(exported.body) } });
    expect(imported.status).toBe(200);
    expect(imported.body.issues).toEqual([]);
    expect(imported.body.document.nodes).toHaveLength(2);
    const bad = await api(server.url, '/api/flows/import', { method: 'POST', body: { text: '{\n  "version": 1,\n  "nodes": [,]\n}' } });
    expect(bad.status).toBe(422);
    expect(bad.body.issues[0].message).toMatch(/line 3, column/);
  });

  it('serves the manifests of every node and connection type', async () => {
    const server = await start();
    const res = await api(server.url, '/api/node-types');
    expect(res.status).toBe(200);
    const inject = res.body.nodes.find((m: { type: string }) => m.type === 'inject');
    expect(inject).toMatchObject({ category: 'source', outputs: { out: expect.any(String) } });
    expect(inject.configSchema).toBeTypeOf('object');
    expect(res.body.connections).toEqual([]);
  });
});

describe('inject', () => {
  it('puts {payload, topic} on a node\'s input and reports 404 for an unknown node', async () => {
    const server = await start();
    const seen = new Promise((resolve) => server.runtime.on('debug', (e) => e.value === 'hello' && resolve(e)));
    const res = await api(server.url, '/api/nodes/print/inject', { method: 'POST', body: { payload: 'hello', topic: 't' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ nodeId: 'print', accepted: true });
    await seen;
    const missing = await api(server.url, '/api/nodes/nope/inject', { method: 'POST', body: { payload: 1 } });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('NOT_FOUND');
    const badPort = await api(server.url, '/api/nodes/print/inject', { method: 'POST', body: { payload: 1, port: 'nope' } });
    expect(badPort.status).toBe(409);
    expect(badPort.body.code).toBe('INJECT_REFUSED');
  });

  it('an empty body fires an inject node\'s configured payload', async () => {
    const server = await start();
    const seen = new Promise((resolve) => server.runtime.on('debug', (e) => e.nodeId === 'print' && e.value === 7 && resolve(e)));
    const res = await api(server.url, '/api/nodes/tick/inject', { method: 'POST' });
    expect(res.status).toBe(200);
    await seen;
  });
});
