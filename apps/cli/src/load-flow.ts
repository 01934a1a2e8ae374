import { readFile } from 'node:fs/promises';
import { locator, parseDocumentText, validate, type FlowDocument, type ValidationIssue } from '@plantwire/flow';
import { createRegistry, type AnyConnectionType, type AnyNodeType } from '@plantwire/node-sdk';
import { CliError, EXIT } from './exit-codes.js';

/** A problem with its place in the file, ready to print. */
export interface LocatedIssue extends ValidationIssue {
  readonly line: number;
  readonly column: number;
}

/** What loading and validating one flow file gives. */
export interface LoadedFlow {
  readonly file: string;
  readonly text: string;
  /** The parsed JSON, before migration (what a deploy receives). Undefined for invalid JSON. */
  readonly raw: unknown;
  /** The validated, migrated document when there are no errors. */
  readonly document: FlowDocument | undefined;
  /** Every problem, errors and warnings, with line and column. */
  readonly issues: readonly LocatedIssue[];
  readonly ok: boolean;
}

/** Read a file as text; a missing or unreadable file is a usage/IO error (exit 2). */
export async function readFlowFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a flow document file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new CliError(EXIT.USAGE, `cannot read ${file}: ${why}`);
  }
}

/**
 * Parse and validate a flow document file against the given node types and environment, placing
 * every issue at a line and column of the text.
 */
export async function loadFlow(
  file: string,
  nodeTypes: readonly AnyNodeType[],
  env: Readonly<Record<string, string | undefined>>,
  connectionTypes: readonly AnyConnectionType[] = [],
  /** Set these in the document's own `env` (over what the file says), e.g. `plantwire start` pointing a flow at the plant it started. */
  documentEnv?: Readonly<Record<string, string>>,
): Promise<LoadedFlow> {
  const text = await readFlowFile(file);
  const parsed = withDocumentEnv(parseDocumentText(text), documentEnv);
  if (!parsed.ok) {
    // parseDocumentText names the position in its message ("at line 12, column 7").
    const m = /line (\d+), column (\d+)/.exec(parsed.issue.message);
    const issue = { ...parsed.issue, line: m ? Number(m[1]) : 1, column: m ? Number(m[2]) : 1 };
    return { file, text, raw: undefined, document: undefined, issues: [issue], ok: false };
  }
  const registry = createRegistry(nodeTypes, connectionTypes);
  const result = validate(parsed.value, { nodeTypes: (type) => registry.info(type), env });
  const issues = placeIssues(text, result.issues.map((issue) => withWireNode(issue, parsed.value)));
  return { file, text, raw: parsed.value, document: result.ok ? result.document : undefined, issues, ok: result.ok };
}

function withDocumentEnv(parsed: ReturnType<typeof parseDocumentText>, documentEnv: Readonly<Record<string, string>> | undefined): ReturnType<typeof parseDocumentText> {
  if (!parsed.ok || documentEnv === undefined) return parsed;
  const value = parsed.value;
  // Not an object: validation reports that; there is no env to set.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return parsed;
  const env = (value as { env?: unknown }).env;
  const own = typeof env === 'object' && env !== null && !Array.isArray(env) ? env : {};
  return { ...parsed, value: { ...value, env: { ...own, ...documentEnv } } };
}

/**
 * A wire problem belongs to a node too: the node at the end the path points into (`…to.port` →
 * the target), or, when that end names no node (a dangling wire), the node at the other end.
 * So every line of `validate` can say which node to look at.
 */
export function withWireNode(issue: ValidationIssue, raw: unknown): ValidationIssue {
  if (issue.nodeId !== undefined) return issue;
  const m = /^\$\.wires\[(\d+)\](?:\.(from|to)\b)?/.exec(issue.path);
  if (!m) return issue;
  const doc = raw as { nodes?: unknown; wires?: unknown } | null;
  const wire = Array.isArray(doc?.wires) ? (doc.wires[Number(m[1])] as Record<string, { node?: unknown } | undefined> | undefined) : undefined;
  const nodeIds = new Set(Array.isArray(doc?.nodes) ? doc.nodes.map((n) => (n as { id?: unknown } | null)?.id) : []);
  const side = m[2] ?? 'from';
  const other = side === 'from' ? 'to' : 'from';
  for (const end of [side, other]) {
    const id = wire?.[end]?.node;
    if (typeof id === 'string' && nodeIds.has(id)) return { ...issue, nodeId: id };
  }
  return issue;
}

/** Line and column for each issue, in file order (errors before warnings on the same spot). */
export function placeIssues(text: string, issues: readonly ValidationIssue[]): LocatedIssue[] {
  const where = locator(text);
  return issues
    .map((issue, index) => ({ issue: { ...issue, ...(where(issue.path) ?? { line: 1, column: 1 }) }, index }))
    .sort((a, b) => a.issue.line - b.issue.line || a.issue.column - b.issue.column || a.index - b.index)
    .map(({ issue }) => issue);
}

/** `FILE:LINE:COL  error|warning  CODE  node <id>  <json path>  message` (`-` when no node). */
export function formatIssue(file: string, issue: LocatedIssue): string {
  const node = issue.nodeId === undefined ? '-' : `node ${issue.nodeId}`;
  return `${file}:${issue.line}:${issue.column}  ${issue.severity}  ${issue.code}  ${node}  ${issue.path}  ${issue.message}`;
}

/** `N errors, N warnings` in words that read right for 1. */
export function countIssues(issues: readonly ValidationIssue[]): string {
  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.length - errors;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}
