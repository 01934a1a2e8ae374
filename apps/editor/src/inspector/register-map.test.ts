import { describe, expect, it } from 'vitest';
import { addressRange, nextTag, tagSpan } from './register-map.js';

describe('register map', () => {
  it('spans registers by data type and table', () => {
    expect(tagSpan({ address: 0, type: 'float32' })).toBe(2);
    expect(tagSpan({ address: 0, type: 'float64' })).toBe(4);
    expect(tagSpan({ address: 0 })).toBe(1);
    expect(tagSpan({ area: 'coil', address: 0, type: 'bool' })).toBe(1);
    expect(tagSpan({ address: 0, type: 'string', length: 5 })).toBe(3);
    expect(tagSpan({ address: 0, type: 'string' })).toBeUndefined();
    expect(addressRange({ address: 100, type: 'uint32' })).toBe('100–101');
    expect(addressRange({ address: 7 })).toBe('7');
  });

  it('puts a new row after the last one, same table and type, fresh name', () => {
    expect(nextTag([])).toEqual({ name: 'tag1', address: 0 });
    expect(nextTag([{ name: 'a', area: 'input', address: 10, type: 'float32', wordOrder: 'CDAB' }])).toEqual({ name: 'tag2', area: 'input', address: 12, type: 'float32', wordOrder: 'CDAB' });
    expect(nextTag([{ name: 'tag2', address: 0 }]).name).toBe('tag3');
  });
});
