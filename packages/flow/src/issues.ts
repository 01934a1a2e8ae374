/** One problem found in a flow document, with its address. */
export interface ValidationIssue {
  readonly severity: 'error' | 'warning';
  /** From the catalogue in docs/errors.md, e.g. CONFIG_INVALID, UNKNOWN_NODE_TYPE, WIRE_DANGLING. */
  readonly code: string;
  readonly message: string;
  /** JSON path into the document, e.g. `$.nodes[3].config.rules[0].value`. */
  readonly path: string;
  /** The node (or connection) the problem belongs to, when there is one. */
  readonly nodeId?: string;
}

/**
 * What validation needs to know of a node or connection type, handed in by the caller (the flow
 * package knows no node types). `@plantwire/node-sdk` derives it from a node definition.
 */
export interface NodeTypeInfo {
  readonly kind: 'node' | 'connection';
  readonly version: number;
  readonly inputs: readonly string[];
  /** Declared outputs; the implicit `error` output is added by validation. */
  readonly outputs: readonly string[];
  /** Problems with a config (already migrated and env-substituted), paths relative to the config. */
  validateConfig?(config: Record<string, unknown>): ReadonlyArray<{ readonly path: ReadonlyArray<string | number>; readonly message: string }>;
  /** Upgrade a config written for `fromVersion` to the current version. */
  migrateConfig?(config: Record<string, unknown>, fromVersion: number): Record<string, unknown>;
  /** Edges implied by config (link out → link in). */
  virtualWires?(config: Record<string, unknown>): ReadonlyArray<{ readonly port: string; readonly to: { readonly node: string; readonly port: string } }>;
}
