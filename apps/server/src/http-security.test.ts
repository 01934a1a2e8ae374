import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, rawRequest, startTestServer, type TestServer } from './test-support/start-test-server.js';

const root = mkdtempSync(join(tmpdir(), 'plantwire-static-'));
const editorDir = join(root, 'dist');
mkdirSync(join(editorDir, 'assets'), { recursive: true });
writeFileSync(join(editorDir, 'index.html'), '<!doctype html><title>editor</title>');
writeFileSync(join(editorDir, 'assets', 'app.js'), 'console.log(1)');
// A file beside (outside) the editor folder that traversal would reach.
writeFileSync(join(root, 'secret.txt'), 'outside the editor folder');

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ editorDir, bodyLimit: 64 * 1024 });
});
afterAll(async () => {
  await server.dispose();
  rmSync(root, { recursive: true, force: true });
});

describe('request bodies', () => {
  it('answers a body above the limit with 413 PAYLOAD_TOO_LARGE as an ApiError', async () => {
    const big = JSON.stringify({ document: { pad: 'x'.repeat(70 * 1024) }, revision: 'r' });
    const res = await api(server.url, '/api/flows', { method: 'PUT', body: big });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('65536') });
  });

  it('answers malformed JSON with 400 BAD_REQUEST naming line and column, never a stack trace', async () => {
    const res = await api(server.url, '/api/flows', { method: 'PUT', body: '{\n  "revision": "r",\n  "document": {,}\n}' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BAD_REQUEST');
    expect(res.body.message).toMatch(/line 3, column 16/);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js:\d+|node_modules/);
  });

  it('answers a non-JSON body with 415 (so a cross-site form post cannot deploy)', async () => {
    const res = await api(server.url, '/api/flows', { method: 'PUT', body: 'document=x', headers: { 'Content-Type': 'text/plain' } });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers an unknown API route with a 404 ApiError', async () => {
    const res = await api(server.url, '/api/nope');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('/api/nope') });
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
  });
});

describe('static files', () => {
  it('serves the editor, and index.html for client-side routes', async () => {
    expect((await rawRequest(server.url, '/')).body).toContain('<title>editor</title>');
    expect((await rawRequest(server.url, '/assets/app.js')).body).toBe('console.log(1)');
    const route = await rawRequest(server.url, '/flows/main', { headers: { Accept: 'text/html' } });
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>editor</title>');
    expect((await rawRequest(server.url, '/assets/missing.js')).status).toBe(404);
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2E%2E/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%5c..%5csecret.txt', '/%2e%2e%2f%2e%2e%2fsecret.txt', '/assets/%00.js'])(
    'never serves a file outside the editor folder: %s',
    async (path) => {
      const res = await rawRequest(server.url, path);
      expect([400, 404]).toContain(res.status);
      expect(res.body).not.toContain('outside the editor folder');
    },
  );

  it('answers a Host header that is not this machine with 403 (DNS rebinding)', async () => {
    const res = await rawRequest(server.url, '/api/flows', { headers: { Host: 'evil.example:1880' } });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).code).toBe('FORBIDDEN');
  });

  it('refuses a socket handshake naming another host too', async () => {
    const evil = await rawRequest(server.url, '/socket.io/?EIO=4&transport=polling', { headers: { Host: 'evil.example:1880' } });
    expect(evil.status).toBe(403);
    const ours = await rawRequest(server.url, '/socket.io/?EIO=4&transport=polling');
    expect(ours.status).toBe(200);
  });

  it('without a built editor, / says how to build it', async () => {
    const bare = await startTestServer({ editorDir: join(root, 'missing') });
    try {
      const res = await rawRequest(bare.url, '/');
      expect(res.status).toBe(200);
      expect(res.body).toContain('pnpm --filter @plantwire/editor build');
    } finally {
      await bare.dispose();
    }
  });
});

describe('ops', () => {
  it('/health answers ok and /metrics serves Prometheus text of the running nodes', async () => {
    const health = await api(server.url, '/health');
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
    const metrics = await rawRequest(server.url, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/text\/plain; version=0\.0\.4/);
    expect(metrics.body).toContain('plantwire_node_messages_in_total{node="print",type="debug"}');
  });
});
