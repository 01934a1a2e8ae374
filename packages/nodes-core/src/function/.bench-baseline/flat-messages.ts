/**
 * How messages cross between the runtime and the function node's sandbox worker: flattened.
 *
 * A message is a plain object with a handful of top-level keys. Structured clone writes every key
 * as a string with every message, and reading an object back (creating it property by property)
 * is what it is slowest at: about 1 µs per small message, on the runtime's thread, for every
 * message that leaves a function node. So the top level of a plain message travels as its
 * *shape*, the list of its keys (sent once per worker), and its values in order, in one flat
 * array per batch; only the values (nested objects included) are structured-cloned. Reading a
 * flat array of values back costs a tenth, and the object is then built by a small function
 * compiled once per shape.
 *
 * The result is what structured clone gives: the own enumerable string-keyed properties (getters
 * read once), in order, as data properties of a new plain object. Objects that are not plain (a
 * Date as the whole message, say) travel whole, as before.
 */

/** Builds a message of one shape from `values[offset…]`. */
export type ShapeBuilder = (values: readonly unknown[], offset: number) => Record<string, unknown>;

/** Shapes of messages sent to workers: ids are process-wide, each worker learns a shape once. */
const shapeIds = new Map<string, number>();
const shapeKeys: Array<readonly string[]> = [];
/** More distinct shapes than this and further ones are sent whole (a flood of random keys must not grow the table). */
const MAX_SHAPES = 4096;

/** Per call site (a function node): the shape it sent last, so the usual lookup is one comparison. */
export interface ShapeMemo {
  keys: readonly string[] | undefined;
  id: number;
}

/** A message is flattened when it is a plain object whose shape is known or can be added. */
export function isFlattenable(msg: unknown): msg is Record<string, unknown> {
  if (typeof msg !== 'object' || msg === null) return false;
  const proto: unknown = Object.getPrototypeOf(msg);
  return proto === Object.prototype || proto === null;
}

/**
 * The shape id of `keys` (the message's `Object.keys`), or -1 when the table is full.
 * `memo` remembers the last answer for one call site.
 */
export function shapeOf(keys: readonly string[], memo: ShapeMemo): number {
  const last = memo.keys;
  if (last !== undefined && last.length === keys.length) {
    let same = true;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== last[i]) {
        same = false;
        break;
      }
    }
    if (same) return memo.id;
  }
  const text = JSON.stringify(keys);
  let id = shapeIds.get(text);
  if (id === undefined) {
    if (shapeKeys.length >= MAX_SHAPES) return -1;
    id = shapeKeys.length;
    shapeKeys.push(keys);
    shapeIds.set(text, id);
  }
  memo.keys = keys;
  memo.id = id;
  return id;
}

/** The keys of an outgoing shape id. */
export function keysOfShape(id: number): readonly string[] {
  return shapeKeys[id]!;
}

let codeGeneration = true;

/**
 * A builder for messages of one shape: `(v, i) => ({ "k0": v[i], "k1": v[i + 1], … })`, compiled
 * once (every name is a JSON string literal, so nothing in a key reaches the code); a loop when the
 * shape has a `__proto__` key (a literal would set the prototype) or code generation is forbidden.
 */
export function compileBuilder(keys: readonly string[]): ShapeBuilder {
  if (codeGeneration && keys.length <= 256 && !keys.includes('__proto__')) {
    try {
      const fields = keys.map((k, j) => `${JSON.stringify(k)}: v[i + ${j}]`);
      return new Function('v', 'i', `return { ${fields.join(', ')} };`) as ShapeBuilder;
    } catch {
      codeGeneration = false; // --disallow-code-generation-from-strings
    }
  }
  return (values, offset) => {
    const out: Record<string, unknown> = {};
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j]!;
      if (key === '__proto__') Object.defineProperty(out, key, { value: values[offset + j], writable: true, enumerable: true, configurable: true });
      else out[key] = values[offset + j];
    }
    return out;
  };
}
