import { describe, expect, it } from 'vitest';
import { ApiClientError, createApiClient, type FetchLike } from './api-client.js';

function recorder(status: number, body: string) {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    return new Response(body, { status, headers: { 'Content-Type': 'application/json' } });
  };
  return { calls, fetch };
}

describe('api client', () => {
  it('sends the bearer token and the body, and parses the answer', async () => {
    const { calls, fetch } = recorder(200, JSON.stringify({ revision: 'r2', started: [], stopped: [], restarted: [], unchanged: [], warnings: [] }));
    const api = createApiClient({ token: () => 'tok', fetch });
    const result = await api.deploy({ document: { version: 1, nodes: [], wires: [] }, revision: 'r1' });
    expect(result.revision).toBe('r2');
    expect(calls[0]?.url).toBe('/api/flows');
    expect(calls[0]?.init?.method).toBe('PUT');
    expect((calls[0]?.init?.headers as Record<string, string>)['Authorization']).toBe('Bearer tok');
    expect(JSON.parse(String(calls[0]?.init?.body))).toEqual({ document: { version: 1, nodes: [], wires: [] }, revision: 'r1' });
  });

  it('throws an ApiClientError carrying the server\'s error and issues', async () => {
    const issue = { severity: 'error', code: 'CONFIG_INVALID', message: 'bad', path: '$.nodes[0].config.a', nodeId: 'n1' };
    const { fetch } = recorder(422, JSON.stringify({ code: 'FLOW_INVALID', message: '1 problem', issues: [issue] }));
    const api = createApiClient({ token: () => undefined, fetch });
    const error = await api.deploy({ document: {}, revision: 'r' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiClientError);
    expect((error as ApiClientError).status).toBe(422);
    expect((error as ApiClientError).error.issues).toEqual([issue]);
  });

  it('fills route params and query strings, and describes a non-JSON error', async () => {
    const { calls, fetch } = recorder(502, 'Bad Gateway');
    const api = createApiClient({ token: () => undefined, fetch });
    const error = (await api.browse('opc 1', 'ns=1;s=A').catch((e: unknown) => e)) as ApiClientError;
    expect(calls[0]?.url).toBe('/api/connections/opc%201/browse?node=ns%3D1%3Bs%3DA');
    expect(error.error).toEqual({ code: 'INTERNAL', message: 'Bad Gateway' });
  });

  it('reports an unreachable server as status 0', async () => {
    const api = createApiClient({ token: () => undefined, fetch: async () => Promise.reject(new TypeError('fetch failed')) });
    const error = (await api.auth().catch((e: unknown) => e)) as ApiClientError;
    expect(error.status).toBe(0);
    expect(error.message).toContain('fetch failed');
  });
});
