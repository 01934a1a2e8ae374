// Gaps the route-enumeration test (auth.test.ts) leaves: that it enumerates every route the app
// really mounts, and that tokens expire end to end (REST and the socket), not only in the store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { API_ROUTES } from '@plantwire/protocol';
import { createApp } from './app.js';
import { hashPassword } from './auth/password-hash.js';
import { loadHttpLibraries } from './http/http-libraries.js';
import type { ServerContext } from './server-context.js';
import { METHODS, OPS_ROUTES, STATIC_ROUTES } from './test-support/route-methods.js';
import { api, startTestServer, type TestServer } from './test-support/start-test-server.js';
import { waitFor } from '@plantwire/testing';

interface Layer {
  readonly route?: { readonly path: string; readonly methods: Record<string, boolean> };
  readonly handle?: { readonly stack?: readonly Layer[] };
}

/** `METHOD /path` of every route in an express router stack, through mounted routers. */
function mountedRoutes(stack: readonly Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) return Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path}`);
    return layer.handle?.stack ? mountedRoutes(layer.handle.stack) : [];
  });
}

describe('route enumeration', () => {
  it('the auth tests enumerate every route the app mounts', async () => {
    // Building the app only mounts routers; these are the parts of the context that touches.
    const ctx = { http: await loadHttpLibraries(), registry: { all: () => [], allConnections: () => [] }, publicMetrics: false } as unknown as ServerContext;
    const app = createApp(ctx, { bodyLimit: 1024, editorDir: undefined, allowedHosts: undefined }) as unknown as { router: { stack: Layer[] } };
    const enumerated = [...Object.entries(METHODS).flatMap(([name, methods]) => methods.map((m) => `${m} ${API_ROUTES[name as keyof typeof API_ROUTES]}`)), ...OPS_ROUTES, ...STATIC_ROUTES];
    expect(mountedRoutes(app.router.stack).sort()).toEqual(enumerated.sort());
  });
});

describe('session expiry end to end', () => {
  const PASSWORD = 'expiry test password (not a secret)';
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ auth: [{ name: 'admin', role: 'admin', passwordHash: await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }) }], sessionTtlMs: 1500 });
  });
  afterAll(() => server.dispose());

  it('a token stops working when it expires: REST answers 401 and the open socket is closed', async () => {
    const login = await api(server.url, API_ROUTES.login, { method: 'POST', body: { password: PASSWORD } });
    expect(login.status).toBe(200);
    const { token, expiresAt } = login.body;
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(1500);
    const socket = connect(server.url, { transports: ['websocket'], reconnection: false, auth: { token } });
    await new Promise<void>((resolve, reject) => {
      socket.on('connect', resolve);
      socket.on('connect_error', reject);
    });
    const closed = new Promise<string>((resolve) => socket.on('disconnect', resolve));
    expect((await api(server.url, API_ROUTES.flows, { token })).status).toBe(200);

    await waitFor('the token to expire', async () => (await api(server.url, API_ROUTES.flows, { token })).status === 401, { timeoutMs: 10_000 });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
    expect(await closed).toBe('io server disconnect');
    const again = connect(server.url, { transports: ['websocket'], reconnection: false, auth: { token } });
    expect((await new Promise<Error>((resolve) => again.on('connect_error', resolve))).message).toMatch(/^UNAUTHORIZED/);
    again.close();
    socket.close();
  }, 20_000);

  it('the stored hash is not a password: logging in with it fails', async () => {
    const hash = await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 });
    const other = await startTestServer({ auth: [{ name: 'admin', role: 'admin', passwordHash: hash }] });
    try {
      expect((await api(other.url, API_ROUTES.login, { method: 'POST', body: { password: hash } })).status).toBe(401);
    } finally {
      await other.dispose();
    }
  });
});
