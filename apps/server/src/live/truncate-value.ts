/** Size budget of one debug value sent to a browser. */
export interface TruncateLimits {
  /** Characters kept of a string. */
  readonly maxString: number;
  /** Items kept of an array (and keys of an object). */
  readonly maxItems: number;
  /** Nesting kept; deeper values become a `[Object]` / `[Array(n)]` marker. */
  readonly maxDepth: number;
  /** Total leaves (strings, numbers, …) kept across the whole value. */
  readonly maxLeaves: number;
}

export const DEFAULT_TRUNCATE_LIMITS: TruncateLimits = { maxString: 1000, maxItems: 100, maxDepth: 8, maxLeaves: 2000 };

/**
 * A JSON-safe copy of `value` cut to the budget: long strings end in `…`, long arrays and objects
 * keep their first items and say how many more there were, deep values become a marker. Binary
 * data, bigints, functions, dates and cycles become readable stand-ins. `truncated` tells whether
 * anything was cut, so the editor can say so.
 *
 * @example
 * truncateValue('x'.repeat(5000)) // { value: 'xxx…(4000 more characters)', truncated: true }
 */
export function truncateValue(value: unknown, limits: TruncateLimits = DEFAULT_TRUNCATE_LIMITS): { value: unknown; truncated: boolean } {
  let truncated = false;
  let leaves = 0;
  const seen = new Set<object>();

  const cut = (v: unknown, depth: number): unknown => {
    if (leaves >= limits.maxLeaves) {
      truncated = true;
      return '…';
    }
    if (v === null || typeof v === 'boolean') return (leaves++, v);
    if (typeof v === 'number') return (leaves++, Number.isFinite(v) ? v : String(v));
    if (typeof v === 'string') {
      leaves++;
      if (v.length <= limits.maxString) return v;
      truncated = true;
      return `${v.slice(0, limits.maxString)}…(${v.length - limits.maxString} more characters)`;
    }
    if (typeof v === 'bigint') return (leaves++, `${v}n`);
    if (v === undefined) return (leaves++, null);
    if (typeof v === 'function' || typeof v === 'symbol') return (leaves++, `[${typeof v}]`);
    if (v instanceof Date) return (leaves++, Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString());
    if (ArrayBuffer.isView(v)) {
      leaves++;
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      const shown = Math.min(bytes.length, 64);
      if (bytes.length > shown) truncated = true;
      return `[${v.constructor.name} ${bytes.length} bytes: ${Buffer.from(bytes.subarray(0, shown)).toString('hex')}${bytes.length > shown ? '…' : ''}]`;
    }
    const obj = v as object;
    if (seen.has(obj)) return (leaves++, '[Circular]');
    if (depth >= limits.maxDepth) {
      truncated = true;
      leaves++;
      return Array.isArray(obj) ? `[Array(${obj.length})]` : '[Object]';
    }
    seen.add(obj);
    try {
      if (Array.isArray(obj)) {
        const out: unknown[] = [];
        for (let i = 0; i < Math.min(obj.length, limits.maxItems); i++) out.push(cut(obj[i], depth + 1));
        if (obj.length > limits.maxItems) {
          truncated = true;
          out.push(`…(${obj.length - limits.maxItems} more items)`);
        }
        return out;
      }
      const source = obj instanceof Map ? Object.fromEntries(obj) : obj instanceof Set ? [...obj] : obj;
      if (Array.isArray(source)) return cut(source, depth);
      const out: Record<string, unknown> = {};
      const keys = Object.keys(source);
      for (const key of keys.slice(0, limits.maxItems)) out[key] = cut((source as Record<string, unknown>)[key], depth + 1);
      if (keys.length > limits.maxItems) {
        truncated = true;
        out['…'] = `${keys.length - limits.maxItems} more keys`;
      }
      return out;
    } finally {
      seen.delete(obj);
    }
  };

  const result = cut(value, 0);
  return { value: result, truncated };
}
