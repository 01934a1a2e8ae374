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
  /**
   * Problems with a config (already migrated and env-substituted), paths relative to the config.
   * `jsonText`, when validation passes it, is `JSON.stringify(config)` and stands for exactly this
   * value (see `exactJsonText`): a cache keyed by content can use it without walking the config.
   */
  validateConfig?(config: Record<string, unknown>, jsonText?: string): ReadonlyArray<{ readonly path: ReadonlyArray<string | number>; readonly message: string }>;
  /** Upgrade a config written for `fromVersion` to the current version. */
  migrateConfig?(config: Record<string, unknown>, fromVersion: number): Record<string, unknown>;
  /** Edges implied by config (link out → link in). */
  virtualWires?(config: Record<string, unknown>): ReadonlyArray<{ readonly port: string; readonly to: { readonly node: string; readonly port: string } }>;
  /**
   * The connection entries a node's config (migrated, env-substituted) refers to: the config path
   * of each reference, the connection id written there and the connection type it must have.
   * Validation checks each one exists (CONNECTION_UNKNOWN) and has that type (CONNECTION_TYPE_MISMATCH).
   */
  connectionRefs?(config: Record<string, unknown>): ReadonlyArray<{ readonly path: ReadonlyArray<string | number>; readonly id: string; readonly type: string }>;
  /**
   * Fields of a config (migrated, as written: before `${ENV}` substitution) holding a secret that
   * belongs in the credential store or the environment, not the document (SECRET_IN_DOCUMENT).
   * The message says where the secret should go; it never repeats the value.
   */
  secretsIn?(config: Record<string, unknown>): ReadonlyArray<{ readonly path: ReadonlyArray<string | number>; readonly message: string }>;
}
