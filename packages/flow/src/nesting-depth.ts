import type { JsonPathSegment } from './json-path.js';

/**
 * How deep a flow document may nest (the root counts as level 0, `$.nodes[0].config` is level 3).
 * Far beyond any real config, and far below what recursive code (env substitution, zod, canonical
 * printing, message freezing) survives: a document nested thousands of levels deep otherwise ends
 * in "Maximum call stack size exceeded" with no address.
 */
export const MAX_NESTING_DEPTH = 256;

/**
 * The path of the first value nested deeper than `max` levels, or undefined when there is none.
 * The check recurses, but never past `max + 1` levels, so it cannot overflow the stack it
 * protects; it allocates nothing (it runs over every config of every deploy: a 5,000-node
 * document in well under a millisecond). Only a document that is too deep pays for the path.
 *
 * @example
 * tooDeepAt({ a: [[1]] }, 2) // ['a', 0, 0]
 */
export function tooDeepAt(root: unknown, max = MAX_NESTING_DEPTH): JsonPathSegment[] | undefined {
  if (root === null || typeof root !== 'object' || !exceeds(root, 0, max)) return undefined;
  return deepestBranch(root, max);
}

/** True when `value` (an object at `depth`) holds an object deeper than `max`. */
function exceeds(value: object, depth: number, max: number): boolean {
  if (depth > max) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      if (child !== null && typeof child === 'object' && exceeds(child, depth + 1, max)) return true;
    }
    return false;
  }
  for (const key in value) {
    const child: unknown = (value as Record<string, unknown>)[key];
    if (child !== null && typeof child === 'object' && exceeds(child, depth + 1, max)) return true;
  }
  return false;
}

function deepestBranch(root: unknown, max: number): JsonPathSegment[] {
  const stack: Array<{ value: unknown; path: JsonPathSegment[] }> = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (path.length > max) return path;
    if (value === null || typeof value !== 'object') continue;
    const entries: Array<[JsonPathSegment, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, child] of entries) if (child !== null && typeof child === 'object') stack.push({ value: child, path: [...path, key] });
  }
  return [];
}
