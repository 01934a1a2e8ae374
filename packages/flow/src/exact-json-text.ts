/**
 * The JSON text of `value` when that text stands for exactly this value (strings, finite numbers
 * other than -0, booleans, null, arrays without holes, plain objects with no `undefined` values
 * and no `__proto__` key, at most 64 levels deep), else undefined. Two values with equal texts
 * are then equal values, so the text can key a cache by content; and a text without `${` holds no
 * env reference, so `${ENV}` substitution would leave the value as it is.
 *
 * Validation works this out once per config (one walk, one native stringify) and hands it to
 * `NodeTypeInfo.validateConfig`, so neither substitution nor a content-keyed cache walks the
 * config again (three walks per node on a cold 5,000-node deploy before).
 *
 * @example
 * exactJsonText({ a: [1, 'x'] }) // '{"a":[1,"x"]}'
 * exactJsonText({ a: undefined }) // undefined: JSON would write {} for it
 */
export function exactJsonText(value: unknown): string | undefined {
  return isExactJson(value, 0) ? JSON.stringify(value) : undefined;
}

function isExactJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return isExactNumber(value);
    case 'object': {
      if (value === null) return true;
      if (depth > 64) return false;
      // Leaves are judged in the loops, without a call each: a deploy runs this on every config,
      // cold, in the interpreter, where calls dominate.
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) return false;
          const item: unknown = value[i];
          if (typeof item === 'string' || typeof item === 'boolean') continue;
          if (typeof item === 'number' ? !isExactNumber(item) : !isExactJson(item, depth + 1)) return false;
        }
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype || Object.getOwnPropertySymbols(value).length !== 0) return false;
      for (const key in value) {
        if (key === '__proto__') return false;
        const item = (value as Record<string, unknown>)[key];
        if (typeof item === 'string' || typeof item === 'boolean') continue;
        if (typeof item === 'number' ? !isExactNumber(item) : !isExactJson(item, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** A number JSON writes back as itself: finite, and not -0 (written as 0). */
function isExactNumber(n: number): boolean {
  return Number.isFinite(n) && (n !== 0 || 1 / n > 0);
}
