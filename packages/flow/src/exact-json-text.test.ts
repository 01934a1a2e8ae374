import { describe, expect, it } from 'vitest';
import { exactJsonText } from './exact-json-text.js';

describe('exactJsonText', () => {
  it('gives the JSON text of plain JSON data', () => {
    const value = { a: [1, 'x', true, null, { b: -2.5 }], c: '${HOST}' };
    expect(exactJsonText(value)).toBe(JSON.stringify(value));
    expect(exactJsonText('s')).toBe('"s"');
  });

  it('refuses values whose JSON text stands for another value', () => {
    const withProto = JSON.parse('{"__proto__": 1}') as unknown;
    const odd: unknown[] = [
      { a: undefined },
      { a: Number.NaN },
      { a: -0 },
      { a: Infinity },
      [1, , 3], // eslint-disable-line no-sparse-arrays
      { a: () => 1 },
      { a: new Date(0) },
      Object.assign(Object.create(null) as object, { a: 1 }),
      { [Symbol('s')]: 1 },
      withProto,
      undefined,
    ];
    for (const value of odd) expect(exactJsonText(value)).toBeUndefined();
  });

  it('refuses values nested past 64 levels', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(exactJsonText(deep)).toBeUndefined();
  });
});
