import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flowDocumentSchema } from './document.js';
import { fastParseFlowDocument, safeParseFlowDocument } from './parse-flow-document.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/line-3-oven.flow.json', import.meta.url), 'utf8')) as Record<string, unknown>;

/** Everything about a parsed value that a caller could see: JSON, key order included, and `undefined` values. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (typeof value === 'object' && value !== null) return Object.entries(value).map(([k, v]) => [k, v === undefined ? '<undefined>' : shape(v)]);
  return value;
}

const full = {
  $schema: 'https://example.test/flow.schema.json',
  version: 1,
  name: 'all fields',
  description: 'every optional field present, keys out of schema order',
  env: { PLANT: 'oven', B_2: 'x' },
  tabs: [{ env: { LINE: '3' }, label: 'Line 3', id: 'line-3', disabled: false }],
  nodes: [
    { config: { z: 1, a: { deep: [1, 2] } }, id: 'n1', type: 'change', typeVersion: 2, name: 'N', tab: 'line-3', disabled: true, queue: { overflow: 'keep-latest-per-topic', capacity: 5 } },
    { id: 'n2', type: 'debug' },
    { id: 'n3', type: 'debug', config: undefined, name: undefined },
  ],
  connections: [{ id: 'c1', type: 'mqtt-broker', typeVersion: 1, name: 'broker', config: { url: 'mqtt://127.0.0.1' } }],
  wires: [{ to: { port: 'in', node: 'n2' }, from: { node: 'n1', port: 'out' } }],
  layout: { groups: [{ nodes: ['n1'], id: 'g1', label: 'G', tab: 'line-3', style: { color: 'red' } }], nodes: { n1: { y: -0, x: 1.5, width: 10, height: 3 } } },
};

describe('safeParseFlowDocument', () => {
  it.each([
    ['the fixture', fixture],
    ['a document with every optional field, keys in any order, explicit undefined', full],
    ['a minimal document', { version: 1, nodes: [], wires: [] }],
  ])('takes %s on the fast path and returns exactly what the zod schema returns', (_name, doc) => {
    const fast = fastParseFlowDocument(doc);
    expect(fast).toBeDefined();
    const zod = flowDocumentSchema.parse(doc);
    expect(shape(fast)).toEqual(shape(zod));
    expect(fast).toEqual(zod);
  });

  it('copies objects and arrays like zod, and shares config values', () => {
    const fast = fastParseFlowDocument(full)!;
    expect(fast).not.toBe(full);
    expect(fast.nodes).not.toBe(full.nodes);
    expect(fast.nodes[0]!.config).not.toBe(full.nodes[0]!.config);
    expect(fast.nodes[0]!.config['a']).toBe(full.nodes[0]!.config!['a']);
    expect(fast.nodes[1]!.config).toEqual({});
  });

  it.each([
    ['an unknown key', { version: 1, nodes: [], wires: [], extra: 1 }],
    ['a bad id', { version: 1, nodes: [{ id: '-x', type: 't' }], wires: [] }],
    ['an empty port', { version: 1, nodes: [], wires: [{ from: { node: 'a', port: '' }, to: { node: 'b', port: 'in' } }] }],
    ['a fractional capacity', { version: 1, nodes: [{ id: 'a', type: 't', queue: { capacity: 1.5 } }], wires: [] }],
    ['a capacity over the limit', { version: 1, nodes: [{ id: 'a', type: 't', queue: { capacity: 1_000_001 } }], wires: [] }],
    ['an unknown overflow policy', { version: 1, nodes: [{ id: 'a', type: 't', queue: { overflow: 'drop' } }], wires: [] }],
    ['a NaN position', { version: 1, nodes: [], wires: [], layout: { nodes: { a: { x: Number.NaN, y: 0 } } } }],
    ['a bad env name', { version: 1, env: { '1X': 'v' }, nodes: [], wires: [] }],
    ['a hole in nodes', { version: 1, nodes: [, { id: 'a', type: 't' }], wires: [] }], // eslint-disable-line no-sparse-arrays
    ['a config that is an array', { version: 1, nodes: [{ id: 'a', type: 't', config: [] }], wires: [] }],
    ['version 2', { version: 2, nodes: [], wires: [] }],
  ])('leaves a document with %s to zod, which rejects it', (_name, doc) => {
    expect(fastParseFlowDocument(doc)).toBeUndefined();
    const result = safeParseFlowDocument(doc);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual(flowDocumentSchema.safeParse(doc).error?.issues);
  });

  it.each([
    ['a config with an own __proto__ key', { version: 1, nodes: [{ id: 'a', type: 't', config: JSON.parse('{"__proto__": {"x": 1}}') as unknown }], wires: [] }],
    ['a config with a symbol key', { version: 1, nodes: [{ id: 'a', type: 't', config: { [Symbol('s')]: 1 } }], wires: [] }],
    ['a null-prototype node', { version: 1, nodes: [Object.assign(Object.create(null) as object, { id: 'a', type: 't' })], wires: [] }],
  ])('leaves a document with %s to zod, and answers as zod does', (_name, doc) => {
    expect(fastParseFlowDocument(doc)).toBeUndefined();
    const result = safeParseFlowDocument(doc);
    const zod = flowDocumentSchema.safeParse(doc);
    expect(result.success).toBe(zod.success);
    if (zod.success) expect(shape(result.data)).toEqual(shape(zod.data));
  });
});
