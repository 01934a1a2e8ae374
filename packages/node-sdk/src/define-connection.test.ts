import { validate } from '@plantwire/flow';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { connectionRef, connectionRefsOf } from './connection-ref.js';
import { defineConnection, type ConnectionClient } from './define-connection.js';
import { defineNode } from './define-node.js';
import { toConnectionManifest, toManifest } from './manifest.js';
import { createRegistry, toConnectionTypeInfo, toNodeTypeInfo } from './registry.js';

class FakeClient {
  publish(_topic: string): void {}
}

const broker = defineConnection({
  type: 'fake-broker',
  version: 2,
  summary: 'A broker.',
  config: z.object({ host: z.string(), port: z.int().default(1883), apiKey: z.string().optional().meta({ secret: true }) }),
  credentials: z.object({ username: z.string().meta({ title: 'User' }), password: z.string() }),
  connect: async () => new FakeClient(),
  disconnect: async () => undefined,
  migrations: { 1: (c) => ({ ...c, host: c['hostname'] }) },
});

const device = defineConnection({ type: 'fake-device', version: 1, summary: 'A device.', config: z.object({ unit: z.int() }), connect: async () => ({}), disconnect: async () => undefined });

const subscriber = defineNode({
  type: 'fake-in',
  version: 1,
  category: 'source',
  summary: 'Subscribes.',
  outputs: { out: 'x' },
  config: z.object({
    broker: connectionRef(broker, { title: 'Broker' }),
    fallback: connectionRef('fake-broker').optional(),
    targets: z.array(z.object({ device: connectionRef(device), register: z.int() })).default([]),
    mode: z.discriminatedUnion('kind', [z.object({ kind: z.literal('direct') }), z.object({ kind: z.literal('bridge'), via: connectionRef(device) })]).default({ kind: 'direct' }),
    token: z.string().optional().meta({ secret: true }),
  }),
});

describe('defineConnection', () => {
  it('freezes the declaration and lists credential fields', () => {
    expect(broker.kind).toBe('connection');
    expect(broker.credentialFields).toEqual(['username', 'password']);
    expect(device.credentialFields).toEqual([]);
    expect(Object.isFrozen(broker)).toBe(true);
    // The client type flows through to nodes.
    const typed: ConnectionClient<typeof broker> = new FakeClient();
    expect(typed).toBeInstanceOf(FakeClient);
  });

  it('rejects a bad declaration with the reason', () => {
    const base = { version: 1, summary: 's', config: z.object({}), connect: async () => ({}), disconnect: async () => undefined };
    expect(() => defineConnection({ ...base, type: 'MqttBroker' })).toThrow('defineConnection: type "MqttBroker" must be lowercase kebab-case');
    expect(() => defineConnection({ ...base, type: 'x', version: 0 })).toThrow('defineConnection(x): version must be an integer ≥ 1');
    expect(() => defineConnection({ ...base, type: 'x', config: z.object({ password: z.string() }), credentials: z.object({ password: z.string() }) })).toThrow(
      'defineConnection(x): "password" is declared both in config and in credentials; a secret belongs only in credentials',
    );
    expect(() => defineConnection({ ...base, type: 'x', connectTimeoutMs: 0 })).toThrow(/connectTimeoutMs must be > 0/);
  });
});

describe('connectionRef', () => {
  it('marks the field with the connection type and checks the id', () => {
    const field = connectionRef(broker);
    expect(field.meta()).toMatchObject({ connection: 'fake-broker', title: 'Connection' });
    expect(field.safeParse('plant-1').success).toBe(true);
    expect(field.safeParse('has space').error?.issues[0]?.message).toBe('expected the id of a "fake-broker" connection entry (1-128 letters, digits, "_", ".", ":" or "-")');
  });

  it('finds every reference in a config: nested arrays, optional fields, the matching union variant', () => {
    const config = { broker: 'b1', targets: [{ device: 'd1', register: 1 }, { device: 'd2', register: 2 }], mode: { kind: 'bridge', via: 'd3' } };
    expect(connectionRefsOf(subscriber.config, config)).toEqual([
      { path: ['broker'], id: 'b1', type: 'fake-broker' },
      { path: ['targets', 0, 'device'], id: 'd1', type: 'fake-device' },
      { path: ['targets', 1, 'device'], id: 'd2', type: 'fake-device' },
      { path: ['mode', 'via'], id: 'd3', type: 'fake-device' },
    ]);
    expect(connectionRefsOf(subscriber.config, { broker: 'b1', fallback: 'b2', mode: { kind: 'direct' } }).map((r) => r.id)).toEqual(['b1', 'b2']);
    expect(connectionRefsOf(subscriber.config, { broker: 42 })).toEqual([]);
    expect(connectionRefsOf(z.object({ a: z.string() }), { a: 'x' })).toEqual([]);
  });
});

describe('manifests and type info', () => {
  it('describes a connection type for the editor, with credential names and never values', () => {
    const manifest = toConnectionManifest(broker);
    expect(manifest).toMatchObject({ kind: 'connection', type: 'fake-broker', version: 2, credentialFields: ['username', 'password'], secrets: ['/apiKey'], customTest: false });
    expect(manifest.credentialsSchema).toMatchObject({ properties: { username: { type: 'string', title: 'User' }, password: { type: 'string' } }, required: ['username', 'password'] });
    expect(toConnectionManifest(device).credentialsSchema).toBeUndefined();
  });

  it('marks a connection type with browse as browsable and a node type with onTrigger as triggerable', () => {
    const browsable = defineConnection({
      type: 'fake-server',
      version: 1,
      summary: 'Has an address space.',
      config: z.object({}),
      connect: async () => ({}),
      disconnect: async () => undefined,
      browse: async (_client, request) => ({ node: request.node ?? 'root', items: [] }),
    });
    expect(toConnectionManifest(browsable).browsable).toBe(true);
    expect(toConnectionManifest(device).browsable).toBeUndefined();
    const triggerable = defineNode({ type: 'fake-tick', version: 1, category: 'source', summary: 'Ticks.', outputs: { out: 'x' }, config: z.object({}), onTrigger: (ctx) => void ctx.emit({ payload: 1 }) });
    expect(toManifest(triggerable).triggerable).toBe(true);
    expect(toManifest(subscriber).triggerable).toBeUndefined();
    const base = { type: 'x', version: 1, summary: 's', config: z.object({}), connect: async () => ({}), disconnect: async () => undefined };
    expect(() => defineConnection({ ...base, browse: 'yes' as never })).toThrow('defineConnection(x): browse must be a function');
  });

  it('tells the editor which node fields pick a connection, and of which type', () => {
    expect(toManifest(subscriber).connections).toEqual([
      { pointer: '/broker', type: 'fake-broker' },
      { pointer: '/fallback', type: 'fake-broker' },
      { pointer: '/targets/*/device', type: 'fake-device' },
      { pointer: '/mode/via', type: 'fake-device' },
    ]);
  });

  it('reports credential fields and literal secrets in a config, but not a whole ${ENV} reference', () => {
    const info = toConnectionTypeInfo(broker);
    expect(info).toMatchObject({ kind: 'connection', version: 2, inputs: [], outputs: [] });
    expect(info.secretsIn!({ host: 'h', password: 'x', apiKey: 'k-1' }).map((s) => s.path)).toEqual([['password'], ['apiKey']]);
    expect(info.secretsIn!({ host: 'h', apiKey: '${API_KEY}' })).toEqual([]);
    expect(info.secretsIn!({ host: 'h', apiKey: 'prefix-${API_KEY}' }).map((s) => s.path)).toEqual([['apiKey']]);
    expect(info.migrateConfig!({ hostname: 'h' }, 1)).toEqual({ hostname: 'h', host: 'h' });
    const nodeInfo = toNodeTypeInfo(subscriber);
    expect(nodeInfo.secretsIn!({ broker: 'b', token: 'abc' })).toEqual([{ path: ['token'], message: expect.stringMatching(/reference an environment variable/) }]);
    expect(nodeInfo.connectionRefs!({ broker: 'b' })).toEqual([{ path: ['broker'], id: 'b', type: 'fake-broker' }]);
  });

  it('registers node and connection types in one name space', () => {
    const registry = createRegistry([subscriber], [broker, device]);
    expect(registry.connection('fake-broker')).toBe(broker);
    expect(registry.info('fake-device')?.kind).toBe('connection');
    expect(registry.allConnections()).toEqual([broker, device]);
    expect(() => createRegistry([subscriber], [broker, broker])).toThrow('connection type "fake-broker" is defined twice');
    const clash = defineConnection({ type: 'fake-in', version: 1, summary: 's', config: z.object({}), connect: async () => ({}), disconnect: async () => undefined });
    expect(() => createRegistry([subscriber], [clash])).toThrow('"fake-in" is defined both as a node type and as a connection type; the names share one space');
  });

  it('lets validation check references and secrets end to end', () => {
    const registry = createRegistry([subscriber], [broker, device]);
    const result = validate(
      {
        version: 1,
        nodes: [{ id: 'n', type: 'fake-in', config: { broker: 'd1', targets: [{ device: 'gone', register: 1 }] } }],
        connections: [
          { id: 'd1', type: 'fake-device', config: { unit: 1 } },
          { id: 'b1', type: 'fake-broker', typeVersion: 2, config: { host: 'h', username: 'edge' } },
        ],
        wires: [],
      },
      { nodeTypes: registry.info },
    );
    expect(result.issues.map((i) => [i.code, i.path, i.nodeId])).toEqual([
      ['CONNECTION_TYPE_MISMATCH', '$.nodes[0].config.broker', 'n'],
      ['CONNECTION_UNKNOWN', '$.nodes[0].config.targets[0].device', 'n'],
      ['SECRET_IN_DOCUMENT', '$.connections[1].config.username', 'b1'],
    ]);
    expect(result.issues[0]!.message).toBe('node "n" needs a "fake-broker" connection here, but "d1" ($.connections[0]) is a "fake-device"');
    expect(result.issues[1]!.message).toBe('node "n" uses connection "gone", which does not exist; expected one of: d1');
  });
});
