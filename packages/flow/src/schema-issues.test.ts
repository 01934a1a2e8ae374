import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { flowDocumentSchema } from './document.js';
import { schemaIssues } from './schema-issues.js';

function issuesFor(raw: unknown) {
  const result = flowDocumentSchema.safeParse(raw);
  expect(result.success).toBe(false);
  return result.success ? [] : schemaIssues(result.error.issues, raw, flowDocumentSchema);
}

describe('schemaIssues', () => {
  it('names each unknown key at its own path with the keys allowed there', () => {
    expect(issuesFor({ version: 1, nodes: [], wires: [{ from: { node: 'a', port: 'out', prot: 1 }, to: { node: 'b', port: 'in' } }], layuot: {} })).toEqual([
      { severity: 'error', code: 'SCHEMA_INVALID', path: '$.wires[0].from.prot', message: 'unknown property "prot"; expected one of: node, port' },
      {
        severity: 'error',
        code: 'SCHEMA_INVALID',
        path: '$.layuot',
        message: 'unknown property "layuot"; expected one of: $schema, version, name, description, env, tabs, nodes, connections, wires, layout',
      },
    ]);
  });

  it('says what was found and what was expected, with the node id inside nodes and connections', () => {
    const issues = issuesFor({
      version: 1,
      nodes: [{ id: 'scale', type: 'range', disabled: 'yes', config: [] }, { type: 'debug' }],
      connections: [{ id: 'broker', type: '' }],
      wires: [],
      layout: { nodes: { scale: { x: 1 } } },
    });
    expect(issues).toEqual([
      expect.objectContaining({ path: '$.nodes[0].disabled', nodeId: 'scale', message: 'expected a boolean, got "yes"' }),
      expect.objectContaining({ path: '$.nodes[0].config', nodeId: 'scale', message: 'expected an object, got an array' }),
      expect.objectContaining({ path: '$.nodes[1].id', message: 'missing required property "id" (expected a string)' }),
      expect.objectContaining({ path: '$.connections[0].type', nodeId: 'broker', message: 'expected a non-empty string, got ""' }),
      expect.objectContaining({ path: '$.layout.nodes.scale.y', message: 'missing required property "y" (expected a number)' }),
    ]);
    expect(issues[2]).not.toHaveProperty('nodeId');
  });

  it('uses the schema message for formats, with the value found', () => {
    expect(issuesFor({ version: 1, nodes: [{ id: '-x', type: 't' }], wires: [] })).toEqual([
      expect.objectContaining({ path: '$.nodes[0].id', nodeId: '-x', message: expect.stringMatching(/^an id is 1-128 letters.*; got "-x"$/) }),
    ]);
  });

  it('works without a schema to list keys', () => {
    const schema = z.object({ a: z.number() }).strict();
    const result = schema.safeParse({ a: 1, b: 2 });
    expect(schemaIssues(result.error!.issues, { a: 1, b: 2 })).toEqual([{ severity: 'error', code: 'SCHEMA_INVALID', path: '$.b', message: 'unknown property "b"' }]);
  });
});
