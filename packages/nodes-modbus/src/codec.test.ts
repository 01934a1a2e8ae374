import { describe, expect, it } from 'vitest';
import {
  applyScaling,
  byteOrderPattern,
  CodecError,
  decodeValue,
  encodeValue,
  registerCount,
  removeScaling,
  type ByteOrder,
  type ModbusValueType,
  type TagLayout,
  type WordOrder,
} from './codec.js';

const ORDERS: Array<[WordOrder, ByteOrder]> = [
  ['ABCD', 'AB'],
  ['CDAB', 'AB'],
  ['ABCD', 'BA'],
  ['CDAB', 'BA'],
];

describe('byte and word orders', () => {
  it('names the four patterns', () => {
    expect(ORDERS.map(([w, b]) => byteOrderPattern(w, b))).toEqual(['ABCD', 'CDAB', 'BADC', 'DCBA']);
    expect(byteOrderPattern()).toBe('ABCD');
  });

  // 0x11223344: A=11 B=22 C=33 D=44, so each pattern is visible in the words.
  it.each([
    ['ABCD', 'AB', [0x1122, 0x3344]],
    ['CDAB', 'AB', [0x3344, 0x1122]],
    ['ABCD', 'BA', [0x2211, 0x4433]],
    ['CDAB', 'BA', [0x4433, 0x2211]],
  ] as const)('uint32 0x11223344 in %s/%s is %j', (wordOrder, byteOrder, words) => {
    expect(encodeValue(0x11223344, { type: 'uint32', wordOrder, byteOrder })).toEqual(words);
    expect(decodeValue(words, { type: 'uint32', wordOrder, byteOrder })).toBe(0x11223344);
  });

  it.each([
    ['ABCD', 'AB', [0x0102, 0x0304, 0x0506, 0x0708]],
    ['CDAB', 'AB', [0x0708, 0x0506, 0x0304, 0x0102]],
    ['ABCD', 'BA', [0x0201, 0x0403, 0x0605, 0x0807]],
    ['CDAB', 'BA', [0x0807, 0x0605, 0x0403, 0x0201]],
  ] as const)('int64 0x0102030405060708 in %s/%s is %j', (wordOrder, byteOrder, words) => {
    expect(encodeValue(0x0102030405060708n, { type: 'int64', wordOrder, byteOrder })).toEqual(words);
    expect(decodeValue(words, { type: 'int64', wordOrder, byteOrder })).toBe(0x0102030405060708n); // > 2^53: stays a bigint
  });

  it('float32 72.5 is 0x42910000 (IEEE 754), CDAB puts the low word first', () => {
    expect(encodeValue(72.5, { type: 'float32' })).toEqual([0x4291, 0x0000]);
    expect(encodeValue(72.5, { type: 'float32', wordOrder: 'CDAB' })).toEqual([0x0000, 0x4291]);
    expect(decodeValue([0x0000, 0x4291], { type: 'float32', wordOrder: 'CDAB' })).toBe(72.5);
    // The same words read with the wrong order give garbage, so a wrong setting is visible.
    expect(decodeValue([0x0000, 0x4291], { type: 'float32', wordOrder: 'ABCD' })).not.toBeCloseTo(72.5);
  });

  it('float64 1.0 is 0x3FF0000000000000', () => {
    expect(encodeValue(1, { type: 'float64' })).toEqual([0x3ff0, 0, 0, 0]);
    expect(encodeValue(1, { type: 'float64', wordOrder: 'CDAB', byteOrder: 'BA' })).toEqual([0, 0, 0, 0xf03f]);
    expect(decodeValue([0, 0, 0, 0x3ff0], { type: 'float64', wordOrder: 'CDAB' })).toBe(1);
  });
});

describe('integer types', () => {
  it('int16 and int32 are two’s complement', () => {
    expect(encodeValue(-2, { type: 'int16' })).toEqual([0xfffe]);
    expect(decodeValue([0xff6a], { type: 'int16' })).toBe(-150);
    expect(decodeValue([0xff6a], { type: 'uint16' })).toBe(0xff6a);
    expect(encodeValue(-2, { type: 'int32' })).toEqual([0xffff, 0xfffe]);
    expect(decodeValue([0xfffe, 0xffff], { type: 'int32', wordOrder: 'CDAB' })).toBe(-2);
  });

  it('refuses values outside the range or with a fraction, saying which', () => {
    expect(() => encodeValue(70_000, { type: 'uint16' })).toThrow(/uint16 value 70000 is outside 0…65535/);
    expect(() => encodeValue(-1, { type: 'uint32' })).toThrow(CodecError);
    expect(() => encodeValue(32768, { type: 'int16' })).toThrow(/outside -32768…32767/);
    expect(() => encodeValue(1.5, { type: 'int16' })).toThrow(/whole number, got 1.5/);
    expect(() => encodeValue('7', { type: 'int16' })).toThrow(/expects a number/);
    expect(() => encodeValue(2n ** 64n, { type: 'uint64' })).toThrow(/outside/);
    expect(() => encodeValue(2 ** 60, { type: 'int64' })).toThrow(/within ±2\^53/);
  });

  it('64-bit integers: a number when safe, a bigint beyond; encode takes number, bigint or decimal text', () => {
    expect(decodeValue(encodeValue(-123_456_789_012, { type: 'int64' }), { type: 'int64' })).toBe(-123_456_789_012);
    expect(decodeValue(encodeValue(Number.MAX_SAFE_INTEGER, { type: 'uint64' }), { type: 'uint64' })).toBe(Number.MAX_SAFE_INTEGER);
    expect(decodeValue(encodeValue('18446744073709551615', { type: 'uint64' }), { type: 'uint64' })).toBe(2n ** 64n - 1n);
    expect(decodeValue([0xffff, 0xffff, 0xffff, 0xffff], { type: 'int64' })).toBe(-1);
    expect(decodeValue([0x8000, 0, 0, 0], { type: 'int64' })).toBe(-(2n ** 63n));
  });
});

describe('bool and string', () => {
  it('bool: any non-zero register or a set bit is true', () => {
    expect(decodeValue([true], { type: 'bool' })).toBe(true);
    expect(decodeValue([0], { type: 'bool' })).toBe(false);
    expect(decodeValue([0x0100], { type: 'bool' })).toBe(true);
    expect(encodeValue(true, { type: 'bool' })).toEqual([1]);
    expect(encodeValue(0, { type: 'bool' })).toEqual([0]);
    expect(() => encodeValue('yes', { type: 'bool' })).toThrow(/true\/false/);
  });

  it('string(n): latin1 bytes from the first register, NUL-padded; byte order swaps within registers', () => {
    expect(registerCount({ type: 'string', length: 5 })).toBe(3);
    expect(encodeValue('Hello', { type: 'string', length: 6 })).toEqual([0x4865, 0x6c6c, 0x6f00]);
    expect(decodeValue([0x4865, 0x6c6c, 0x6f00], { type: 'string', length: 6 })).toBe('Hello');
    expect(encodeValue('Hi', { type: 'string', length: 4, byteOrder: 'BA' })).toEqual([0x6948, 0]);
    expect(decodeValue([0x6948, 0], { type: 'string', length: 4, byteOrder: 'BA' })).toBe('Hi');
    // Word order does not reorder characters.
    expect(decodeValue([0x4142, 0x4344], { type: 'string', length: 4, wordOrder: 'CDAB' })).toBe('ABCD');
    // An odd length uses only its bytes.
    expect(decodeValue([0x4142, 0x4344], { type: 'string', length: 3 })).toBe('ABC');
    expect(() => encodeValue('toolong', { type: 'string', length: 4 })).toThrow(/7 bytes does not fit the tag's length of 4/);
    expect(() => registerCount({ type: 'string' })).toThrow(/needs a length/);
  });

  it('refuses too few registers', () => {
    expect(() => decodeValue([1], { type: 'float32' })).toThrow(/needs 2 register/);
  });
});

describe('register counts', () => {
  it.each([
    ['bool', 1],
    ['int16', 1],
    ['uint16', 1],
    ['int32', 2],
    ['uint32', 2],
    ['float32', 2],
    ['float64', 4],
    ['int64', 4],
    ['uint64', 4],
  ] as const)('%s takes %i', (type, n) => expect(registerCount({ type })).toBe(n));
});

describe('round trips', () => {
  // A seeded generator so a failure reproduces.
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const samples: Record<Exclude<ModbusValueType, 'bool' | 'string'>, () => number> = {
    int16: () => Math.floor(rand() * 65536) - 32768,
    uint16: () => Math.floor(rand() * 65536),
    int32: () => Math.floor(rand() * 2 ** 32) - 2 ** 31,
    uint32: () => Math.floor(rand() * 2 ** 32),
    float32: () => Math.fround((rand() - 0.5) * 1e6),
    float64: () => (rand() - 0.5) * 1e12,
    int64: () => Math.floor((rand() - 0.5) * 2 ** 52),
    uint64: () => Math.floor(rand() * 2 ** 52),
  };
  it('every numeric type in every order decodes what it encoded (50 seeded values each)', () => {
    for (const [type, sample] of Object.entries(samples) as Array<[keyof typeof samples, () => number]>) {
      for (const [wordOrder, byteOrder] of ORDERS) {
        const layout: TagLayout = { type, wordOrder, byteOrder };
        for (let i = 0; i < 50; i++) {
          const v = sample();
          const words = encodeValue(v, layout);
          expect(words).toHaveLength(registerCount(layout));
          expect(words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff)).toBe(true);
          expect(decodeValue(words, layout), `${type} ${wordOrder}/${byteOrder} ${v}`).toBe(v);
        }
      }
    }
  });
});

describe('scaling', () => {
  it('value = raw × scale + offset, and back', () => {
    expect(applyScaling(-150, { scale: 0.01 })).toBeCloseTo(-1.5);
    expect(applyScaling(100, { scale: 0.1, offset: -40 })).toBeCloseTo(-30);
    expect(applyScaling(true, { scale: 10 })).toBe(true);
    expect(applyScaling('x', { scale: 10 })).toBe('x');
    expect(applyScaling(5n, {})).toBe(5n);
    expect(removeScaling(-30, { scale: 0.1, offset: -40 }, 'int16')).toBe(100);
    // 21.5 / 0.1 is 214.99999999999997 in floating point; the register gets 215.
    expect(removeScaling(21.5, { scale: 0.1 }, 'uint16')).toBe(215);
    expect(removeScaling(21.57, { scale: 0.1 }, 'uint16')).toBe(216);
    expect(removeScaling(21.5, { scale: 0.1 }, 'float32')).toBeCloseTo(215);
    // Unscaled values are passed on untouched, so encode refuses a fraction for an integer type.
    expect(removeScaling(1.5, {}, 'int16')).toBe(1.5);
  });
});
