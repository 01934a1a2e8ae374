import * as z from 'zod';
import { FLOW_DOCUMENT_VERSION, flowDocumentSchema } from './document.js';

/** The `$id` of the published schema; documents point at it with `"$schema"`. */
export const FLOW_DOCUMENT_SCHEMA_ID = `plantwire-flow-${FLOW_DOCUMENT_VERSION}.schema.json`;

/**
 * The published JSON Schema (draft 2020-12) of the flow document, generated from
 * `flowDocumentSchema` as a document is written (`io: 'input'`: defaulted fields such as a
 * node's `config` are optional). Editors such as VS Code use it for completion and checks;
 * it is checked in at `packages/flow/schema/flow.schema.json` (export `@plantwire/flow/schema.json`)
 * and a test keeps the file equal to this function's result.
 *
 * The schema covers structure only; what it cannot say (wires to existing ports, node configs,
 * env variables) is checked by `validate()`.
 *
 * @example
 * await writeFile('packages/flow/schema/flow.schema.json', `${JSON.stringify(flowDocumentJsonSchema(), null, 2)}\n`);
 */
export function flowDocumentJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(flowDocumentSchema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
  const { $schema, title: _title, description: _description, ...rest } = generated;
  return {
    $schema: $schema ?? 'https://json-schema.org/draft/2020-12/schema',
    $id: FLOW_DOCUMENT_SCHEMA_ID,
    title: `Plantwire flow document, version ${FLOW_DOCUMENT_VERSION}`,
    description:
      'A Plantwire flow: nodes with named ports, explicit wires between them, shared connections, tabs with their environment, and editor layout kept apart from semantics. Config values may reference environment variables as ${NAME}.',
    ...rest,
  };
}
