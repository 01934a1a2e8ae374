import { describe, expect, it } from 'vitest';
import { truncateValue } from './truncate-value.js';

const limits = { maxString: 10, maxItems: 3, maxDepth: 2, maxLeaves: 50 };

describe('truncateValue', () => {
  it('leaves a small JSON value as it is', () => {
    expect(truncateValue({ a: [1, 'x', true, null] }, { ...limits, maxItems: 10 })).toEqual({ value: { a: [1, 'x', true, null] }, truncated: false });
  });

  it('cuts long strings, long arrays, many keys and deep values, and says so', () => {
    const { value, truncated } = truncateValue({ s: 'abcdefghijklmnop', list: [1, 2, 3, 4, 5], deep: { a: { b: 1 } } }, limits);
    expect(truncated).toBe(true);
    expect(value).toEqual({ s: 'abcdefghij…(6 more characters)', list: [1, 2, 3, '…(2 more items)'], deep: { a: '[Object]' } });
    expect(truncateValue({ a: 1, b: 2, c: 3, d: 4 }, limits).value).toEqual({ a: 1, b: 2, c: 3, '…': '1 more keys' });
  });

  it('stops at the leaf budget', () => {
    const { value, truncated } = truncateValue(Array.from({ length: 10 }, (_, i) => i), { ...limits, maxItems: 100, maxLeaves: 4 });
    expect(truncated).toBe(true);
    expect(value).toEqual([0, 1, 2, 3, '…', '…', '…', '…', '…', '…']);
  });

  it('turns non-JSON values into readable stand-ins and survives cycles', () => {
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic['self'] = cyclic;
    const { value } = truncateValue({ big: 10n, when: new Date(0), bytes: Buffer.from([1, 2, 255]), nan: NaN, fn: () => 1, cyclic, missing: undefined }, { ...limits, maxItems: 10 });
    expect(value).toEqual({ big: '10n', when: '1970-01-01T00:00:00.000Z', bytes: '[Buffer 3 bytes: 0102ff]', nan: 'NaN', fn: '[function]', cyclic: { n: 1, self: '[Circular]' }, missing: null });
  });
});
