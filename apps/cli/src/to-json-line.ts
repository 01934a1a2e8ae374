import { isoTime } from '@plantwire/runtime';

/**
 * One line of JSON for any value: debug values and log fields can hold what JSON.stringify
 * rejects or mangles (bigint, circular references, errors, maps, typed arrays), and a debug line
 * must never throw out of the runtime's event.
 */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(toJsonSafe(value, [])) ?? 'null';
}

/** A JSON-safe copy of `value`. Shared (non-circular) structure is repeated, as JSON does. */
export function toJsonSafe(value: unknown, ancestors: unknown[] = []): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.includes(value)) return '[Circular]';
  const inner = [...ancestors, value];
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : isoTime(value);
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code: toJsonSafe(code, inner) }) };
  }
  if (Buffer.isBuffer(value)) return { type: 'Buffer', data: [...value] };
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonSafe(v, inner)]));
  if (value instanceof Set) return [...value].map((v) => toJsonSafe(v, inner) ?? null);
  if (Array.isArray(value)) return value.map((v) => toJsonSafe(v, inner) ?? null);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return toJsonSafe(toJSON.call(value), inner);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // undefined properties are dropped, as JSON.stringify does
    if (v === undefined) continue;
    const safe = toJsonSafe(v, inner);
    if (safe !== undefined) out[k] = safe;
  }
  return out;
}
