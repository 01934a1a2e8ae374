import { describe, expect, it } from 'vitest';
import { describeValue, previewValue, previewDebugValue } from './value-preview.js';

describe('previewValue', () => {
  it('renders scalars, arrays and objects on one line', () => {
    expect(previewValue(21.5)).toBe('21.5');
    expect(previewValue('on')).toBe('"on"');
    expect(previewValue(null)).toBe('null');
    expect(previewValue(undefined)).toBe('undefined');
    expect(previewValue(true)).toBe('true');
    expect(previewValue([1, 'a', null])).toBe('[1, "a", null]');
    expect(previewValue({ value: 21.5, quality: 'good', 'tag name': 'T1' })).toBe('{value: 21.5, quality: "good", "tag name": "T1"}');
  });

  it('stops at the character budget with an ellipsis', () => {
    expect(previewValue('abcdefghij', 5)).toBe('"abcd…');
    expect(previewValue([1, 2, 3, 4, 5, 6], 8)).toBe('[1, 2, 3…');
    expect(previewValue({ a: 1 }, 7)).toBe('{a: 1}');
  });

  it('does not walk a huge value beyond what it shows', () => {
    let visited = 0;
    const huge = new Proxy(
      Array.from({ length: 1_000_000 }, (_, i) => i),
      {
        get(target, key, receiver) {
          if (typeof key === 'string' && /^\d+$/.test(key)) visited++;
          return Reflect.get(target, key, receiver) as unknown;
        },
      },
    );
    const text = previewValue(huge, 50);
    expect(text.length).toBe(51);
    expect(visited).toBeLessThan(30);
  });

  it('summarises what is nested deeper than three levels', () => {
    expect(previewValue({ a: { b: { c: { d: 1 } } } })).toBe('{a: {b: {c: {…}}}}');
    expect(previewValue([[[[1, 2]]]])).toBe('[[[[…2]]]]');
  });
});

describe('describeValue', () => {
  it('names the type with sizes', () => {
    expect(describeValue(1)).toBe('number');
    expect(describeValue('abc')).toBe('string[3]');
    expect(describeValue([1, 2])).toBe('array[2]');
    expect(describeValue({})).toBe('object');
    expect(describeValue(null)).toBe('null');
  });
});

describe('previewDebugValue', () => {
  it('reads a whole message as topic · payload, leaving its id to the tree', () => {
    const msg = { _msgid: 'm-1', topic: 'springfield/line1/pressure', payload: { value: 2.9, unit: 'bar', quality: 'good' } };
    expect(previewDebugValue(msg)).toBe('springfield/line1/pressure · {value: 2.9, unit: "bar", quality: "good"}');
    expect(previewDebugValue({ _msgid: 'm-2', payload: 7 })).toBe('7');
  });

  it('previews anything else as the value itself, within the budget', () => {
    expect(previewDebugValue({ value: 1, _other: 2 })).toBe('{value: 1, _other: 2}');
    expect(previewDebugValue(42)).toBe('42');
    expect(previewDebugValue({ _msgid: 'm-3', topic: 'x'.repeat(50), payload: 'y'.repeat(50) }, 20)).toHaveLength(21);
  });
});
