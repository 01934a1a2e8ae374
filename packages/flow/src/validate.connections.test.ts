import { describe, expect, it } from 'vitest';
import type { NodeTypeInfo } from './issues.js';
import { validate } from './validate.js';

/** A node type whose `conn` field names a `broker` connection; `bad` makes its config invalid. */
const sub: NodeTypeInfo = {
  kind: 'node',
  version: 1,
  inputs: [],
  outputs: ['out'],
  validateConfig: (config) => (typeof config['conn'] === 'string' && /^[a-z0-9-]+$/.test(config['conn']) ? [] : [{ path: ['conn'], message: 'expected a connection id' }]),
  connectionRefs: (config) => (typeof config['conn'] === 'string' ? [{ path: ['conn'], id: config['conn'], type: 'broker' }] : []),
  secretsIn: (config) => (typeof config['token'] === 'string' && !config['token'].startsWith('${') ? [{ path: ['token'], message: 'secret here' }] : []),
};
const broker: NodeTypeInfo = {
  kind: 'connection',
  version: 1,
  inputs: [],
  outputs: [],
  secretsIn: (config) => ('password' in config ? [{ path: ['password'], message: 'set it in the credential store' }] : []),
};
const device: NodeTypeInfo = { kind: 'connection', version: 1, inputs: [], outputs: [] };
const types: Record<string, NodeTypeInfo> = { sub, broker, device };
const nodeTypes = (type: string) => types[type];

const doc = (nodes: unknown[], connections?: unknown[]) => ({ version: 1, nodes, wires: [], ...(connections ? { connections } : {}) });
const codes = (input: unknown) => validate(input, { nodeTypes, env: { TOKEN: 't' } }).issues.map((i) => [i.code, i.path, i.nodeId, i.message]);

describe('validate: connection references and secrets', () => {
  it('accepts references to existing connections of the right type', () => {
    expect(codes(doc([{ id: 'n', type: 'sub', config: { conn: 'b1' } }], [{ id: 'b1', type: 'broker' }]))).toEqual([]);
  });

  it('reports a missing connection, listing the ones of that type', () => {
    expect(codes(doc([{ id: 'n', type: 'sub', config: { conn: 'gone' } }], [{ id: 'b1', type: 'broker' }, { id: 'b2', type: 'broker' }, { id: 'd', type: 'device' }]))).toEqual([
      ['CONNECTION_UNKNOWN', '$.nodes[0].config.conn', 'n', 'node "n" uses connection "gone", which does not exist; expected one of: b1, b2'],
    ]);
    expect(codes(doc([{ id: 'n', type: 'sub', config: { conn: 'gone' } }]))).toEqual([
      ['CONNECTION_UNKNOWN', '$.nodes[0].config.conn', 'n', 'node "n" uses connection "gone", which does not exist; the document has no "broker" connection; add one to $.connections'],
    ]);
  });

  it('reports a reference to a node, and to a connection of another type', () => {
    expect(codes(doc([{ id: 'n', type: 'sub', config: { conn: 'm' } }, { id: 'm', type: 'sub', config: { conn: 'd' } }], [{ id: 'd', type: 'device' }]))).toEqual([
      ['CONNECTION_UNKNOWN', '$.nodes[0].config.conn', 'n', 'node "n" uses connection "m", but that id is a node; expected the id of a "broker" entry in $.connections'],
      ['CONNECTION_TYPE_MISMATCH', '$.nodes[1].config.conn', 'm', 'node "m" needs a "broker" connection here, but "d" ($.connections[0]) is a "device"'],
    ]);
  });

  it('does not repeat a problem already reported at the same path, nor blame a broken entry', () => {
    expect(codes(doc([{ id: 'n', type: 'sub', config: { conn: 'Bad Id' } }])).map((c) => c[0])).toEqual(['CONFIG_INVALID']);
    // The connection entry fails the schema (unknown key): the reference to it is not called unknown.
    expect(codes(doc([{ id: 'n', type: 'sub', config: { conn: 'b1' } }], [{ id: 'b1', type: 'broker', colour: 'red' }])).map((c) => c[0])).toEqual(['SCHEMA_INVALID']);
  });

  it('refuses secrets written in a node or connection config, naming the path; an env reference is fine', () => {
    expect(codes(doc([{ id: 'n', type: 'sub', config: { conn: 'b1', token: 'abc' } }], [{ id: 'b1', type: 'broker', config: { password: 'p' } }]))).toEqual([
      ['SECRET_IN_DOCUMENT', '$.nodes[0].config.token', 'n', 'secret here'],
      ['SECRET_IN_DOCUMENT', '$.connections[0].config.password', 'b1', 'set it in the credential store'],
    ]);
    expect(codes(doc([{ id: 'n', type: 'sub', config: { conn: 'b1', token: '${TOKEN}' } }], [{ id: 'b1', type: 'broker' }]))).toEqual([]);
  });

  it('reports a type callback that throws instead of failing the whole validation', () => {
    const throwing: NodeTypeInfo = { ...sub, connectionRefs: () => { throw new Error('bug'); }, secretsIn: () => { throw new Error('bug2'); } };
    const issues = validate(doc([{ id: 'n', type: 't', config: { conn: 'b1' } }], [{ id: 'b1', type: 'broker' }]), { nodeTypes: (t) => (t === 't' ? throwing : types[t]) }).issues;
    expect(issues.map((i) => [i.code, i.message])).toEqual([
      ['CONFIG_INVALID', 'the secret-field check of "t" failed: bug2'],
      ['CONFIG_INVALID', 'the connection references of "t" could not be read from its config: bug'],
    ]);
  });
});
