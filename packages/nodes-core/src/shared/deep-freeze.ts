/**
 * Freeze a JSON-like value all the way down and return it. Config values (an inject payload, a
 * change node's `set` value) are frozen once at setup and then shared by every message they go
 * into: nodes never mutate messages, and freezing makes a node that tries fail loudly.
 */
export function deepFreeze<T>(value: T): T {
  // Typed arrays (binary payloads) cannot be frozen; they are left as they are.
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value) && !ArrayBuffer.isView(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/** A frozen deep copy of a JSON-like config value, so the parsed config itself stays untouched. */
export function frozenCopy<T>(value: T): T {
  return value === null || typeof value !== 'object' ? value : deepFreeze(structuredClone(value));
}
