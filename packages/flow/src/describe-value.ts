/**
 * A short description of a JSON value for issue messages: `"abc"` (quoted, cut at 40
 * characters), `42`, `true`, `null`, `an array`, `an object`, `nothing` for undefined.
 *
 * @example
 * `expected a number, got ${describeValue(input)}` // 'expected a number, got "12 V"'
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}
