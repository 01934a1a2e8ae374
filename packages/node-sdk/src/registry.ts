import type { NodeTypeInfo } from '@plantwire/flow';
import type { z } from 'zod';
import type { AnyNodeType } from './define-node.js';

/**
 * Upgrade a config written for `fromVersion` of a node type to its current version, through the
 * type's migrations in order. Throws when a step is missing.
 */
export function migrateConfig(nodeType: AnyNodeType, config: Record<string, unknown>, fromVersion: number): Record<string, unknown> {
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

/** What flow validation needs of a node type, derived from its definition. */
export function toNodeTypeInfo(nodeType: AnyNodeType): NodeTypeInfo {
  return {
    kind: nodeType.category === 'connection' ? 'connection' : 'node',
    version: nodeType.version,
    inputs: Object.keys(nodeType.inputs),
    outputs: Object.keys(nodeType.outputs),
    validateConfig(config) {
      const result = nodeType.config.safeParse(config);
      if (result.success) return [];
      return result.error.issues.map((issue) => ({ path: issue.path.filter((p): p is string | number => typeof p !== 'symbol'), message: issue.message }));
    },
    migrateConfig: (config, fromVersion) => migrateConfig(nodeType, config, fromVersion),
    virtualWires: nodeType.virtualWires
      ? (config) => {
          const parsed = nodeType.config.safeParse(config);
          return parsed.success ? nodeType.virtualWires!(parsed.data) : [];
        }
      : undefined,
  };
}

/** A lookup of node types by name, rejecting duplicates. */
export interface NodeRegistry {
  get(type: string): AnyNodeType | undefined;
  info(type: string): NodeTypeInfo | undefined;
  all(): readonly AnyNodeType[];
}

export function createRegistry(types: readonly AnyNodeType[]): NodeRegistry {
  const byType = new Map<string, AnyNodeType>();
  const infos = new Map<string, NodeTypeInfo>();
  for (const t of types) {
    if (byType.has(t.type)) throw new Error(`node type "${t.type}" is defined twice`);
    byType.set(t.type, t);
    infos.set(t.type, toNodeTypeInfo(t));
  }
  return { get: (type) => byType.get(type), info: (type) => infos.get(type), all: () => [...byType.values()] };
}
