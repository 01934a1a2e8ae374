import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { API_ROUTES, apiPath } from '@plantwire/protocol';
import { hashPassword } from './auth/password-hash.js';
import { createPlantwireServer, ServerConfigError } from './create-plantwire-server.js';
import { METHODS, OPEN } from './test-support/route-methods.js';
import { api, startTestServer, type TestServer } from './test-support/start-test-server.js';
import { coreNodes } from '@plantwire/nodes-core';

const PASSWORD = 'a test password, not a secret';

let server: TestServer;
let editorToken: string;
beforeAll(async () => {
  // Low scrypt cost: the test checks the flow of auth, not the hash's strength.
  const passwordHash = await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 });
  const viewerHash = await hashPassword(`${PASSWORD} (viewer)`, { N: 1024, r: 8, p: 1 });
  server = await startTestServer({ auth: [{ name: 'admin', role: 'admin', passwordHash }, { name: 'watcher', role: 'viewer', passwordHash: viewerHash }] });
  const login = await api(server.url, API_ROUTES.login, { method: 'POST', body: { password: PASSWORD } });
  expect(login.status).toBe(200);
  editorToken = login.body.token;
});
afterAll(() => server.dispose());

describe('auth on', () => {
  it('every API route in API_ROUTES, /metrics and the socket refuse a request without a valid token', async () => {
    for (const [name, route] of Object.entries(API_ROUTES) as Array<[keyof typeof API_ROUTES, string]>) {
      const path = apiPath(route, { id: 'print', connectionId: 'c1' });
      for (const method of METHODS[name]) {
        if (OPEN.has(`${method} ${route}`)) continue;
        const body = method === 'GET' ? undefined : {};
        for (const token of [undefined, 'not-a-token']) {
          const res = await api(server.url, path, { method, body, ...(token ? { token } : {}) });
          expect({ route: `${method} ${path}`, status: res.status, code: res.body.code }).toEqual({ route: `${method} ${path}`, status: 401, code: 'UNAUTHORIZED' });
        }
      }
    }
    expect((await api(server.url, '/metrics')).status).toBe(401);
    expect((await api(server.url, '/metrics', { token: editorToken })).status).toBe(200);
    // /health stays open for load balancers.
    expect((await api(server.url, '/health')).status).toBe(200);
  });

  it('tells whether auth is required, and what a token is worth', async () => {
    expect((await api(server.url, API_ROUTES.auth)).body).toEqual({ required: true, authenticated: false });
    const withToken = await api(server.url, API_ROUTES.auth, { token: editorToken });
    expect(withToken.body).toMatchObject({ required: true, authenticated: true, role: 'admin', expiresAt: expect.any(String) });
    expect((await api(server.url, API_ROUTES.flows, { token: editorToken })).status).toBe(200);
  });

  it('refuses a wrong password with 401 and rate-limits login attempts per address (429)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await api(server.url, API_ROUTES.login, { method: 'POST', body: { password: `wrong ${i}` } })).status);
    expect(statuses.slice(0, 8).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const limited = await api(server.url, API_ROUTES.login, { method: 'POST', body: { password: PASSWORD } });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('a viewer may read but not deploy (403 FORBIDDEN)', async () => {
    const viewerHash = await hashPassword('viewer password', { N: 1024, r: 8, p: 1 });
    const other = await startTestServer({ auth: [{ name: 'watcher', role: 'viewer', passwordHash: viewerHash }] });
    try {
      const { body } = await api(other.url, API_ROUTES.login, { method: 'POST', body: { password: 'viewer password' } });
      expect(body.role).toBe('viewer');
      const flows = await api(other.url, API_ROUTES.flows, { token: body.token });
      expect(flows.status).toBe(200);
      const put = await api(other.url, API_ROUTES.flows, { method: 'PUT', token: body.token, body: { document: flows.body.document, revision: flows.body.revision } });
      expect(put.status).toBe(403);
      expect(put.body.code).toBe('FORBIDDEN');
    } finally {
      await other.dispose();
    }
  });

  it('the socket refuses a handshake without a token, accepts one with it, and is closed on logout', async () => {
    const refused = connect(server.url, { transports: ['websocket'], reconnection: false });
    const error = await new Promise<Error>((resolve) => refused.on('connect_error', resolve));
    expect(error.message).toMatch(/^UNAUTHORIZED/);
    refused.close();

    const { body } = await api(server.url, API_ROUTES.login, { method: 'POST', body: { password: PASSWORD }, headers: { 'X-Forwarded-For': 'ignored' } }).catch(() => ({ body: undefined as any }));
    // The rate limit test above may have used up this address's attempts: fall back to the token from beforeAll.
    const token: string = body?.token ?? editorToken;
    const socket: Socket = connect(server.url, { transports: ['websocket'], reconnection: false, auth: { token } });
    await new Promise<void>((resolve, reject) => {
      socket.on('connect', resolve);
      socket.on('connect_error', reject);
    });
    const closed = new Promise<string>((resolve) => socket.on('disconnect', resolve));
    const logout = await api(server.url, API_ROUTES.logout, { method: 'POST', token });
    expect(logout.status).toBe(204);
    expect(await closed).toBe('io server disconnect');
    expect((await api(server.url, API_ROUTES.flows, { token })).status).toBe(401);
    socket.close();
  });
});

describe('exposure', () => {
  it('refuses to listen on a non-loopback interface without auth, before anything listens', async () => {
    const attempt = createPlantwireServer({ nodeTypes: coreNodes, host: '0.0.0.0', port: 0 });
    await expect(attempt).rejects.toBeInstanceOf(ServerConfigError);
    await expect(attempt).rejects.toMatchObject({ code: 'INSECURE_EXPOSURE' });
  });

  it('refuses an unusable password hash', async () => {
    await expect(createPlantwireServer({ nodeTypes: coreNodes, port: 0, auth: [{ name: 'admin', role: 'admin', passwordHash: 'plain text' }] })).rejects.toMatchObject({ code: 'AUTH_INVALID' });
  });
});
