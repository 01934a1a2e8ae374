import * as z from 'zod';
import { CONNECTION_META_KEY } from './connection-ref.js';
import type { AnyConnectionType } from './define-connection.js';
import type { AnyNodeType } from './define-node.js';
import type { ConnectionManifest, NodeManifest } from '@plantwire/protocol';

export type { ConnectionManifest, NodeManifest };

/** Derive the editor's view of a node type from its definition. */
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
    connections: findConnectionRefs(configSchema),
    ...(typeof nodeType.onTrigger === 'function' ? { triggerable: true } : {}),
    ...(typeof nodeType.privileged === 'function' ? { privileged: true } : {}),
  };
}

/** Derive the editor's view of a connection type from its definition. */
export function toConnectionManifest(connectionType: AnyConnectionType): ConnectionManifest {
  const configSchema = z.toJSONSchema(connectionType.config, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const credentialsSchema = connectionType.credentials
    ? (z.toJSONSchema(connectionType.credentials, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>)
    : undefined;
  return {
    kind: 'connection',
    type: connectionType.type,
    version: connectionType.version,
    summary: connectionType.summary,
    description: connectionType.description,
    icon: connectionType.icon,
    configSchema,
    credentialFields: connectionType.credentialFields,
    credentialsSchema,
    secrets: findSecrets(configSchema, ''),
    customTest: typeof connectionType.test === 'function',
    ...(typeof connectionType.browse === 'function' ? { browsable: true } : {}),
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

/** `connection` markers in a config's JSON Schema: through properties, array items and union variants (`$defs` are followed once). */
function findConnectionRefs(root: Record<string, unknown>): Array<{ pointer: string; type: string }> {
  const found: Array<{ pointer: string; type: string }> = [];
  const defs = (root['$defs'] ?? {}) as Record<string, unknown>;
  const visit = (schema: unknown, pointer: string, seen: ReadonlySet<string>): void => {
    if (!schema || typeof schema !== 'object') return;
    let s = schema as Record<string, unknown>;
    const ref = s['$ref'];
    if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
      if (seen.has(ref)) return;
      seen = new Set([...seen, ref]);
      s = { ...(defs[ref.slice('#/$defs/'.length)] as Record<string, unknown> | undefined), ...s };
    }
    const type = s[CONNECTION_META_KEY];
    if (typeof type === 'string') {
      if (!found.some((f) => f.pointer === (pointer || '/'))) found.push({ pointer: pointer || '/', type });
      return;
    }
    const props = s['properties'];
    if (props && typeof props === 'object') for (const [key, sub] of Object.entries(props)) visit(sub, `${pointer}/${key}`, seen);
    if (s['items']) visit(s['items'], `${pointer}/*`, seen);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      const variants = s[key];
      if (Array.isArray(variants)) for (const v of variants) visit(v, pointer, seen);
    }
  };
  visit(root, '', new Set());
  return found;
}
