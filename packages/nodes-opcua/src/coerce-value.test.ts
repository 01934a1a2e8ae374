import { describe, expect, it } from 'vitest';
import { BUILT_IN, CoercionError, coerceValue } from './coerce-value.js';

describe('coerceValue', () => {
  it('converts what a user means to the variable type', () => {
    expect(coerceValue('72.5', BUILT_IN.Double)).toBe(72.5);
    expect(coerceValue(true, BUILT_IN.Float)).toBe(1);
    expect(coerceValue('true', BUILT_IN.Boolean)).toBe(true);
    expect(coerceValue(0, BUILT_IN.Boolean)).toBe(false);
    expect(coerceValue('42', BUILT_IN.Int16)).toBe(42);
    expect(coerceValue(7, BUILT_IN.String)).toBe('7');
    expect(coerceValue({ a: 1 }, BUILT_IN.String)).toBe('{"a":1}');
    expect(coerceValue('2026-01-01T00:00:00Z', BUILT_IN.DateTime)).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(coerceValue([1, '2'], BUILT_IN.UInt32)).toEqual([1, 2]);
  });

  it('refuses values that do not fit, naming value and type, and never wraps integers', () => {
    expect(() => coerceValue('warm', BUILT_IN.Double)).toThrow(CoercionError);
    expect(() => coerceValue('warm', BUILT_IN.Double)).toThrow('cannot write "warm" to a Double variable');
    expect(() => coerceValue(256, BUILT_IN.Byte)).toThrow('expected an integer in 0…255');
    expect(() => coerceValue(1.5, BUILT_IN.Int32)).toThrow('Int32');
    expect(() => coerceValue(-1, BUILT_IN.UInt64)).toThrow('UInt64');
    expect(() => coerceValue('maybe', BUILT_IN.Boolean)).toThrow('Boolean');
    expect(() => coerceValue('soon', BUILT_IN.DateTime)).toThrow('DateTime');
    expect(() => coerceValue(1, 22)).toThrow('DataType 22 is not supported');
  });
});
