/**
 * As-you-type problems of a config against its type's JSON Schema, in the browser (ajv, draft
 * 2020-12). The server's `POST /api/flows/validate` stays the judge (env values, connection entries,
 * code and topic checks live there); this catches the plain mistakes at the first keystroke.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { ConnectionManifest, NodeManifest } from '@plantwire/protocol';
import { fieldLabel, type FieldIssue } from './field-issues.js';
import { configFieldsCached, discriminatorOf, fieldAt, isPlainObject, resolveRef, type Field, type JsonSchema } from './schema-fields.js';

export type { FieldIssue };

// One ajv for the page: compiling is the expensive part and is cached per schema object below.
const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: false, validateFormats: false });
// Annotations the node SDK writes into schemas; they constrain nothing.
ajv.addKeyword({ keyword: 'connection', schemaType: 'string' });
ajv.addKeyword({ keyword: 'secret', schemaType: 'boolean' });

const compiled = new WeakMap<object, ValidateFunction | Error>();

function validatorFor(schema: JsonSchema): ValidateFunction | Error {
  let hit = compiled.get(schema);
  if (!hit) {
    try {
      hit = ajv.compile(schema);
    } catch (err) {
      hit = err instanceof Error ? err : new Error(String(err));
    }
    compiled.set(schema, hit);
  }
  return hit;
}

/** A string holding a `${NAME}` reference: its real value is known only where the env is (the server). */
const ENV_REFERENCE = /\$\{[A-Za-z_][A-Za-z0-9_]*\}/;
const hasEnvReference = (value: unknown) => typeof value === 'string' && ENV_REFERENCE.test(value);

/** `/rules/0/value` → `['rules', 0, 'value']`, indexes as numbers where the value is an array. */
function pathOf(pointer: string, data: unknown): Array<string | number> {
  const out: Array<string | number> = [];
  let current = data;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current) && /^\d+$/.test(segment)) {
      out.push(Number(segment));
      current = current[Number(segment)];
    } else {
      out.push(segment);
      current = isPlainObject(current) ? current[segment] : undefined;
    }
  }
  return out;
}

const quote = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));
function oneOfWords(values: readonly unknown[]): string {
  const words = values.map(quote);
  return words.length <= 1 ? (words[0] ?? 'nothing') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'empty (null)',
};

interface UnionChoice {
  readonly chosen: number | undefined;
  /** A message replacing the branch errors when no branch is the one meant. */
  readonly message?: string;
  readonly path?: Array<string | number>;
}

/** Which branch of a failed `oneOf`/`anyOf` the user meant: the discriminator says, else the only branch whose type fits. */
function chooseBranch(root: JsonSchema, union: ErrorObject, all: readonly ErrorObject[], data: unknown): UnionChoice {
  const schema = union.parentSchema as JsonSchema | undefined;
  const raw = (schema?.['oneOf'] ?? schema?.['anyOf']) as unknown[] | undefined;
  if (!schema || !Array.isArray(raw)) return { chosen: undefined };
  const variants = raw.map((v) => resolveRef(root, v));
  const value = union.data;
  const path = pathOf(union.instancePath, data);
  const disc = discriminatorOf(root, variants);
  if (disc !== undefined) {
    const tags = variants.map((v) => {
      const p = resolveRef(root, (v['properties'] as Record<string, unknown>)[disc]);
      return 'const' in p ? p['const'] : (p['enum'] as unknown[] | undefined)?.[0];
    });
    if (!isPlainObject(value)) return { chosen: undefined };
    const i = tags.findIndex((t) => t === value[disc]);
    if (i >= 0) return { chosen: i };
    return { chosen: undefined, path: [...path, disc], message: `must be one of ${oneOfWords(tags)}` };
  }
  // Branches whose own errors are all deeper than the union: the value has their shape.
  const prefix = `${union.schemaPath}/`;
  const shallow = new Set<number>();
  for (const e of all) {
    if (!e.schemaPath.startsWith(prefix)) continue;
    const branch = Number(e.schemaPath.slice(prefix.length).split('/')[0]);
    if (e.instancePath === union.instancePath) shallow.add(branch);
  }
  const fitting = variants.map((_, i) => i).filter((i) => !shallow.has(i));
  if (fitting.length === 1) return { chosen: fitting[0] };
  const consts = variants.map((v) => ('const' in v ? { v: v['const'] } : undefined));
  if (consts.every((c) => c !== undefined)) return { chosen: undefined, path, message: `must be one of ${oneOfWords(consts.map((c) => c!.v))}` };
  return { chosen: undefined, path, message: `does not have any of the allowed forms` };
}

/** A union variant in words: `"tab" or "all"`, `a list`. */
function formWords(variant: { readonly field: Field }): string {
  const f = variant.field;
  if (f.kind === 'enum') return oneOfWords(f.options);
  if (f.kind === 'const') return quote(f.value);
  if (f.kind === 'list') return 'a list';
  if (f.kind === 'object' || f.kind === 'record') return 'an object';
  return TYPE_WORDS[f.kind] ?? (f.kind === 'json' ? 'a JSON value' : 'text');
}

function describe(e: ErrorObject, field: Field | undefined): string {
  const unit = field && (field.kind === 'number' || field.kind === 'integer') && field.unit ? ` ${field.unit}` : '';
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return 'is required';
    case 'type': {
      const types = String(p['type']).split(',');
      return `must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}`;
    }
    case 'minimum':
      return `must be at least ${String(p['limit'])}${unit}`;
    case 'maximum':
      return `must be at most ${String(p['limit'])}${unit}`;
    case 'exclusiveMinimum':
      return `must be more than ${String(p['limit'])}${unit}`;
    case 'exclusiveMaximum':
      return `must be less than ${String(p['limit'])}${unit}`;
    case 'multipleOf':
      return `must be a multiple of ${String(p['multipleOf'])}`;
    case 'minLength':
      return p['limit'] === 1 ? 'must not be empty' : `must be at least ${String(p['limit'])} characters`;
    case 'maxLength':
      return `must be at most ${String(p['limit'])} characters`;
    case 'minItems':
      return p['limit'] === 1 ? 'needs at least one item' : `needs at least ${String(p['limit'])} items`;
    case 'maxItems':
      return `takes at most ${String(p['limit'])} items`;
    case 'uniqueItems':
      return `has the same item twice (items ${Number(p['j']) + 1} and ${Number(p['i']) + 1})`;
    case 'enum':
      return `must be one of ${oneOfWords((p['allowedValues'] as unknown[]) ?? [])}`;
    case 'const':
      return `must be ${quote(p['allowedValue'])}`;
    case 'pattern': {
      const schema = e.parentSchema as JsonSchema | undefined;
      if (typeof schema?.['connection'] === 'string') return `must be the id of a "${schema['connection']}" connection entry`;
      const example = Array.isArray(schema?.['examples']) ? (schema['examples'] as unknown[]).find((x) => typeof x === 'string') : undefined;
      return example !== undefined ? `does not have the expected form (e.g. ${quote(example)})` : `does not match the pattern /${String(p['pattern'])}/`;
    }
    case 'propertyNames':
      return 'is not an allowed name';
    default:
      return e.message ?? 'is not valid';
  }
}

/**
 * Problems of `value` against `schema`, one per field, in plain words naming the field, with
 * paths relative to the value. Union noise is cut down to the branch the user meant; values that
 * hold a `${NAME}` reference are left to the server, which knows the env.
 */
export function validateAgainstSchema(schema: JsonSchema, value: unknown): FieldIssue[] {
  const validate = validatorFor(schema);
  if (validate instanceof Error) return [{ path: [], message: `The form cannot check this config: its schema does not compile (${validate.message})`, severity: 'warning' }];
  if (validate(value)) return [];
  const errors = validate.errors ?? [];
  const root = configFieldsCached(schema);

  const unions = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  const choices = new Map<ErrorObject, UnionChoice>(unions.map((u) => [u, chooseBranch(schema, u, errors, value)]));
  const unionOf = (e: ErrorObject, schemaPrefix: string) =>
    unions
      .filter((u) => u.schemaPath === schemaPrefix && (e.instancePath === u.instancePath || e.instancePath.startsWith(`${u.instancePath}/`)))
      .sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  /** Whether every union on the way to `e` took the branch the user meant. */
  const onChosenBranches = (e: ErrorObject): boolean => {
    const re = /\/(oneOf|anyOf)\/(\d+)(?=\/|$)/g;
    for (let m = re.exec(e.schemaPath); m; m = re.exec(e.schemaPath)) {
      const union = unionOf(e, e.schemaPath.slice(0, m.index + m[1]!.length + 1));
      if (union && choices.get(union)?.chosen !== Number(m[2])) return false;
    }
    return true;
  };

  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const add = (path: Array<string | number>, what: string, fieldData: unknown, label = fieldLabel(root, path, value)) => {
    if (hasEnvReference(fieldData)) return;
    const message = `${label} ${what}`;
    const id = `${path.join('.')}\u0000${message}`;
    if (seen.has(id)) return;
    seen.add(id);
    issues.push({ path, message, severity: 'error' });
  };

  for (const e of errors) {
    if (!onChosenBranches(e)) continue;
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf') {
      const choice = choices.get(e)!;
      if (choice.chosen !== undefined) continue; // the chosen branch's own errors say it better
      const path = choice.path ?? pathOf(e.instancePath, value);
      const field = fieldAt(root, path, value)?.field;
      const forms = field?.kind === 'union' && field.discriminator === undefined ? `must be ${field.variants.map(formWords).join(' or ')}` : undefined;
      add(path, forms ?? choice.message ?? 'is not valid', e.data);
      continue;
    }
    const p = e.params as Record<string, unknown>;
    let path = pathOf(e.instancePath, value);
    if (e.keyword === 'required') path = [...path, String(p['missingProperty'])];
    else if (e.keyword === 'additionalProperties') {
      const where = path.length > 0 ? ` of ${fieldLabel(root, path, value)}` : ' of this type';
      add([...path, String(p['additionalProperty'])], `is not a field${where}`, undefined, `"${String(p['additionalProperty'])}"`);
      continue;
    }
    else if (e.keyword === 'propertyNames') path = [...path, String(p['propertyName'])];
    // ajv also reports what failed inside propertyNames at the object itself: the entry above says it.
    if (e.schemaPath.includes('/propertyNames/')) continue;
    add(path, describe(e, fieldAt(root, path, value)?.field), e.keyword === 'required' ? undefined : e.data);
  }
  return issues;
}

/**
 * Local, as-you-type problems of a config against its manifest's JSON Schema (ajv 2020), paths
 * relative to the config. The validator is compiled once per manifest schema.
 *
 * @example
 * validateConfigLocally(functionManifest, { timeoutMs: 0 })
 * // [{ path: ['timeoutMs'], message: 'Time limit must be at least 1 ms', severity: 'error' }]
 */
export function validateConfigLocally(manifest: Pick<NodeManifest | ConnectionManifest, 'configSchema'>, config: unknown): FieldIssue[] {
  return validateAgainstSchema(manifest.configSchema, config);
}
