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
 * Iterative, so it cannot overflow the stack it protects; a first pass without paths keeps the
 * common case (a normal document) cheap.
 *
 * @example
 * tooDeepAt({ a: [[1]] }, 2) // ['a', 0, 0]
 */
export function tooDeepAt(root: unknown, max = MAX_NESTING_DEPTH): JsonPathSegment[] | undefined {
  const values: unknown[] = [root];
  const depths: number[] = [0];
  let deepest = 0;
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (deepest > max) break;
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (child !== null && typeof child === 'object') {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  if (deepest <= max) return undefined;
  // Second pass, only for a document that is too deep: follow the deepest branch, keeping the path.
  return deepestBranch(root, max);
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
