import { FLOW_DOCUMENT_VERSION } from './document.js';
import type { ValidationIssue } from './issues.js';
import { describeValue as describe } from './describe-value.js';

/**
 * One upgrade step of the flow document format. It receives a document of version `n` (already
 * checked to be an object) and returns the version `n + 1` document. It must not mutate its input;
 * it need not set `version`, {@link migrateDocument} does.
 */
export type DocumentMigration = (doc: Readonly<Record<string, unknown>>) => Record<string, unknown>;

/**
 * The document upgrades this package knows: `DOCUMENT_MIGRATIONS[n]` turns a version-`n` document
 * into a version-`n + 1` one. Empty while version 1 is the only version ever written; the first
 * format change adds its step here together with a fixture of the old format.
 */
export const DOCUMENT_MIGRATIONS: Readonly<Record<number, DocumentMigration>> = Object.freeze({});

/** What {@link migrateDocument} returns. */
export type MigrateDocumentResult =
  | {
      readonly ok: true;
      /** The document at the target version; the input itself when it was already current. */
      readonly value: Record<string, unknown>;
      /** The version the input was written in. */
      readonly fromVersion: number;
    }
  | { readonly ok: false; readonly issues: ValidationIssue[] };

/**
 * Bring a raw (parsed but unvalidated) flow document up to the current format version by applying
 * the table's steps in order. Never throws: a non-object input, a missing or non-integer version,
 * a version newer than `target`, a missing step or a step that throws all come back as issues
 * (codes SCHEMA_INVALID, VERSION_UNSUPPORTED, MIGRATION_FAILED) at path `$` or `$.version`.
 *
 * Only the document format is migrated here; per-node `typeVersion` upgrades need the node types
 * and happen in `validate()`.
 *
 * @param table upgrade steps keyed by the version they start from (tests inject their own).
 * @param target the version to reach; defaults to {@link FLOW_DOCUMENT_VERSION}.
 * @example
 * const r = migrateDocument(JSON.parse(text));
 * if (!r.ok) printIssues(r.issues);
 */
export function migrateDocument(
  raw: unknown,
  table: Readonly<Record<number, DocumentMigration>> = DOCUMENT_MIGRATIONS,
  target: number = FLOW_DOCUMENT_VERSION,
): MigrateDocumentResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail('SCHEMA_INVALID', '$', `expected a flow document (a JSON object), got ${describe(raw)}`);
  }
  const doc = raw as Record<string, unknown>;
  const version = doc['version'];
  if (version === undefined) {
    return fail('VERSION_UNSUPPORTED', '$', `the flow document has no "version"; expected "version": ${target}`);
  }
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return fail('VERSION_UNSUPPORTED', '$.version', `"version" must be an integer (this Plantwire reads version ${target}), got ${describe(version)}`);
  }
  if (version > target) {
    return fail(
      'VERSION_UNSUPPORTED',
      '$.version',
      `the flow document is version ${version}, newer than this Plantwire supports (version ${target}); upgrade Plantwire to open it`,
    );
  }
  let current = doc;
  for (let v = version; v < target; v++) {
    const step = Object.hasOwn(table, v) ? table[v] : undefined;
    if (!step) {
      return fail('VERSION_UNSUPPORTED', '$.version', `flow document version ${version} cannot be upgraded: there is no migration from version ${v} to ${v + 1}`);
    }
    let next: unknown;
    try {
      next = step(current);
    } catch (err) {
      return fail('MIGRATION_FAILED', '$', `upgrading the flow document from version ${v} to ${v + 1} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      return fail('MIGRATION_FAILED', '$', `the migration from version ${v} to ${v + 1} returned ${describe(next)} instead of a document object`);
    }
    current = { ...(next as Record<string, unknown>), version: v + 1 };
  }
  return { ok: true, value: current, fromVersion: version };
}

function fail(code: string, path: string, message: string): MigrateDocumentResult {
  return { ok: false, issues: [{ severity: 'error', code, message, path }] };
}
