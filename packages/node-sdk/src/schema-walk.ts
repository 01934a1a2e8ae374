import * as z from 'zod';

/** A path into a config value, as validation issues carry it: keys and array indexes. */
export type ConfigPath = ReadonlyArray<string | number>;

/** One schema node that carries a metadata key, found at `path` with the value there. */
export interface MetaHit {
  readonly path: ConfigPath;
  readonly value: unknown;
  readonly meta: Readonly<Record<string, unknown>>;
}

/** The part of zod's internal definition the walker reads; zod 4 keeps it at `schema._zod.def`. */
interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly catchall?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly innerType?: z.ZodType;
  readonly defaultValue?: unknown;
  readonly in?: z.ZodType;
  readonly left?: z.ZodType;
  readonly right?: z.ZodType;
  readonly items?: readonly z.ZodType[];
  readonly rest?: z.ZodType | null;
  readonly valueType?: z.ZodType;
  readonly getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Schemas under `schema` (wrappers, fields, items, variants), without a value: used to know whether a key occurs at all. */
function children(schema: z.ZodType): z.ZodType[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      return [...Object.values(def.shape ?? {}), ...(def.catchall ? [def.catchall] : [])];
    case 'array':
      return def.element ? [def.element] : [];
    case 'union':
      return [...(def.options ?? [])];
    case 'intersection':
      return [def.left!, def.right!];
    case 'tuple':
      return [...(def.items ?? []), ...(def.rest ? [def.rest] : [])];
    case 'record':
      return def.valueType ? [def.valueType] : [];
    case 'pipe':
      return def.in ? [def.in] : [];
    case 'lazy':
      return def.getter ? [def.getter()] : [];
    default:
      return def.innerType ? [def.innerType] : [];
  }
}

const mentions = new Map<string, WeakMap<z.ZodType, boolean>>();

/**
 * Whether any schema inside `schema` carries metadata `key` (e.g. `connection`, `secret`). Cached
 * per schema object, so validating a node type without connection references costs one lookup.
 */
export function schemaMentions(schema: z.ZodType, key: string): boolean {
  let cache = mentions.get(key);
  if (!cache) mentions.set(key, (cache = new WeakMap()));
  const known = cache.get(schema);
  if (known !== undefined) return known;
  const seen = new Set<z.ZodType>();
  const visit = (s: z.ZodType): boolean => {
    if (seen.has(s)) return false; // recursive (lazy) schemas
    seen.add(s);
    if (z.globalRegistry.get(s)?.[key] !== undefined) return true;
    return children(s).some(visit);
  };
  const found = visit(schema);
  cache.set(schema, found);
  return found;
}

/**
 * Every schema node inside `schema` that carries metadata `key`, paired with the part of `value`
 * it describes. The walk follows the value the way zod parses it: object fields, array items,
 * record values, tuple items, the first union variant that accepts the value, the input side of
 * pipes, lazy schemas, and a wrapper's default when the value is missing. Never throws; parts of
 * the value that do not fit the schema are skipped.
 *
 * @example
 * findMeta(z.object({ broker: connectionRef('mqtt-broker') }), { broker: 'b1' }, 'connection')
 * // [{ path: ['broker'], value: 'b1', meta: { connection: 'mqtt-broker', … } }]
 */
export function findMeta(schema: z.ZodType, value: unknown, key: string): MetaHit[] {
  if (!schemaMentions(schema, key)) return [];
  const hits: MetaHit[] = [];
  const walk = (s: z.ZodType, v: unknown, path: ConfigPath, depth: number): void => {
    if (depth > 64) return; // a recursive schema on a cyclic or absurdly deep value
    const meta = z.globalRegistry.get(s);
    if (meta?.[key] !== undefined) {
      hits.push({ path, value: v, meta });
      return;
    }
    if (!schemaMentions(s, key)) return;
    const def = defOf(s);
    switch (def.type) {
      case 'object': {
        if (!isRecord(v)) return;
        const shape = def.shape ?? {};
        for (const [k, field] of Object.entries(shape)) walk(field, v[k], [...path, k], depth + 1);
        if (def.catchall) for (const k of Object.keys(v)) if (!(k in shape)) walk(def.catchall, v[k], [...path, k], depth + 1);
        return;
      }
      case 'array':
        if (Array.isArray(v) && def.element) v.forEach((item, i) => walk(def.element!, item, [...path, i], depth + 1));
        return;
      case 'tuple':
        if (!Array.isArray(v)) return;
        v.forEach((item, i) => {
          const itemSchema = def.items?.[i] ?? def.rest ?? undefined;
          if (itemSchema) walk(itemSchema, item, [...path, i], depth + 1);
        });
        return;
      case 'record':
        if (isRecord(v) && def.valueType) for (const [k, item] of Object.entries(v)) walk(def.valueType, item, [...path, k], depth + 1);
        return;
      case 'union': {
        // zod takes the first variant that parses; so does the walk.
        const variant = (def.options ?? []).find((option) => option.safeParse(v).success);
        if (variant) walk(variant, v, path, depth + 1);
        return;
      }
      case 'intersection':
        walk(def.left!, v, path, depth + 1);
        walk(def.right!, v, path, depth + 1);
        return;
      case 'pipe':
        if (def.in) walk(def.in, v, path, depth + 1);
        return;
      case 'lazy':
        if (def.getter) walk(def.getter(), v, path, depth + 1);
        return;
      case 'default':
      case 'prefault':
        walk(def.innerType!, v === undefined ? def.defaultValue : v, path, depth + 1);
        return;
      default:
        if (def.innerType && v !== undefined && v !== null) walk(def.innerType, v, path, depth + 1);
    }
  };
  walk(schema, value, [], 0);
  return hits;
}
