import type { z } from 'zod';
import { describeValue } from './describe-value.js';
import type { ValidationIssue } from './issues.js';
import { formatJsonPath, type JsonPathSegment } from './json-path.js';

type ZodIssue = z.ZodError['issues'][number];

/**
 * Turn the issues of a failed `schema.safeParse(input)` into SCHEMA_INVALID validation issues:
 * one per problem, each with the JSON path of the offending value (of the offending key, for an
 * unknown property), a message saying what was found and what was expected, and the node id when
 * the path is inside `$.nodes[i]` or `$.connections[i]`.
 *
 * @param schema the schema that was parsed with, used to list the allowed keys of an object.
 * @example
 * const r = flowDocumentSchema.safeParse(raw);
 * if (!r.success) issues.push(...schemaIssues(r.error.issues, raw, flowDocumentSchema));
 */
export function schemaIssues(zodIssues: readonly ZodIssue[], input: unknown, schema?: z.ZodType): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of zodIssues) {
    const path = issue.path.filter((p): p is JsonPathSegment => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const allowed = schema ? allowedKeys(schema, path) : undefined;
      for (const key of issue.keys) {
        const expected = allowed ? `; expected one of: ${allowed.join(', ')}` : '';
        out.push(make([...path, key], input, `unknown property "${key}"${expected}`));
      }
      continue;
    }
    out.push(make(path, input, messageFor(issue, path, input)));
  }
  return out;
}

function make(path: JsonPathSegment[], input: unknown, message: string): ValidationIssue {
  const nodeId = nodeIdAt(input, path);
  return { severity: 'error', code: 'SCHEMA_INVALID', message, path: formatJsonPath(path), ...(nodeId === undefined ? {} : { nodeId }) };
}

function messageFor(issue: ZodIssue, path: JsonPathSegment[], input: unknown): string {
  const found = valueAt(input, path);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = article(issue.expected);
      const key = path[path.length - 1];
      if (found.missing && typeof key === 'string') return `missing required property "${key}" (expected ${expected})`;
      return `expected ${expected}, got ${describeValue(found.value)}`;
    }
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describeValue(found.value)}`;
    case 'invalid_key': {
      const reason = issue.issues[0]?.message ?? issue.message;
      return `invalid key "${String(path[path.length - 1])}": ${reason}`;
    }
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'expected a non-empty string, got ""';
      return `${issue.message}; got ${describeValue(found.value)}`;
    default:
      return `${issue.message}; got ${describeValue(found.value)}`;
  }
}

function article(type: string): string {
  if (type === 'record') return 'an object';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function valueAt(input: unknown, path: readonly JsonPathSegment[]): { value: unknown; missing: boolean } {
  let current: unknown = input;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return { value: undefined, missing: true };
    current = (current as Record<string | number, unknown>)[segment];
  }
  return { value: current, missing: current === undefined };
}

function nodeIdAt(input: unknown, path: readonly JsonPathSegment[]): string | undefined {
  if ((path[0] !== 'nodes' && path[0] !== 'connections') || typeof path[1] !== 'number') return undefined;
  const id = valueAt(input, [path[0], path[1], 'id']).value;
  return typeof id === 'string' ? id : undefined;
}

/** The keys a strict object schema at `path` accepts, found by walking the schema definition. */
function allowedKeys(schema: z.ZodType, path: readonly JsonPathSegment[]): string[] | undefined {
  let current: unknown = schema;
  for (const segment of path) {
    current = child(unwrap(current), segment);
    if (current === undefined) return undefined;
  }
  const def = defOf(unwrap(current));
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}

interface SchemaDef {
  readonly type: string;
  readonly innerType?: unknown;
  readonly shape?: Record<string, unknown>;
  readonly element?: unknown;
  readonly valueType?: unknown;
  readonly in?: unknown;
}

function defOf(schema: unknown): SchemaDef | undefined {
  return (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;
}

function unwrap(schema: unknown): unknown {
  let current = schema;
  for (let guard = 0; guard < 20; guard++) {
    const def = defOf(current);
    if (!def) return current;
    if (def.innerType !== undefined) current = def.innerType;
    else if (def.type === 'pipe') current = def.in;
    else return current;
  }
  return current;
}

function child(schema: unknown, segment: JsonPathSegment): unknown {
  const def = defOf(schema);
  if (!def) return undefined;
  if (def.type === 'object' && typeof segment === 'string') return def.shape?.[segment];
  if (def.type === 'array' && typeof segment === 'number') return def.element;
  if (def.type === 'record') return def.valueType;
  return undefined;
}
