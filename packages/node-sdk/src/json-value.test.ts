import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { jsonValue } from './json-value.js';

const sparse: unknown[] = [1];
sparse[2] = 3;
const withSymbol = { a: 1, [Symbol('s')]: 2 };
const protoKey = JSON.parse('{"a":1,"__proto__":{"b":2}}') as unknown;
const hidden = Object.defineProperty({ a: 1 }, 'h', { value: 2, enumerable: false });
const nullProto = Object.assign(Object.create(null) as object, { a: [1, { b: null }] });
const cyclic: Record<string, unknown> = { a: 1 };
cyclic['self'] = cyclic;
let deep: unknown = 1;
for (let i = 0; i < 100; i++) deep = [deep];

/** Values `z.json()` accepts, rejects, or handles oddly: `jsonValue()` must answer each the same. */
const cases: Array<[string, unknown]> = [
  ['string', 'on'],
  ['number', 21.5],
  ['negative zero', -0],
  ['boolean', false],
  ['null', null],
  ['nested', { unit: 'degC', list: [1, 'two', null, true, { x: [] }], '3': 'numeric key' }],
  ['empty array', []],
  ['empty object', {}],
  ['undefined', undefined],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['bigint', 1n],
  ['function', () => 1],
  ['date', new Date(0)],
  ['map', new Map()],
  ['invalid inside', { a: [1, { b: undefined }] }],
  ['NaN inside', [1, Number.NaN]],
  ['hole', sparse],
  ['symbol key', withSymbol],
  ['__proto__ key', protoKey],
  ['non-enumerable key', hidden],
  ['null prototype', nullProto],
  ['deep', deep],
];

const strip = (issues: readonly z.core.$ZodIssue[]) => JSON.parse(JSON.stringify(issues)) as unknown;

describe('jsonValue()', () => {
  it.each(cases)('answers %s exactly as z.json() does: success, output and issues', (_name, value) => {
    const expected = z.strictObject({ rule: z.strictObject({ value: z.json() }) }).safeParse({ rule: { value } });
    const actual = z.strictObject({ rule: z.strictObject({ value: jsonValue() }) }).safeParse({ rule: { value } });
    expect(actual.success).toBe(expected.success);
    if (expected.success && actual.success) {
      expect(actual.data).toStrictEqual(expected.data);
      // toStrictEqual does not see a prototype set by assigning `__proto__`.
      const proto = (v: unknown) => (typeof v === 'object' && v !== null ? Object.getPrototypeOf(v) : typeof v);
      expect(proto(actual.data.rule.value)).toBe(proto(expected.data.rule.value));
    }
    else expect(strip(actual.error!.issues)).toEqual(strip(expected.error!.issues));
  });

  it('copies objects and arrays as z.json() does, never handing out the input', () => {
    const input = { a: [1, { b: 2 }] };
    const out = jsonValue().parse(input) as typeof input;
    expect(out).toStrictEqual(input);
    expect(out).not.toBe(input);
    expect(out.a).not.toBe(input.a);
    expect(out.a[1]).not.toBe(input.a[1]);
  });

  it('reports an invalid value at its path with z.json()\'s message', () => {
    const r = z.object({ rules: z.array(z.object({ value: jsonValue().optional() })) }).safeParse({ rules: [{ value: 1 }, { value: { a: [() => 1] } }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [i.path, i.code, i.message])).toEqual([[['rules', 1, 'value'], 'invalid_union', 'Invalid input']]);
  });

  it('handles a cyclic value as z.json() does', () => {
    const expected = z.json().safeParse(cyclic);
    const actual = jsonValue().safeParse(cyclic);
    expect(actual.success).toBe(expected.success);
  });

  it('gives the editor the JSON Schema of z.json(), with meta, optional and inside records', () => {
    const make = (json: () => z.ZodType) =>
      z.toJSONSchema(
        z.strictObject({
          a: json().meta({ title: 'Value', examples: [0, { unit: 'degC' }] }),
          b: json().optional().meta({ description: 'optional' }),
          c: z.record(z.string(), json()).default({}),
        }),
        { io: 'input' },
      );
    expect(make(jsonValue)).toEqual(make(() => z.json()));
  });

  it('keeps the zod cycle memoizer out of the configs around it', () => {
    expect(z.core.isRecursiveSchema(z.strictObject({ rules: z.array(z.strictObject({ value: jsonValue() })) }))).toBe(false);
  });
});
