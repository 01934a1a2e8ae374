import { z } from 'zod';
import type { AnyNodeType, NodeCategory, PortMap } from './define-node.js';

/**
 * A node type as data: what the editor renders the palette entry and property form from, served
 * by the server at `GET /api/node-types`. Derived from the definition, never written by hand.
 */
export interface NodeManifest {
  readonly type: string;
  readonly version: number;
  readonly category: NodeCategory;
  readonly summary: string;
  readonly description?: string | undefined;
  readonly icon?: string | undefined;
  readonly inputs: PortMap;
  readonly outputs: PortMap;
  /** JSON Schema (draft 2020-12) of the config as written in a document: titles, defaults, examples, `secret: true` markers. */
  readonly configSchema: Record<string, unknown>;
  /** JSON pointers (into the config) of secret fields; their values never leave the server. */
  readonly secrets: readonly string[];
}

export function toManifest(nodeType: AnyNodeType): NodeManifest {
  const configSchema = z.toJSONSchema(nodeType.config, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    type: nodeType.type,
    version: nodeType.version,
    category: nodeType.category,
    summary: nodeType.summary,
    description: nodeType.description,
    icon: nodeType.icon,
    inputs: nodeType.inputs,
    outputs: nodeType.outputs,
    configSchema,
    secrets: findSecrets(configSchema, ''),
  };
}

function findSecrets(schema: unknown, pointer: string): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as Record<string, unknown>;
  const found: string[] = s['secret'] === true ? [pointer || '/'] : [];
  const props = s['properties'];
  if (props && typeof props === 'object') {
    for (const [key, sub] of Object.entries(props)) found.push(...findSecrets(sub, `${pointer}/${key}`));
  }
  return found;
}
