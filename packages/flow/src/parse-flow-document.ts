import type { z } from 'zod';
import { FLOW_DOCUMENT_VERSION, flowDocumentSchema, type FlowDocument } from './document.js';

/**
 * `flowDocumentSchema.safeParse(raw)`, fast for the documents that matter: large, well-formed
 * ones. A deploy of a 5,000-node document spent ~50 ms (cold) in the zod parse of the document's
 * structure alone, before any node's config was looked at.
 *
 * A hand-written check runs first. It accepts a strict subset of what the schema accepts (plain
 * objects and arrays holding exactly the schema's keys and value types) and builds exactly what
 * zod would return: new objects with their keys in the schema's order (only the keys present, an
 * explicit `undefined` kept), new arrays, records copied in their own key order with the values
 * shared, `config` defaulted to `{}`. Anything it does not accept, including a document that is
 * merely unusual (a null-prototype object, a `__proto__` key), goes to the zod schema, which
 * stays the single source of the document's rules and of every error message.
 *
 * @example
 * const parsed = safeParseFlowDocument(raw);
 * if (!parsed.success) issues.push(...schemaIssues(parsed.error.issues, raw, flowDocumentSchema));
 */
export function safeParseFlowDocument(raw: unknown): z.ZodSafeParseResult<FlowDocument> {
  const fast = fastParseFlowDocument(raw);
  return fast === undefined ? flowDocumentSchema.safeParse(raw) : { success: true, data: fast };
}

/**
 * The fast path of {@link safeParseFlowDocument} alone: the parsed document, or undefined when the
 * document is not one it takes (then only the zod schema can say whether, and why not, it is
 * valid). Exported for tests that hold it to the schema.
 */
export function fastParseFlowDocument(raw: unknown): FlowDocument | undefined {
  try {
    return fastParse(raw);
  } catch {
    return undefined; // a getter that throws, say: zod reports it
  }
}

type Obj = Record<string, unknown>;

/** Why a value is not taken by the fast path; never escapes `fastParse`. */
const NO = Symbol('not the fast path');

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OVERFLOW = new Set(['block', 'drop-oldest', 'keep-latest-per-topic']);

function plain(value: unknown): Obj {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) throw NO;
  return value as Obj;
}

/** A new array of `check(item)`; holes are read as `undefined`, as zod reads them. */
function list<T>(value: unknown, check: (item: unknown) => T): T[] {
  if (!Array.isArray(value)) throw NO;
  const out = new Array<T>(value.length);
  for (let i = 0; i < value.length; i++) out[i] = check(value[i]);
  return out;
}

/** The keys of a strict object, all allowed, none of them `__proto__` (allowed sets never hold it). */
function keysWithin(obj: Obj, allowed: ReadonlySet<string>): void {
  for (const key in obj) if (!allowed.has(key)) throw NO;
}

const str = (v: unknown): string => {
  if (typeof v !== 'string') throw NO;
  return v;
};
const nonEmpty = (v: unknown): string => {
  if (typeof v !== 'string' || v.length === 0) throw NO;
  return v;
};
const id = (v: unknown): string => {
  if (typeof v !== 'string' || !ID.test(v)) throw NO;
  return v;
};
const bool = (v: unknown): boolean => {
  if (typeof v !== 'boolean') throw NO;
  return v;
};
const num = (v: unknown): number => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw NO;
  return v;
};
const intAtLeast = (min: number, max = Number.MAX_SAFE_INTEGER) => (v: unknown): number => {
  if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max) throw NO;
  return v as number;
};
const typeVersion = intAtLeast(1);
const capacity = intAtLeast(1, 1_000_000);

/** An optional field: copied (even as `undefined`) when present, left out when absent. */
function opt<T>(out: Obj, src: Obj, key: string, check: (v: unknown) => T): void {
  if (!Object.hasOwn(src, key)) return;
  const v = src[key];
  out[key] = v === undefined ? undefined : check(v);
}

/** A record copy in its own key order; `key` and `entry` check each entry. */
function record(value: unknown, key: ((k: string) => void) | undefined, entry: ((v: unknown) => unknown) | undefined): Obj {
  const src = plain(value);
  // zod refuses symbol keys in a record.
  if (Object.getOwnPropertySymbols(src).length !== 0) throw NO;
  const out: Obj = {};
  for (const k in src) {
    if (k === '__proto__') throw NO;
    key?.(k);
    out[k] = entry === undefined ? src[k] : entry(src[k]);
  }
  return out;
}

const envKey = (k: string): void => {
  if (!ENV_NAME.test(k)) throw NO;
};
const env = (v: unknown): Obj => record(v, envKey, str);

// Wires and nodes are the bulk of a large document, and a deploy runs this once, cold, mostly in
// V8's interpreter, where every call counts: their checks are written out inline (a 5,000-node
// document, cold, best of 15: 22.5 ms with a helper call per check, 16.2 ms inline).
function portRef(value: unknown): Obj {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) throw NO;
  const src = value as Obj;
  for (const key in src) if (key !== 'node' && key !== 'port') throw NO;
  const node = src['node'];
  const port = src['port'];
  if (typeof node !== 'string' || !ID.test(node) || typeof port !== 'string' || port.length === 0) throw NO;
  return { node, port };
}

function wire(value: unknown): Obj {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) throw NO;
  const src = value as Obj;
  for (const key in src) if (key !== 'from' && key !== 'to') throw NO;
  return { from: portRef(src['from']), to: portRef(src['to']) };
}

function queue(value: unknown): Obj {
  const src = plain(value);
  keysWithin(src, QUEUE_KEYS);
  const out: Obj = {};
  opt(out, src, 'capacity', capacity);
  opt(out, src, 'overflow', (v) => {
    if (typeof v !== 'string' || !OVERFLOW.has(v)) throw NO;
    return v;
  });
  return out;
}
const QUEUE_KEYS = new Set(['capacity', 'overflow']);

/** `record(v)` written out (one per node): a copy in its own key order, the values shared. */
function config(v: unknown): Obj {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) throw NO;
  const src = v as Obj;
  // zod refuses symbol keys in a record.
  if (Object.getOwnPropertySymbols(src).length !== 0) throw NO;
  const out: Obj = {};
  for (const k in src) {
    if (k === '__proto__') throw NO;
    out[k] = src[k];
  }
  return out;
}

function node(value: unknown): Obj {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) throw NO;
  const src = value as Obj;
  // Which optional keys are present, from the one pass that also refuses unknown keys.
  let optional = 0;
  for (const key in src) {
    switch (key) {
      case 'id':
      case 'type':
      case 'config':
        break;
      case 'typeVersion':
        optional |= 1;
        break;
      case 'name':
        optional |= 2;
        break;
      case 'tab':
        optional |= 4;
        break;
      case 'disabled':
        optional |= 8;
        break;
      case 'queue':
        optional |= 16;
        break;
      default:
        throw NO;
    }
  }
  const out: Obj = { id: id(src['id']), type: nonEmpty(src['type']) };
  if (optional !== 0) {
    // for-in also lists inherited keys; a plain object has none, so present means own here.
    if (optional & 1) opt(out, src, 'typeVersion', typeVersion);
    if (optional & 2) opt(out, src, 'name', str);
    if (optional & 4) opt(out, src, 'tab', id);
    if (optional & 8) opt(out, src, 'disabled', bool);
    if (optional & 16) opt(out, src, 'queue', queue);
  }
  out['config'] = config(src['config']);
  return out;
}

function connection(value: unknown): Obj {
  const src = plain(value);
  keysWithin(src, CONNECTION_KEYS);
  const out: Obj = { id: id(src['id']), type: nonEmpty(src['type']) };
  opt(out, src, 'typeVersion', typeVersion);
  opt(out, src, 'name', str);
  out['config'] = config(src['config']);
  return out;
}
const CONNECTION_KEYS = new Set(['id', 'type', 'typeVersion', 'name', 'config']);

function tab(value: unknown): Obj {
  const src = plain(value);
  keysWithin(src, TAB_KEYS);
  const out: Obj = { id: id(src['id']), label: str(src['label']) };
  opt(out, src, 'disabled', bool);
  opt(out, src, 'env', env);
  return out;
}
const TAB_KEYS = new Set(['id', 'label', 'disabled', 'env']);

function position(value: unknown): Obj {
  const src = plain(value);
  keysWithin(src, POSITION_KEYS);
  const out: Obj = { x: num(src['x']), y: num(src['y']) };
  opt(out, src, 'width', num);
  opt(out, src, 'height', num);
  return out;
}
const POSITION_KEYS = new Set(['x', 'y', 'width', 'height']);

function group(value: unknown): Obj {
  const src = plain(value);
  keysWithin(src, GROUP_KEYS);
  const out: Obj = { id: id(src['id']) };
  opt(out, src, 'label', str);
  opt(out, src, 'tab', id);
  out['nodes'] = list(src['nodes'], id);
  opt(out, src, 'style', (v) => record(v, undefined, str));
  return out;
}
const GROUP_KEYS = new Set(['id', 'label', 'tab', 'nodes', 'style']);

function layout(value: unknown): Obj {
  const src = plain(value);
  keysWithin(src, LAYOUT_KEYS);
  const out: Obj = {};
  opt(out, src, 'nodes', (v) => record(v, undefined, position));
  opt(out, src, 'groups', (v) => list(v, group));
  return out;
}
const LAYOUT_KEYS = new Set(['nodes', 'groups']);

const DOCUMENT_KEYS = new Set(['$schema', 'version', 'name', 'description', 'env', 'tabs', 'nodes', 'connections', 'wires', 'layout']);

function fastParse(raw: unknown): FlowDocument | undefined {
  if (typeof raw !== 'object' || raw === null || Object.getPrototypeOf(raw) !== Object.prototype) return undefined;
  const src = raw as Obj;
  try {
    keysWithin(src, DOCUMENT_KEYS);
    const out: Obj = {};
    opt(out, src, '$schema', str);
    if (src['version'] !== FLOW_DOCUMENT_VERSION) throw NO;
    out['version'] = FLOW_DOCUMENT_VERSION;
    opt(out, src, 'name', str);
    opt(out, src, 'description', str);
    opt(out, src, 'env', env);
    opt(out, src, 'tabs', (v) => list(v, tab));
    out['nodes'] = list(src['nodes'], node);
    opt(out, src, 'connections', (v) => list(v, connection));
    out['wires'] = list(src['wires'], wire);
    opt(out, src, 'layout', layout);
    return out as FlowDocument;
  } catch (err) {
    if (err === NO) return undefined;
    throw err;
  }
}
