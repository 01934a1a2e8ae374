import { z } from 'zod';
import { CONNECTION_META_KEY } from './connection-ref.js';
import type { AnyConnectionType } from './define-connection.js';
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
  /**
   * Config fields declared with `connectionRef()`: JSON pointer (array items as `/*`) and the
   * connection type they take, so the editor offers a picker of entries of that type.
   */
  readonly connections: ReadonlyArray<{ readonly pointer: string; readonly type: string }>;
}

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
  };
}

/**
 * A connection type as data, served to the editor (the connection form, the "test connection"
 * button) and rendered into docs. Credential fields are described (names, JSON Schema with titles
 * and which are required) so the editor can draw a write-only form; a manifest never holds a value.
 */
export interface ConnectionManifest {
  readonly kind: 'connection';
  readonly type: string;
  readonly version: number;
  readonly summary: string;
  readonly description?: string | undefined;
  readonly icon?: string | undefined;
  /** JSON Schema (draft 2020-12) of the config as written in a document. */
  readonly configSchema: Record<string, unknown>;
  /** Names of the credential fields, kept in the credential store and never in the document. */
  readonly credentialFields: readonly string[];
  /** JSON Schema of the credentials object (field titles, types, required); absent when the type has none. */
  readonly credentialsSchema?: Record<string, unknown> | undefined;
  /** JSON pointers of config fields marked `secret: true` (allowed only as a `${NAME}` reference). */
  readonly secrets: readonly string[];
  /** True when the type has its own `test`; every connection type can be tested (else by connecting). */
  readonly customTest: boolean;
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
