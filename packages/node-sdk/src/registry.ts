import type { NodeTypeInfo } from '@plantwire/flow';
import type { z } from 'zod';
import { CONNECTION_META_KEY, connectionRefsOf } from './connection-ref.js';
import type { AnyConnectionType } from './define-connection.js';
import type { AnyNodeType } from './define-node.js';
import { findMeta, schemaMentions, type ConfigPath } from './schema-walk.js';

/** What a config migration needs of a node or connection type. */
type Migratable = Pick<AnyNodeType, 'type' | 'version' | 'migrations'>;

/**
 * Upgrade a config written for `fromVersion` of a node (or connection) type to its current version,
 * through the type's migrations in order. Throws when a step is missing.
 */
export function migrateConfig(nodeType: Migratable, config: Record<string, unknown>, fromVersion: number): Record<string, unknown> {
  let current = config;
  for (let v = fromVersion; v < nodeType.version; v++) {
    const step = nodeType.migrations?.[v];
    if (!step) throw new Error(`node type ${nodeType.type} has no migration from version ${v} to ${v + 1}`);
    current = step(current);
  }
  return current;
}

/** Parse a config with the type's schema: defaults filled, typed. Throws the zod error on failure. */
export function parseConfig<T extends AnyNodeType>(nodeType: T, config: Record<string, unknown>): z.output<T['config']> {
  return nodeType.config.parse(config) as z.output<T['config']>;
}

// Exactly one `${NAME}`: a reference to a value kept outside the document, not a secret in it.
const WHOLE_ENV_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/**
 * Fields of a config (as written, before `${ENV}` substitution) whose schema marks them
 * `.meta({secret: true})` and which hold a literal value. A whole `${NAME}` reference is allowed:
 * the secret then lives in the environment, not in the document.
 */
export function literalSecretsIn(schema: z.ZodType, config: unknown): ConfigPath[] {
  return findMeta(schema, config, 'secret')
    .filter((hit) => hit.meta['secret'] === true && hit.value !== undefined && hit.value !== null && hit.value !== '')
    .filter((hit) => !(typeof hit.value === 'string' && WHOLE_ENV_REFERENCE.test(hit.value)))
    .map((hit) => hit.path);
}

/**
 * A config's problems as `NodeTypeInfo.validateConfig` reports them, from the result of parsing it
 * with the type's schema: none when it parsed, else one per zod issue with its path.
 */
export function configProblems(result: z.ZodSafeParseResult<unknown>): ReturnType<NonNullable<NodeTypeInfo['validateConfig']>> {
  if (result.success) return NONE;
  return result.error.issues.map((issue) => ({ path: issue.path.filter((p): p is string | number => typeof p !== 'symbol'), message: issue.message }));
}

function validateWith(schema: z.ZodType): NonNullable<NodeTypeInfo['validateConfig']> {
  return (config) => configProblems(schema.safeParse(config));
}

/**
 * What `connectionRefs` and `secretsIn` answer for a type whose schema has no such field (most
 * types): one shared empty list, without walking the config. The walk and its chain of filtered
 * copies were ~8% of validating a 5,000-node document.
 */
const NONE: readonly never[] = Object.freeze([]);

const SECRET_MESSAGE = 'this field is secret and must not be written in the flow document; reference an environment variable (`${NAME}`) instead';

/** What flow validation needs of a node type, derived from its definition. */
export function toNodeTypeInfo(nodeType: AnyNodeType): NodeTypeInfo {
  return {
    kind: nodeType.category === 'connection' ? 'connection' : 'node',
    version: nodeType.version,
    inputs: Object.keys(nodeType.inputs),
    outputs: Object.keys(nodeType.outputs),
    validateConfig: validateWith(nodeType.config),
    migrateConfig: (config, fromVersion) => migrateConfig(nodeType, config, fromVersion),
    virtualWires: nodeType.virtualWires
      ? (config) => {
          const parsed = nodeType.config.safeParse(config);
          return parsed.success ? nodeType.virtualWires!(parsed.data) : [];
        }
      : undefined,
    connectionRefs: (config) => (schemaMentions(nodeType.config, CONNECTION_META_KEY) ? connectionRefsOf(nodeType.config, config) : NONE),
    secretsIn: (config) => (schemaMentions(nodeType.config, 'secret') ? literalSecretsIn(nodeType.config, config).map((path) => ({ path, message: SECRET_MESSAGE })) : NONE),
  };
}

/** What flow validation needs of a connection type: no ports; its credential fields are refused in `config`. */
export function toConnectionTypeInfo(connectionType: AnyConnectionType): NodeTypeInfo {
  const credentialFields = new Set(connectionType.credentialFields);
  return {
    kind: 'connection',
    version: connectionType.version,
    inputs: [],
    outputs: [],
    validateConfig: validateWith(connectionType.config),
    migrateConfig: (config, fromVersion) => migrateConfig(connectionType, config, fromVersion),
    secretsIn(config) {
      const found: Array<{ path: ConfigPath; message: string }> = [];
      for (const key of Object.keys(config)) {
        if (!credentialFields.has(key)) continue;
        found.push({
          path: [key],
          message: `"${key}" is a credential of "${connectionType.type}" and must not be written in the flow document; set it in the credential store (runtime.credentials.set, or the editor's credentials form)`,
        });
      }
      for (const path of literalSecretsIn(connectionType.config, config)) found.push({ path, message: SECRET_MESSAGE });
      return found;
    },
  };
}

/** A lookup of node and connection types by name, rejecting duplicates (both share one name space). */
export interface NodeRegistry {
  get(type: string): AnyNodeType | undefined;
  /** A connection type declared with `defineConnection`. */
  connection(type: string): AnyConnectionType | undefined;
  /** What validation needs, for a node type or a connection type. */
  info(type: string): NodeTypeInfo | undefined;
  all(): readonly AnyNodeType[];
  allConnections(): readonly AnyConnectionType[];
}

/**
 * Build the registry of the types a runtime (or validator) knows.
 *
 * @example
 * const registry = createRegistry([...coreNodes, mqttIn, mqttOut], [mqttBroker]);
 * validate(doc, { nodeTypes: registry.info });
 */
export function createRegistry(types: readonly AnyNodeType[], connectionTypes: readonly AnyConnectionType[] = []): NodeRegistry {
  const byType = new Map<string, AnyNodeType>();
  const connections = new Map<string, AnyConnectionType>();
  const infos = new Map<string, NodeTypeInfo>();
  for (const t of types) {
    if (byType.has(t.type)) throw new Error(`node type "${t.type}" is defined twice`);
    byType.set(t.type, t);
    infos.set(t.type, toNodeTypeInfo(t));
  }
  for (const c of connectionTypes) {
    if (connections.has(c.type)) throw new Error(`connection type "${c.type}" is defined twice`);
    if (byType.has(c.type)) throw new Error(`"${c.type}" is defined both as a node type and as a connection type; the names share one space`);
    connections.set(c.type, c);
    infos.set(c.type, toConnectionTypeInfo(c));
  }
  return {
    get: (type) => byType.get(type),
    connection: (type) => connections.get(type),
    info: (type) => infos.get(type),
    all: () => [...byType.values()],
    allConnections: () => [...connections.values()],
  };
}
