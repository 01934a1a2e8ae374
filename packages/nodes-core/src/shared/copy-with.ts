/**
 * Shallow copies of plain objects with one property set: the copy-on-write step of every message
 * change (`{ ...msg, step: 3 }`), made fast on Node 20.
 *
 * Why not a spread: on Node 20's V8 (11.3) a spread copy that escapes costs ~100 ns however small
 * the object, and adding a property to one takes a slow path (~1 µs: the copy's map has no cached
 * transitions). An object literal of a known shape costs ~20 ns. So each shape (the object's own
 * enumerable keys, in order, plus the key being set) gets a small copier compiled once,
 * `(o, v) => ({ "_msgid": o["_msgid"], "payload": o["payload"], "step": v })`, and a call site
 * remembers the shape it saw last, so the usual cost is one `Object.keys` and a comparison.
 *
 * What is copied is what a spread copies of a message: own enumerable string-keyed properties
 * (getters are read), in their order, with the key set in place or appended. Symbol-keyed
 * properties are not part of a message (`Message` is a string-keyed record); a compiled copy
 * leaves them out. Objects whose shape is not compiled (an own `__proto__` key, more than 256
 * keys, too many distinct shapes, or code generation from strings forbidden in this process) are
 * copied with a spread or `Object.assign`.
 */

type Copier = (source: Readonly<Record<string, unknown>>, value: unknown) => Record<string, unknown>;

/**
 * A call site's memo: the shape it saw last and its copier. Keep one per site that sets the same
 * key over and over (a change rule), so its messages, which mostly share one shape, hit at once.
 */
export class CopySite {
  keys: readonly string[] | undefined = undefined;
  copier: Copier | undefined = undefined;
}

/** Keys beyond which an object is copied the generic way (a literal that big gains nothing). */
const MAX_KEYS = 256;
/** Distinct shapes compiled per process; past it new shapes are copied the generic way. */
const MAX_SHAPES = 1024;

/** Compiled copiers by shape; `null` for a shape that is copied the generic way. */
const copiers = new Map<string, Copier | null>();
let codeGeneration = true;

/** Sites of {@link copyWith} calls that name no site, by key (bounded like the shapes). */
const sharedSites = new Map<string, CopySite>();

/**
 * A shallow copy of a plain object with `key` set to `value`: the same result as
 * `{ ...obj, [key]: value }` for a message (see the module comment for symbol keys). `key` must not
 * be `__proto__`, `prototype` or `constructor`; callers check (as `setPath` does).
 *
 * @param site the caller's memo; without one, a memo shared by every caller setting `key` is used.
 * @example
 * copyWith({ payload: 1 }, 'topic', 't'); // { payload: 1, topic: 't' }
 */
export function copyWith(obj: Readonly<Record<string, unknown>>, key: string, value: unknown, site?: CopySite): Record<string, unknown> {
  const memo = site ?? sharedSite(key);
  const known = memo.copier;
  if (known !== undefined && hasKeys(obj, memo.keys!)) return known(obj, value);
  const keys = Object.keys(obj);
  const copier = copierFor(keys, key);
  memo.keys = keys;
  memo.copier = copier;
  return copier(obj, value);
}

/**
 * Whether the object's own enumerable string keys are `keys`, in order. A `for…in` walks the
 * shape's cached key list without allocating (`Object.keys` makes an array per call); it would
 * also list inherited enumerable keys, which then make the count differ, so the answer stays exact.
 */
function hasKeys(obj: object, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in obj) {
    if (k !== keys[i]) return false;
    i++;
  }
  return i === keys.length;
}

function sharedSite(key: string): CopySite {
  let site = sharedSites.get(key);
  if (site === undefined) {
    if (sharedSites.size >= MAX_SHAPES) sharedSites.clear();
    site = new CopySite();
    sharedSites.set(key, site);
  }
  return site;
}

function copierFor(keys: readonly string[], key: string): Copier {
  const id = JSON.stringify([key, keys]);
  let copier = copiers.get(id);
  if (copier === undefined) {
    copier = copiers.size < MAX_SHAPES ? compile(keys, key) : null;
    copiers.set(id, copier);
  }
  return copier ?? genericCopy(key);
}

/** `(o, v) => ({ "k0": o["k0"], …, "key": v })`, or null when this shape is not compiled. */
function compile(keys: readonly string[], key: string): Copier | null {
  // A literal `"__proto__": x` would set the prototype rather than copy a property.
  if (!codeGeneration || keys.length > MAX_KEYS || keys.includes('__proto__')) return null;
  const fields = keys.map((k) => {
    const name = JSON.stringify(k);
    return `${name}: ${k === key ? 'v' : `o[${name}]`}`;
  });
  if (!keys.includes(key)) fields.push(`${JSON.stringify(key)}: v`);
  try {
    // Every name is a JSON string literal, so nothing in a key can escape into the code.
    return new Function('o', 'v', `return { ${fields.join(', ')} };`) as Copier;
  } catch {
    // --disallow-code-generation-from-strings: copy the generic way from now on.
    codeGeneration = false;
    return null;
  }
}

const genericCopies = new Map<string, Copier>();

/** The exact, slower copy, for shapes that are not compiled. */
function genericCopy(key: string): Copier {
  let copier = genericCopies.get(key);
  if (copier === undefined) {
    copier = (obj, value) => {
      // Overwriting a property of a spread copy is cheap; adding one is not (see the module
      // comment), and `Object.assign` onto `{}` adds through cached transitions. It *sets*
      // properties though, so an own `__proto__` key must take the spread.
      const copy: Record<string, unknown> = Object.hasOwn(obj, key) || Object.hasOwn(obj, '__proto__') ? { ...obj } : Object.assign({}, obj);
      copy[key] = value;
      return copy;
    };
    if (genericCopies.size < MAX_SHAPES) genericCopies.set(key, copier);
  }
  return copier;
}
