/** Every string value inside a JSON value (config objects), depth-first. */
export function collectStrings(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) collectStrings(item, into);
  return into;
}

/** A copy of a JSON value with every string equal to a key of `remap` replaced by its value. */
export function replaceStrings<T>(value: T, remap: ReadonlyMap<string, string>): T {
  if (remap.size === 0) return value;
  if (typeof value === 'string') return (remap.get(value) ?? value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => replaceStrings(item, remap)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceStrings(v, remap)])) as T;
  }
  return value;
}
