import { exactJsonText, type NodeTypeInfo } from '@plantwire/flow';
import { CONNECTION_META_KEY, configProblems, schemaMentions, type NodeRegistry } from '@plantwire/node-sdk';
import type { z } from 'zod';

type ParseResult = z.ZodSafeParseResult<unknown>;

interface Entry {
  readonly schema: z.ZodType;
  readonly result: ParseResult;
  /** Whether a node already owns `result.data`; the next one gets a copy. */
  handedOut: boolean;
  /** The {@link exactJsonText} of `result.data` once a copy was asked for (undefined: not plain JSON); null before. */
  dataText: string | undefined | null;
}

/**
 * The node configs of one deploy, each parsed by its type's schema once.
 *
 * Validation checks every node's config with its schema and throws the parsed value away;
 * compiling then parses every config again to hand each node its typed config. A large document
 * also holds many equal configs (a thousand identical debug nodes). Through this cache, validation
 * (whose `nodeTypes` lookup is {@link ConfigParseCache.info}) and compiling (whose `parseConfig`
 * is {@link ConfigParseCache.parseFor}) share one parse per distinct config: found by the config
 * object itself (compiling sees the very objects validation checked, when nothing was
 * substituted), else by its content when it is plain JSON data (the exact JSON text as the key).
 *
 * Every node still owns its config: the first node of a content gets the parsed value, the others
 * a deep copy of it (or, when it holds anything but plain data, a parse of their own). One cache
 * lives for one deploy, so a schema check that depends on the outside world is asked again on the
 * next deploy.
 */
export class ConfigParseCache {
  // A Map, not a WeakMap: the cache lives for one deploy, so nothing needs to be weak, and 5,000
  // ephemeron entries are extra work for every scavenge that runs during the deploy.
  private readonly byObject = new Map<object, Entry>();
  private readonly byContent = new Map<z.ZodType, Map<string, Entry>>();
  private readonly infos = new Map<string, NodeTypeInfo | undefined>();

  constructor(private readonly registry: NodeRegistry) {}

  /** The registry's `info(type)`, with the config check (and the link reading) going through this cache. */
  readonly info = (type: string): NodeTypeInfo | undefined => {
    if (this.infos.has(type)) return this.infos.get(type);
    const base = this.registry.info(type);
    const nodeType = this.registry.get(type);
    const schema = this.registry.connection(type)?.config ?? nodeType?.config;
    let info = base;
    if (base?.validateConfig && schema) {
      const virtualWires = nodeType?.virtualWires;
      // A node type (not a connection type, whose credential fields are checked by name) with no
      // secret or connectionRef() field leaves those checks out: asked once per type here rather
      // than once per node (~5% of a cold 5,000-node validation).
      const plainNode = nodeType !== undefined && this.registry.connection(type) === undefined;
      const skipSecrets = plainNode && !schemaMentions(schema, 'secret');
      const skipRefs = plainNode && !schemaMentions(schema, CONNECTION_META_KEY);
      info = {
        ...base,
        ...(skipSecrets ? { secretsIn: undefined } : {}),
        ...(skipRefs ? { connectionRefs: undefined } : {}),
        validateConfig: (config, jsonText) => configProblems(this.lookup(schema, config, jsonText).result),
        ...(base.virtualWires && virtualWires
          ? {
              virtualWires: (config: Record<string, unknown>) => {
                const parsed = this.lookup(schema, config).result;
                return parsed.success ? virtualWires.call(nodeType, parsed.data) : [];
              },
            }
          : {}),
      };
    }
    this.infos.set(type, info);
    return info;
  };

  /**
   * True when validation checked this very object as a substituted config. Substitution returns
   * its input only when nothing in it changed, and validation would have failed on a missing
   * variable, so substituting it again (with the same env) changes nothing: compiling skips that
   * walk. Configs of a validated document are the document's own copies, one per node, so the
   * object cannot be another node's substitution result.
   */
  substitutesToItself(config: unknown): boolean {
    return typeof config === 'object' && config !== null && this.byObject.has(config);
  }

  /** `schema.safeParse(config)` for a node that keeps the result as its own config. */
  parseFor(schema: z.ZodType, config: unknown): ParseResult {
    const entry = this.lookup(schema, config);
    if (!entry.result.success) return entry.result;
    if (!entry.handedOut) {
      entry.handedOut = true;
      return entry.result;
    }
    // Plain JSON data (nearly every parsed config) is copied by parsing its text: native, ~2.5×
    // faster than the walk below, run cold for every node whose config repeats an earlier one.
    if (entry.dataText === null) entry.dataText = exactJsonText(entry.result.data);
    if (entry.dataText !== undefined) return { success: true, data: JSON.parse(entry.dataText) as unknown };
    const copy = copyPlainData(entry.result.data, 0);
    return copy === NOT_PLAIN ? schema.safeParse(config) : { success: true, data: copy };
  }

  /** `jsonText`: the config's {@link exactJsonText}, when the caller has it already. */
  private lookup(schema: z.ZodType, config: unknown, jsonText?: string): Entry {
    const isObject = typeof config === 'object' && config !== null;
    if (isObject) {
      const known = this.byObject.get(config);
      if (known !== undefined && known.schema === schema) return known;
    }
    const key = jsonText ?? exactJsonText(config);
    let bySchema: Map<string, Entry> | undefined;
    if (key !== undefined) {
      bySchema = this.byContent.get(schema);
      if (bySchema === undefined) this.byContent.set(schema, (bySchema = new Map()));
      const known = bySchema.get(key);
      if (known !== undefined) {
        if (isObject) this.byObject.set(config, known);
        return known;
      }
    }
    const entry: Entry = { schema, result: schema.safeParse(config), handedOut: false, dataText: null };
    bySchema?.set(key!, entry);
    if (isObject) this.byObject.set(config, entry);
    return entry;
  }
}

const NOT_PLAIN = Symbol('not plain data');

/** A deep copy of plain data (what a schema makes of JSON), or NOT_PLAIN for anything else in it. */
function copyPlainData(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return typeof value === 'function' || typeof value === 'symbol' ? NOT_PLAIN : value;
  if (depth > 64) return NOT_PLAIN;
  // Primitive items are copied in the loops, without a call each (as in exactJsonText).
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const item = typeof v === 'object' || typeof v === 'function' || typeof v === 'symbol' ? copyPlainData(v, depth + 1) : v;
      if (item === NOT_PLAIN) return NOT_PLAIN;
      out[i] = item;
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || Object.getOwnPropertySymbols(value).length !== 0) return NOT_PLAIN;
  const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
  // for-in, not a loop over Object.keys(): run cold (once per deploy, ~4,000 configs on a 5,000-node
  // one), a keys array per object was ~0.5 MB of garbage; for-in reads the object's cached key
  // list. Inherited keys are skipped, as Object.keys skips them.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const v = (value as Record<string, unknown>)[key];
    const item = typeof v === 'object' || typeof v === 'function' || typeof v === 'symbol' ? copyPlainData(v, depth + 1) : v;
    if (item === NOT_PLAIN) return NOT_PLAIN;
    if (key === '__proto__') Object.defineProperty(out, key, { value: item, writable: true, enumerable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}
