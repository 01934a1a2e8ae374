import { describe, expect, it } from 'vitest';
import { flowDocumentSchema } from './document.js';
import { DOCUMENT_MIGRATIONS, migrateDocument, type DocumentMigration } from './migrate-document.js';

/**
 * A made-up version 0 of the format, as an example of the kind of change migrations exist for:
 * node positions lived on the nodes, and wires were positional per node (Node-RED style).
 */
const v0 = Object.freeze({
  version: 0,
  nodes: [
    { id: 'tick', type: 'inject', x: 100, y: 40, wires: [['show']], config: {} },
    { id: 'show', type: 'debug', x: 300, y: 40, wires: [], config: {} },
  ],
});

const v0ToV1: DocumentMigration = (doc) => {
  const nodes = doc['nodes'] as Array<{ id: string; type: string; x: number; y: number; wires: string[][]; config: object }>;
  return {
    nodes: nodes.map(({ id, type, config }) => ({ id, type, config })),
    wires: nodes.flatMap((n) => n.wires.flatMap((targets, port) => targets.map((to) => ({ from: { node: n.id, port: port === 0 ? 'out' : `out${port}` }, to: { node: to, port: 'in' } })))),
    layout: { nodes: Object.fromEntries(nodes.map((n) => [n.id, { x: n.x, y: n.y }])) },
  };
};

describe('migrateDocument', () => {
  it('has no migrations while version 1 is the only version', () => {
    expect(DOCUMENT_MIGRATIONS).toEqual({});
  });

  it('returns a current document as it is', () => {
    const doc = { version: 1, nodes: [], wires: [] };
    const result = migrateDocument(doc);
    expect(result).toEqual({ ok: true, value: doc, fromVersion: 1 });
    expect(result.ok && result.value).toBe(doc);
  });

  it('upgrades an old document through an injected table and sets the version', () => {
    const result = migrateDocument(v0, { 0: v0ToV1 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.fromVersion).toBe(0);
    expect(result.value).toEqual({
      version: 1,
      nodes: [
        { id: 'tick', type: 'inject', config: {} },
        { id: 'show', type: 'debug', config: {} },
      ],
      wires: [{ from: { node: 'tick', port: 'out' }, to: { node: 'show', port: 'in' } }],
      layout: { nodes: { tick: { x: 100, y: 40 }, show: { x: 300, y: 40 } } },
    });
    expect(flowDocumentSchema.safeParse(result.value).success).toBe(true);
  });

  it('chains steps in order', () => {
    const seen: number[] = [];
    const step = (n: number): DocumentMigration => (doc) => {
      seen.push(doc['version'] as number);
      return { ...doc, trail: [...((doc['trail'] as number[] | undefined) ?? []), n] };
    };
    const result = migrateDocument({ version: 1 }, { 1: step(1), 2: step(2), 3: step(3) }, 4);
    expect(result).toEqual({ ok: true, value: { version: 4, trail: [1, 2, 3] }, fromVersion: 1 });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('reports a missing version', () => {
    expect(migrateDocument({ nodes: [], wires: [] })).toEqual({
      ok: false,
      issues: [{ severity: 'error', code: 'VERSION_UNSUPPORTED', path: '$', message: 'the flow document has no "version"; expected "version": 1' }],
    });
  });

  it.each([['"1"'], [1.5], [null]])('reports a version that is not an integer: %j', (version) => {
    const result = migrateDocument({ version });
    expect(result.ok === false && result.issues[0]).toMatchObject({ code: 'VERSION_UNSUPPORTED', path: '$.version' });
  });

  it('reports a version newer than supported', () => {
    const result = migrateDocument({ version: 2 });
    expect(result.ok === false && result.issues[0]).toMatchObject({
      code: 'VERSION_UNSUPPORTED',
      path: '$.version',
      message: 'the flow document is version 2, newer than this Plantwire supports (version 1); upgrade Plantwire to open it',
    });
  });

  it('reports an old version with no migration path', () => {
    const result = migrateDocument({ version: -1 }, { 0: v0ToV1 });
    expect(result.ok === false && result.issues[0]).toMatchObject({ code: 'VERSION_UNSUPPORTED', message: expect.stringContaining('no migration from version -1 to 0') });
  });

  it('reports a step that throws or returns garbage, without throwing', () => {
    const throwing = migrateDocument(v0, {
      0: () => {
        throw new Error('nodes[1] has no id');
      },
    });
    expect(throwing.ok === false && throwing.issues[0]).toMatchObject({ code: 'MIGRATION_FAILED', message: expect.stringContaining('nodes[1] has no id') });
    const garbage = migrateDocument(v0, { 0: () => null as unknown as Record<string, unknown> });
    expect(garbage.ok === false && garbage.issues[0]).toMatchObject({ code: 'MIGRATION_FAILED' });
  });

  it.each([[null], [[]], ['{}'], [3]])('reports %j as not a document', (raw) => {
    const result = migrateDocument(raw);
    expect(result.ok === false && result.issues[0]).toMatchObject({ code: 'SCHEMA_INVALID', path: '$' });
  });
});
