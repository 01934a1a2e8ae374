import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FLOW_DOCUMENT_SCHEMA_ID, flowDocumentJsonSchema } from './flow-document-json-schema.js';

type Schema = Record<string, unknown> & { properties: Record<string, Schema>; items: Schema; required?: string[] };

describe('flowDocumentJsonSchema', () => {
  const schema = flowDocumentJsonSchema() as Schema;

  it('is draft 2020-12 with the published id, title and description', () => {
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema['$id']).toBe('plantwire-flow-1.schema.json');
    expect(FLOW_DOCUMENT_SCHEMA_ID).toBe(schema['$id']);
    expect(schema['title']).toBe('Plantwire flow document, version 1');
    expect(String(schema['description'])).toContain('${NAME}');
  });

  it('describes the document as it is written (io: input)', () => {
    expect(schema.required).toEqual(['version', 'nodes', 'wires']);
    expect(schema['additionalProperties']).toBe(false);
    const node = schema.properties['nodes']!.items;
    // config has a default, so a hand-written node may leave it out.
    expect(node.required).toEqual(['id', 'type']);
    expect(node.properties['type']!['description']).toBe('Node type, e.g. "change" or "mqtt-in".');
    expect(schema.properties['version']).toMatchObject({ const: 1 });
  });

  it('equals the checked-in packages/flow/schema/flow.schema.json (regenerate it if this fails)', () => {
    const checkedIn = JSON.parse(readFileSync(new URL('../schema/flow.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(checkedIn).toEqual(schema);
  });
});
