// Fuzz: every API route with bad bodies (malformed JSON, wrong types, deep nesting, prototype
// keys, over the limit, wrong media types) and odd path parameters. Each answer is 2xx or 4xx with
// the ApiError shape of docs/api.md (never a 500, never a hang), the stored flows and credentials
// are byte-identical afterwards unless the request was a valid write, and the server still serves.
// A failure prints fast-check's seed and path; rerun with FUZZ_SEED=<seed> to reproduce.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, apiPath } from '@plantwire/protocol';
import { coreNodes } from '@plantwire/nodes-core';
import { mqttConnections, mqttNodes } from '@plantwire/nodes-mqtt';
import { mutateText, oddJsonValue, PROTOTYPE_KEYS, textMutationArb } from '../../../packages/flow/src/fixtures/flow-mutations.js';
import { api, rawRequest, startTestServer, type TestServer } from './test-support/start-test-server.js';

const seed = Number(process.env['FUZZ_SEED'] ?? 20261206);
const BODY_LIMIT = 64 * 1024;

/** Every route and method; the test below fails when API_ROUTES gains a route this table lacks. */
const ROUTES: ReadonlyArray<{ readonly key: keyof typeof API_ROUTES; readonly method: string; readonly writes?: boolean }> = [
  { key: 'flows', method: 'GET' },
  { key: 'flows', method: 'PUT', writes: true },
  { key: 'validate', method: 'POST' },
  { key: 'exportFlows', method: 'GET' },
  { key: 'importFlows', method: 'POST' },
  { key: 'nodeTypes', method: 'GET' },
  { key: 'inject', method: 'POST' },
  { key: 'testConnection', method: 'POST' },
  { key: 'browse', method: 'GET' },
  { key: 'credentials', method: 'GET' },
  { key: 'credentials', method: 'PUT', writes: true },
  { key: 'auth', method: 'GET' },
  { key: 'login', method: 'POST' },
  { key: 'logout', method: 'POST' },
  { key: 'audit', method: 'GET' },
];

const FLOW = {
  version: 1,
  name: 'fuzz target',
  connections: [{ id: 'broker', type: 'mqtt-broker', config: { url: 'mqtt://127.0.0.1:1' } }],
  nodes: [
    { id: 'tick', type: 'inject', config: { payload: { type: 'number', value: 7 } } },
    { id: 'print', type: 'debug', config: { property: 'payload' } },
  ],
  wires: [{ from: { node: 'tick', port: 'out' }, to: { node: 'print', port: 'in' } }],
};

const nested = (depth: number, open: string, close: string): string => open.repeat(depth) + '1' + close.repeat(depth);
const protoJson = (inner: string): string => `{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},${inner}}`;

/** Bodies as raw text: what a client (or an attacker) can put on the wire. */
const bodyArb: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 200 }),
  fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.array(textMutationArb, { minLength: 1, maxLength: 2 })).map(([v, m]) => mutateText(JSON.stringify(v) ?? '', m)),
  oddJsonValue.map((v) => JSON.stringify(v) ?? 'null'),
  fc
    .record({ field: fc.constantFrom('document', 'revision', 'text', 'values', 'type', 'payload', 'topic', 'port', 'password', 'entry', 'credentials'), value: oddJsonValue })
    .map(({ field, value }) => JSON.stringify({ [field]: value, document: FLOW })),
  fc.record({ depth: fc.integer({ min: 100, max: 20_000 }), arrays: fc.boolean() }).map(({ depth, arrays }) => (arrays ? nested(depth, '[', ']') : nested(depth, '{"a":', '}'))),
  fc.record({ depth: fc.integer({ min: 300, max: 5_000 }) }).map(({ depth }) => JSON.stringify({ document: { ...FLOW, name: 'deep' } }).replace('"deep"', nested(depth, '[', ']'))),
  // Deep values where handlers look: a payload, credential values, a tested entry's config, a node's config.
  fc
    .record({ field: fc.constantFrom('payload', 'values', 'credentials', 'entry', 'config'), depth: fc.integer({ min: 1_000, max: 20_000 }) })
    .map(({ field, depth }) => {
      const deep = nested(depth, '{"a":', '}');
      if (field === 'entry') return `{"entry":{"id":"broker","type":"mqtt-broker","config":{"url":"mqtt://127.0.0.1:1","clientId":${deep}}}}`;
      if (field === 'config') return `{"document":{"version":1,"nodes":[{"id":"tick","type":"inject","config":{"payload":{"type":"json","value":${deep}}}}],"wires":[]}}`;
      return `{"${field}":{"password":${deep}},"payload":${deep}}`;
    }),
  fc.constantFrom(...PROTOTYPE_KEYS).map((key) => protoJson(`"document":${JSON.stringify(FLOW)},"values":{"${key}":"x"},"${key}":{"payload":1}`)),
  fc.constant(`{"text":${JSON.stringify('x'.repeat(BODY_LIMIT))}}`),
);

const paramArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('tick', 'print', 'broker') },
  { weight: 2, arbitrary: fc.constantFrom('ghost', ...PROTOTYPE_KEYS) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) },
);
const contentTypeArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'application/json; charset=nonsense') },
);

describe('REST bodies under fuzzing', () => {
  let server: TestServer;
  let files: Map<string, Buffer | undefined>;
  const STORED = ['flows.json', 'credentials.json', 'credential.key'];
  const snapshot = (): Map<string, Buffer | undefined> =>
    new Map(
      STORED.map((name) => {
        try {
          return [name, readFileSync(join(server.dataDir, name))];
        } catch {
          return [name, undefined];
        }
      }),
    );

  beforeAll(async () => {
    server = await startTestServer({
      nodeTypes: [...coreNodes, ...mqttNodes],
      connectionTypes: mqttConnections,
      initialDocument: FLOW,
      bodyLimit: BODY_LIMIT,
      runtime: { connectTimeoutMs: 500, drainTimeoutMs: 500 },
    });
    expect((await api(server.url, '/api/credentials/broker', { method: 'PUT', body: { values: { password: 'fuzz-secret' } } })).status).toBe(200);
    files = snapshot();
    expect(files.get('flows.json')).toBeDefined();
    expect(files.get('credentials.json')).toBeDefined();
  });
  afterAll(() => server?.dispose());

  it('the table covers every route in API_ROUTES', () => {
    expect(new Set(ROUTES.map((r) => r.key))).toEqual(new Set(Object.keys(API_ROUTES)));
  });

  it('1,500 requests: 2xx or a 4xx ApiError, stored files untouched unless written, the server still serves', { timeout: 100_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), paramArb, bodyArb, contentTypeArb, fc.string({ maxLength: 30 }), async (route, param, body, contentType, query) => {
        const path = apiPath(API_ROUTES[route.key], { id: param, connectionId: param }) + (route.key === 'browse' ? `?node=${encodeURIComponent(query)}&continuationPoint=${encodeURIComponent(query)}` : '');
        // A fresh connection per request: after an early 413 the server drops the connection, and
        // Node's keep-alive agent would otherwise reuse the dead socket ("socket hang up").
        // Content-Length always: Node's client frames a GET body with neither it nor chunking, and the
        // server would rightly read the body as a second, malformed request.
        const headers: Record<string, string> = { Connection: 'close', ...(body === undefined ? {} : { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) }) };
        const res = await rawRequest(server.url, path, { method: route.method, headers, ...(body === undefined ? {} : { body }) });
        const where = `${route.method} ${path} → ${res.status} ${res.body.slice(0, 300)}`;
        // 501/503 are documented answers of browse and trigger; a 500 is always a bug.
        const documented5xx = (res.status === 501 || res.status === 503) && (route.key === 'browse' || route.key === 'inject');
        expect(res.status < 500 || documented5xx, where).toBe(true);
        if (res.status >= 400) {
          const error = JSON.parse(res.body) as { code?: unknown; message?: unknown; issues?: unknown };
          expect(typeof error.code, where).toBe('string');
          expect(typeof error.message === 'string' && error.message.length > 0, where).toBe(true);
          if (error.issues !== undefined) expect(Array.isArray(error.issues), where).toBe(true);
        }
        expect(JSON.stringify(res.body)).not.toContain('fuzz-secret');
        expect(({} as Record<string, unknown>)['polluted'], 'Object.prototype polluted').toBeUndefined();
        const after = snapshot();
        if (route.writes && res.status < 300) files = after;
        else for (const name of STORED) expect(after.get(name)?.equals(files.get(name)!) ?? files.get(name) === undefined, `${name} changed by ${where}`).toBe(true);
      }),
      { seed, numRuns: 1_500 },
    );
    const health = await api(server.url, '/health');
    expect(health.status).toBe(200);
    expect((await api(server.url, '/api/flows')).status).toBe(200);
  });

  it('a body over the limit is 413 PAYLOAD_TOO_LARGE on every route that takes one', { timeout: 30_000 }, async () => {
    const huge = `{"text":${JSON.stringify('€'.repeat(BODY_LIMIT))}}`;
    for (const route of ROUTES.filter((r) => r.method !== 'GET')) {
      const res = await rawRequest(server.url, apiPath(API_ROUTES[route.key], { id: 'tick', connectionId: 'broker' }), { method: route.method, headers: { 'Content-Type': 'application/json', Connection: 'close' }, body: huge });
      expect(res.status, `${route.method} ${route.key}`).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    }
    expect(snapshot()).toEqual(files);
  });
});
