/** Problems of one config, addressed by path, from the local check and from the server; where each one shows. */
import { fieldAt, humanize, isPlainObject, pathKey, variantIndexOf, type Field, type FieldPath } from './schema-fields.js';

export interface FieldIssue {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** Same path, compared by key (`rules.0.value`): a server path may carry indexes as strings. */
const keyOf = (issue: FieldIssue) => pathKey(issue.path);

/**
 * Local and server issues together. The server knows what the browser cannot (env values,
 * connection entries, code checks), and it is the one that decides a deploy: where both speak
 * about the same field, only the server's issues are kept.
 */
export function mergeIssues(local: readonly FieldIssue[], server: readonly FieldIssue[]): FieldIssue[] {
  const serverPaths = new Set(server.map(keyOf));
  const seen = new Set<string>();
  const out: FieldIssue[] = [];
  for (const issue of [...server, ...local.filter((i) => !serverPaths.has(keyOf(i)))]) {
    const id = `${keyOf(issue)}\u0000${issue.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(issue);
  }
  return out;
}

/** Every path the form draws a control (and so an error slot) for, given the value it edits. */
export function renderedPaths(root: Field, value: unknown): Set<string> {
  const paths = new Set<string>();
  const visit = (field: Field, v: unknown, path: FieldPath): void => {
    paths.add(pathKey(path));
    switch (field.kind) {
      case 'object':
        for (const { key, field: sub } of field.fields) visit(sub, isPlainObject(v) ? v[key] : undefined, [...path, key]);
        return;
      case 'list':
        if (Array.isArray(v)) v.forEach((item, i) => visit(field.item, item, [...path, i]));
        return;
      case 'record':
        if (isPlainObject(v)) for (const [k, item] of Object.entries(v)) visit(field.value, item, [...path, k]);
        return;
      case 'union': {
        const i = variantIndexOf(field, v);
        const variant = field.variants[i];
        if (variant) {
          // Drawn in place: a discriminated variant's fields sit beside the picker.
          if (variant.field.kind === 'object') {
            for (const { key, field: sub } of variant.field.fields) visit(sub, isPlainObject(v) ? v[key] : undefined, [...path, key]);
            if (field.discriminator !== undefined) paths.add(pathKey([...path, field.discriminator]));
          } else visit(variant.field, v, path);
        }
        return;
      }
      default:
        return;
    }
  };
  visit(root, value, []);
  return paths;
}

/**
 * Issues by the key of the control that shows them: the issue's own path when the form draws it,
 * else its nearest drawn ancestor (a problem deep inside a JSON value shows under that value).
 * Issues about the config as a whole land on `''`.
 */
export function placeIssues(root: Field, value: unknown, issues: readonly FieldIssue[]): Map<string, FieldIssue[]> {
  const drawn = renderedPaths(root, value);
  const placed = new Map<string, FieldIssue[]>();
  for (const issue of issues) {
    let path = issue.path.map((s) => (typeof s === 'string' && /^\d+$/.test(s) ? Number(s) : s));
    while (path.length > 0 && !drawn.has(pathKey(path))) path = path.slice(0, -1);
    const key = pathKey(path);
    placed.set(key, [...(placed.get(key) ?? []), issue]);
  }
  return placed;
}

/** "Rules, item 2: Property", "Will: Topic": how a message names the field at `path`. */
export function fieldLabel(root: Field, path: FieldPath, value: unknown): string {
  const found = fieldAt(root, path, value);
  if (!found) {
    // Not a drawn field (a union's discriminator, an unknown key): the parent's name and the key.
    if (path.length === 0) return 'The config';
    const last = path[path.length - 1]!;
    const parent = path.length > 1 ? `${fieldLabel(root, path.slice(0, -1), value)}: ` : '';
    return `${parent}${typeof last === 'number' ? `item ${last + 1}` : humanize(last)}`;
  }
  const parts: string[] = [];
  for (let i = 1; i < found.trail.length; i++) {
    const parent = found.trail[i - 1]!;
    const field = found.trail[i]!;
    const segment = path[i - 1]!;
    if (parent.kind === 'list') parts.push(`${parent.title}, item ${Number(segment) + 1}`);
    else if (parent.kind === 'record') parts.push(`${parent.title} "${String(segment)}"`);
    // A list's or record's title comes with its item, one step further.
    else if (i === found.trail.length - 1 || (field.kind !== 'list' && field.kind !== 'record')) parts.push(field.title);
  }
  return parts.length > 0 ? parts.join(': ') : 'The config';
}
