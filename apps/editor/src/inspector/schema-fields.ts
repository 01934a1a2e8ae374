/**
 * JSON Schema (draft 2020-12, as zod 4's `z.toJSONSchema` writes a node's config) → a tree of
 * form fields. Pure: the React form only renders what this decides, and the tests run it over the
 * real manifests.
 *
 * UI hints come from the schema: the node definitions set these meta keys (STYLE.md habit 1). Where a
 * schema carries none (a third-party node), each is inferred by the one rule after "else"; an explicit
 * meta key always wins, and `msgPath`, `browse` or `multiline: false` turns its inference off:
 * - `unit: 'ms' | 's' | 'MB'…`  a number's unit     (else: a known unit in the title, "Delay (ms)")
 * - `language: 'javascript' | 'mustache'`  a code body (else: the description starts "A mustache
 *                            template" or says "JavaScript function/code", or the key is `code`, or
 *                            it is free text described as something that runs, beside JavaScript)
 * - `msgPath: true`         a message path           (else: every example is a path into `msg`)
 * - `topic: 'filter' | 'name'`  an MQTT topic        (else: the key is `topic` / ends in `Topic`)
 * - `browse: true`          an OPC UA node id to pick from the server (else: titled "Node id(s)")
 * - `multiline: true`       a text area (else: the description mentions PEM text)
 */

export type JsonSchema = Readonly<Record<string, unknown>>;
/** A path into a config: keys and array indexes (`['rules', 0, 'value']`). */
export type FieldPath = ReadonlyArray<string | number>;
export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object';
export type CodeLanguage = 'javascript' | 'mustache';

interface FieldCommon {
  /** The label: the schema's title (a unit in it moved to `unit`), else the key in words. */
  readonly title: string;
  readonly description?: string | undefined;
  /** Listed in the parent's `required` (a field with a default never is: zod writes input schemas). */
  readonly required: boolean;
  readonly hasDefault: boolean;
  readonly default?: unknown;
  readonly examples: readonly unknown[];
  /** `secret: true`: allowed only as a `${NAME}` reference. */
  readonly secret: boolean;
  /** The schema also accepts `null`. */
  readonly nullable: boolean;
}

export interface TextField extends FieldCommon {
  readonly kind: 'text';
  readonly minLength?: number | undefined;
  readonly maxLength?: number | undefined;
  readonly pattern?: string | undefined;
  /** PEM text and the like: a text area. */
  readonly multiline: boolean;
  /** Values are separators such as "\n" or "\t": the input shows and takes them as escapes. */
  readonly escapes: boolean;
  /** An OPC UA node id: the form offers the browse dialog. */
  readonly browse: boolean;
}
export interface NumberField extends FieldCommon {
  readonly kind: 'number' | 'integer';
  readonly unit?: string | undefined;
  readonly minimum?: number | undefined;
  readonly maximum?: number | undefined;
  readonly exclusiveMinimum?: number | undefined;
  readonly exclusiveMaximum?: number | undefined;
}
export interface BooleanField extends FieldCommon {
  readonly kind: 'boolean';
}
export interface EnumField extends FieldCommon {
  readonly kind: 'enum';
  readonly options: readonly unknown[];
}
export interface ConstField extends FieldCommon {
  readonly kind: 'const';
  readonly value: unknown;
}
export interface CodeField extends FieldCommon {
  readonly kind: 'code';
  readonly language: CodeLanguage;
}
export interface MsgPathField extends FieldCommon {
  readonly kind: 'msgPath';
  /** The word `msg` (the whole message) is allowed. */
  readonly wholeMessage: boolean;
}
export interface TopicField extends FieldCommon {
  readonly kind: 'topic';
  /** A subscription filter: `+` and `#` allowed. */
  readonly wildcards: boolean;
}
export interface ConnectionRefField extends FieldCommon {
  readonly kind: 'connectionRef';
  readonly connectionType: string;
}
export interface ListField extends FieldCommon {
  readonly kind: 'list';
  readonly item: Field;
  readonly minItems?: number | undefined;
  readonly maxItems?: number | undefined;
  /**
   * How to draw it: `checkboxes` (items from a fixed set), `registerMap` (Modbus tags: objects
   * with an `address` and an `area`), `cards` (other objects, unions), `inputs` (one input per item).
   */
  readonly presentation: 'checkboxes' | 'registerMap' | 'cards' | 'inputs';
}
export interface ObjectEntry {
  readonly key: string;
  readonly field: Field;
}
export interface ObjectField extends FieldCommon {
  readonly kind: 'object';
  readonly fields: readonly ObjectEntry[];
}
export interface RecordField extends FieldCommon {
  readonly kind: 'record';
  readonly value: Field;
  readonly keyPattern?: string | undefined;
}
export interface UnionVariant {
  /** The discriminator's value (`set`), or undefined in a union without one. */
  readonly tag?: unknown;
  readonly label: string;
  readonly field: Field;
}
export interface UnionField extends FieldCommon {
  readonly kind: 'union';
  /** The property every variant fixes with a `const` (`op`, `type`); absent in a plain `anyOf`. */
  readonly discriminator?: string | undefined;
  readonly variants: readonly UnionVariant[];
}
export interface JsonField extends FieldCommon {
  readonly kind: 'json';
  /** The JSON types the value may have. */
  readonly types: readonly JsonType[];
}

export type Field =
  | TextField
  | NumberField
  | BooleanField
  | EnumField
  | ConstField
  | CodeField
  | MsgPathField
  | TopicField
  | ConnectionRefField
  | ListField
  | ObjectField
  | RecordField
  | UnionField
  | JsonField;

export type FieldKind = Field['kind'];

const ALL_JSON_TYPES: readonly JsonType[] = ['string', 'number', 'boolean', 'null', 'array', 'object'];

/** Units recognised at the end of a title: "Delay (ms)", "Message expiry (s, MQTT 5)". */
const KNOWN_UNITS = new Set(['ms', 's', 'min', 'h', 'd', 'MB', 'KB', 'kB', 'GB', 'bytes', '%', 'Hz', 'kHz']);

/** A message path as the runtime's parser takes it: `payload`, `payload.tags[3].value`. */
const MSG_PATH = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\d+\])*$/;
const MSG_ROOTS = new Set(['payload', 'topic', 'msg']);

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** `retainHandling` → "Retain handling". */
export function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Split a unit out of a title: `Keep-alive (s)` → `{title: 'Keep-alive', unit: 's'}`. */
export function unitFromTitle(title: string): { title: string; unit?: string } {
  const m = /^(.*?)\s*\(([^()]*)\)\s*$/.exec(title);
  if (!m) return { title };
  const parts = m[2]!.split(',').map((p) => p.trim());
  const unit = parts.find((p) => KNOWN_UNITS.has(p));
  if (unit === undefined) return { title };
  const rest = parts.filter((p) => p !== unit);
  return { title: rest.length > 0 ? `${m[1]} (${rest.join(', ')})` : m[1]!, unit };
}

/** Follows `#/$defs/…` (and any local pointer) of the root; siblings of `$ref` win over the target. */
export function resolveRef(root: JsonSchema, schema: unknown, seen: ReadonlySet<string> = new Set()): JsonSchema {
  if (!isPlainObject(schema)) return {};
  const ref = str(schema['$ref']);
  if (ref === undefined || !ref.startsWith('#')) return schema;
  if (seen.has(ref)) return { ...schema, $ref: undefined };
  const target = ref
    .slice(1)
    .split('/')
    .filter(Boolean)
    .reduce<unknown>((node, key) => (isPlainObject(node) ? node[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), root);
  const { $ref: _ref, ...rest } = schema;
  return { ...resolveRef(root, target, new Set([...seen, ref])), ...rest };
}

interface Context {
  readonly root: JsonSchema;
  readonly key?: string | undefined;
  readonly required: boolean;
  /** The title of the list this schema is the item of (items have none of their own). */
  readonly listTitle?: string | undefined;
  readonly depth: number;
}

/** The variants of a union schema, resolved. */
function variantsOf(root: JsonSchema, s: JsonSchema): JsonSchema[] | undefined {
  const raw = s['oneOf'] ?? s['anyOf'];
  return Array.isArray(raw) && raw.length > 0 ? raw.map((v) => resolveRef(root, v)) : undefined;
}

function constOf(s: JsonSchema): { value: unknown } | undefined {
  if ('const' in s) return { value: s['const'] };
  const e = s['enum'];
  return Array.isArray(e) && e.length === 1 ? { value: e[0] } : undefined;
}

/** The property every object variant fixes with a const: the discriminator (`op`). */
export function discriminatorOf(root: JsonSchema, variants: readonly JsonSchema[]): string | undefined {
  if (!variants.every((v) => v['type'] === 'object' && isPlainObject(v['properties']))) return undefined;
  const first = variants[0]!['properties'] as Record<string, unknown>;
  return Object.keys(first).find((key) => {
    const values = variants.map((v) => constOf(resolveRef(root, (v['properties'] as Record<string, unknown>)[key])));
    if (values.some((c) => c === undefined)) return false;
    return new Set(values.map((c) => JSON.stringify(c!.value))).size === values.length;
  });
}

function typesOf(s: JsonSchema): JsonType[] {
  const t = s['type'];
  if (typeof t === 'string') return [t as JsonType];
  if (Array.isArray(t)) return t.filter((x): x is JsonType => typeof x === 'string');
  return [];
}

/** zod's `z.json()`: a union of every JSON type. */
function isJsonValueUnion(variants: readonly JsonSchema[]): boolean {
  const types = new Set(variants.flatMap(typesOf));
  return ALL_JSON_TYPES.every((t) => types.has(t));
}

function common(s: JsonSchema, ctx: Context, title?: string): FieldCommon {
  const examples = Array.isArray(s['examples']) ? (s['examples'] as unknown[]) : [];
  return {
    title: title ?? str(s['title']) ?? (ctx.key !== undefined ? humanize(ctx.key) : (ctx.listTitle ?? 'Value')),
    description: str(s['description']),
    required: ctx.required,
    hasDefault: 'default' in s,
    ...('default' in s ? { default: s['default'] } : {}),
    examples,
    secret: s['secret'] === true,
    nullable: false,
  };
}

function isMsgPathByExamples(s: JsonSchema): boolean {
  const examples = Array.isArray(s['examples']) ? s['examples'] : [];
  if (examples.length === 0 || !examples.every((e) => typeof e === 'string' && (e === 'msg' || MSG_PATH.test(e)))) return false;
  return examples.some((e) => MSG_ROOTS.has((e as string).split(/[.[]/)[0]!));
}

function stringField(s: JsonSchema, ctx: Context): Field {
  const base = common(s, ctx);
  const connection = str(s['connection']);
  if (connection !== undefined) return { ...base, kind: 'connectionRef', connectionType: connection };
  const description = base.description ?? '';
  const language = s['language'] === 'javascript' || s['language'] === 'mustache' ? s['language'] : undefined;
  if (language) return { ...base, kind: 'code', language };
  if (/^An? mustache template\b/i.test(description)) return { ...base, kind: 'code', language: 'mustache' };
  if (/\bJavaScript (function|code)\b/.test(description) || ctx.key === 'code') return { ...base, kind: 'code', language: 'javascript' };
  const examples = base.examples;
  if (s['msgPath'] === true || (s['msgPath'] === undefined && s['pattern'] === undefined && isMsgPathByExamples(s))) {
    return { ...base, kind: 'msgPath', wholeMessage: examples.includes('msg') };
  }
  const topic = s['topic'];
  if (topic === 'filter' || topic === 'name' || (ctx.key !== undefined && (ctx.key === 'topic' || /[a-z]Topic$/.test(ctx.key)))) {
    return { ...base, kind: 'topic', wildcards: topic === 'filter' || (topic === undefined && /\bfilter\b/i.test(base.title)) };
  }
  const controlChars = [...examples, base.default].some((v) => typeof v === 'string' && /[\n\r\t]/.test(v));
  const nodeIdTitle = /^node id$/i.test(base.title) || /^node ids$/i.test(ctx.listTitle ?? '');
  return {
    ...base,
    kind: 'text',
    minLength: num(s['minLength']),
    maxLength: num(s['maxLength']),
    pattern: str(s['pattern']),
    multiline: typeof s['multiline'] === 'boolean' ? s['multiline'] : /\bPEM\b/.test(description),
    escapes: controlChars,
    browse: typeof s['browse'] === 'boolean' ? s['browse'] : nodeIdTitle,
  };
}

function numberField(s: JsonSchema, ctx: Context, kind: 'number' | 'integer'): NumberField {
  const rawTitle = str(s['title']);
  const split = rawTitle !== undefined ? unitFromTitle(rawTitle) : { title: undefined };
  const unit = str(s['unit']) ?? ('unit' in split ? split.unit : undefined);
  const big = (n: number | undefined) => (n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined);
  return {
    ...common(s, ctx, split.title),
    kind,
    unit,
    minimum: big(num(s['minimum'])),
    maximum: big(num(s['maximum'])),
    exclusiveMinimum: num(s['exclusiveMinimum']),
    exclusiveMaximum: num(s['exclusiveMaximum']),
  };
}

/** A list of objects that reads as a Modbus register map: each item has an `address` and a register `area`. */
function isRegisterMapItem(item: Field): boolean {
  if (item.kind !== 'object') return false;
  const address = item.fields.find((e) => e.key === 'address')?.field;
  const area = item.fields.find((e) => e.key === 'area')?.field;
  return address?.kind === 'integer' && area?.kind === 'enum';
}

function listField(s: JsonSchema, ctx: Context): ListField {
  const base = common(s, ctx);
  const item = toField(resolveRef(ctx.root, s['items']), { root: ctx.root, required: true, listTitle: base.title, depth: ctx.depth + 1 });
  const presentation =
    item.kind === 'enum' ? 'checkboxes' : isRegisterMapItem(item) ? 'registerMap' : item.kind === 'object' || item.kind === 'union' || item.kind === 'record' ? 'cards' : 'inputs';
  return { ...base, kind: 'list', item, minItems: num(s['minItems']), maxItems: num(s['maxItems']), presentation };
}

function objectFields(s: JsonSchema, ctx: Context, exclude?: string): ObjectEntry[] {
  const props = isPlainObject(s['properties']) ? s['properties'] : {};
  const required = Array.isArray(s['required']) ? (s['required'] as unknown[]) : [];
  const entries: ObjectEntry[] = Object.entries(props)
    .filter(([key]) => key !== exclude)
    .map(([key, sub]) => ({ key, field: toField(resolveRef(ctx.root, sub), { root: ctx.root, key, required: required.includes(key), depth: ctx.depth + 1 }) }));
  // A free-text field that runs beside JavaScript code is code too (function: "On start" next to "Code").
  if (entries.some((e) => e.field.kind === 'code' && e.field.language === 'javascript')) {
    return entries.map((e) =>
      e.field.kind === 'text' && !e.field.pattern && e.field.examples.length === 0 && /\bruns\b/i.test(e.field.description ?? '')
        ? { key: e.key, field: { ...stripText(e.field), kind: 'code', language: 'javascript' } }
        : e,
    );
  }
  return entries;
}

function stripText(f: TextField): FieldCommon {
  const { kind: _k, minLength: _a, maxLength: _b, pattern: _p, multiline: _m, escapes: _e, browse: _w, ...rest } = f;
  return rest;
}

function unionField(s: JsonSchema, variants: JsonSchema[], ctx: Context): Field {
  const base = common(s, ctx);
  // All constants (`qos`: 0 | 1 | 2) or enums of scalars: one select.
  if (variants.every((v) => constOf(v) !== undefined || (Array.isArray(v['enum']) && v['type'] !== 'array'))) {
    const options = variants.flatMap((v) => (Array.isArray(v['enum']) ? (v['enum'] as unknown[]) : [constOf(v)!.value]));
    return { ...base, kind: 'enum', options };
  }
  if (isJsonValueUnion(variants)) return { ...base, kind: 'json', types: ALL_JSON_TYPES };
  const nonNull = variants.filter((v) => !(typesOf(v).length === 1 && typesOf(v)[0] === 'null'));
  if (nonNull.length === 1 && variants.length === 2) {
    const inner = toField({ ...nonNull[0]!, ...pickCommon(s) }, ctx);
    return { ...inner, nullable: true };
  }
  const discriminator = discriminatorOf(ctx.root, variants);
  if (discriminator !== undefined) {
    return {
      ...base,
      kind: 'union',
      discriminator,
      variants: variants.map((v) => {
        const tag = constOf(resolveRef(ctx.root, (v['properties'] as Record<string, unknown>)[discriminator]))!.value;
        const fields = objectFields(v, ctx, discriminator);
        const label = str(v['title']) ?? String(tag);
        const field: ObjectField = { ...common(v, { ...ctx, required: true }, label), kind: 'object', fields };
        return { tag, label, field };
      }),
    };
  }
  return {
    ...base,
    kind: 'union',
    variants: variants.map((v) => {
      const field = toField(v, { root: ctx.root, required: true, listTitle: base.title, depth: ctx.depth + 1 });
      return { label: str(v['title']) ?? variantLabel(field), field };
    }),
  };
}

/** Title, description, default and examples of a schema, to carry onto the variant it really is. */
function pickCommon(s: JsonSchema): JsonSchema {
  return Object.fromEntries(Object.entries(s).filter(([k]) => ['title', 'description', 'default', 'examples'].includes(k)));
}

function variantLabel(field: Field): string {
  switch (field.kind) {
    case 'enum':
      return field.options.map(String).join(' / ');
    case 'list':
      return 'list';
    case 'const':
      return String(field.value);
    case 'integer':
      return 'whole number';
    default:
      return field.kind === 'msgPath' || field.kind === 'topic' || field.kind === 'code' ? 'text' : field.kind;
  }
}

/** One schema → one field. `ctx.key` and `ctx.required` come from the parent object. */
function toField(s: JsonSchema, ctx: Context): Field {
  if (ctx.depth > 32) return { ...common(s, ctx), kind: 'json', types: ALL_JSON_TYPES };
  const constant = 'const' in s ? { value: s['const'] } : undefined;
  if (constant) return { ...common(s, ctx), kind: 'const', value: constant.value };
  if (Array.isArray(s['enum'])) return { ...common(s, ctx), kind: 'enum', options: s['enum'] as unknown[] };
  const variants = variantsOf(ctx.root, s);
  if (variants) return unionField(s, variants, ctx);
  const types = typesOf(s);
  if (types.length > 1) {
    const nonNull = types.filter((t) => t !== 'null');
    if (nonNull.length === 1 && types.length === 2) return { ...toField({ ...s, type: nonNull[0] }, ctx), nullable: true };
    return { ...common(s, ctx), kind: 'json', types };
  }
  switch (types[0]) {
    case 'string':
      return stringField(s, ctx);
    case 'number':
      return numberField(s, ctx, 'number');
    case 'integer':
      return numberField(s, ctx, 'integer');
    case 'boolean':
      return { ...common(s, ctx), kind: 'boolean' };
    case 'array':
      return isPlainObject(s['items']) ? listField(s, ctx) : { ...common(s, ctx), kind: 'json', types: ['array'] };
    case 'object': {
      const props = isPlainObject(s['properties']) ? s['properties'] : {};
      const extra = s['additionalProperties'];
      if (Object.keys(props).length === 0 && isPlainObject(extra)) {
        const names = isPlainObject(s['propertyNames']) ? s['propertyNames'] : {};
        const value = toField(resolveRef(ctx.root, extra), { root: ctx.root, required: true, listTitle: 'Value', depth: ctx.depth + 1 });
        return { ...common(s, ctx), kind: 'record', value, keyPattern: str(names['pattern']) };
      }
      if (Object.keys(props).length === 0 && extra !== false) return { ...common(s, ctx), kind: 'json', types: ['object'] };
      return { ...common(s, ctx), kind: 'object', fields: objectFields(s, ctx) };
    }
    default:
      return { ...common(s, ctx), kind: 'json', types: ALL_JSON_TYPES };
  }
}

/**
 * The form of a config schema: an object field (a config is always an object), its fields in
 * schema order. Never throws; a part it does not understand becomes a `json` field.
 *
 * @example
 * configFields(manifest.configSchema).fields.map((e) => [e.key, e.field.kind]) // [['rules', 'list']]
 */
export function configFields(schema: JsonSchema): ObjectField {
  const field = toField(schema, { root: schema, required: true, depth: 0 });
  if (field.kind === 'object') return field;
  // A config that is not a plain object schema (none today): one JSON field for all of it.
  return { ...common(schema, { root: schema, required: true, depth: 0 }), kind: 'object', fields: [] };
}

const fieldCache = new WeakMap<object, ObjectField>();

/** {@link configFields}, computed once per schema object (manifests are fetched once). */
export function configFieldsCached(schema: JsonSchema): ObjectField {
  let hit = fieldCache.get(schema);
  if (!hit) fieldCache.set(schema, (hit = configFields(schema)));
  return hit;
}

/** Which variant of a union `value` is: the discriminator's value, else the first variant its shape fits. */
export function variantIndexOf(union: UnionField, value: unknown): number {
  const v = value === undefined ? union.default : value;
  if (union.discriminator !== undefined) {
    if (!isPlainObject(v)) return -1;
    return union.variants.findIndex((variant) => Object.is(variant.tag, v[union.discriminator!]) || variant.tag === v[union.discriminator!]);
  }
  return union.variants.findIndex((variant) => fits(variant.field, v));
}

/** Whether a value has the shape a field edits (not whether it is valid). */
export function fits(field: Field, value: unknown): boolean {
  switch (field.kind) {
    case 'text':
    case 'code':
    case 'msgPath':
    case 'topic':
    case 'connectionRef':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'enum':
      return field.options.some((o) => o === value);
    case 'const':
      return field.value === value;
    case 'list':
      return Array.isArray(value);
    case 'object':
    case 'record':
      return isPlainObject(value);
    case 'union':
      return variantIndexOf(field, value) >= 0;
    case 'json':
      return value !== undefined;
  }
}

/** The field a path leads to (through objects, list items, record values and the union variant the value takes). */
export function fieldAt(root: Field, path: FieldPath, value: unknown): { field: Field; trail: Field[] } | undefined {
  let field: Field = root;
  let current: unknown = value;
  const trail: Field[] = [root];
  for (const segment of path) {
    let next: Field | undefined;
    if (field.kind === 'union') {
      const i = variantIndexOf(field, current);
      const variant = field.variants[i < 0 ? 0 : i];
      if (!variant) return undefined;
      // The variant stands in for the union, under the union's name ("Payload", not "number").
      field = { ...variant.field, title: field.title } as Field;
      trail[trail.length - 1] = field;
    }
    if (field.kind === 'object') next = field.fields.find((e) => e.key === segment)?.field;
    else if (field.kind === 'list') next = field.item;
    else if (field.kind === 'record') next = field.value;
    else if (field.kind === 'union' && field.discriminator === segment) next = undefined;
    if (!next) return undefined;
    current = isPlainObject(current) || Array.isArray(current) ? (current as Record<string | number, unknown>)[segment] : undefined;
    field = next;
    trail.push(field);
  }
  return { field, trail };
}

/** `['rules', 0, 'value']` → `rules.0.value`: the data-testid suffix and the issue map key. */
export const pathKey = (path: FieldPath): string => path.join('.');
