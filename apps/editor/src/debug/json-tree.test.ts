import { describe, expect, it } from 'vitest';
import { CHILD_PAGE, copyValueText, formatPath, jsonTreeChildren, jsonTreeRoot } from './json-tree.js';

describe('formatPath', () => {
  it('writes message paths with dots, indexes and quoted odd keys', () => {
    expect(formatPath(['payload', 'values', 3, 'quality'])).toBe('payload.values[3].quality');
    expect(formatPath([0, 'a'])).toBe('[0].a');
    expect(formatPath(['payload', 'tag name', 'x-y'])).toBe('payload["tag name"]["x-y"]');
    expect(formatPath([])).toBe('');
  });
});

describe('jsonTree', () => {
  const message = { payload: { values: [{ value: 1, quality: 'good' }, { value: 2, quality: 'bad' }], unit: '°C' }, topic: 'plant/boiler' };

  it('describes the root and expands children with their paths', () => {
    const root = jsonTreeRoot(message);
    expect(root).toMatchObject({ kind: 'object', childCount: 2, path: '', summary: '{payload, topic}' });
    const { children, hidden } = jsonTreeChildren(root);
    expect(hidden).toBe(0);
    expect(children.map((c) => [c.path, c.kind, c.summary])).toEqual([
      ['payload', 'object', '{values, unit}'],
      ['topic', 'string', '"plant/boiler"'],
    ]);
    const payload = children[0];
    if (!payload) throw new Error('no payload child');
    const values = jsonTreeChildren(payload).children[0];
    if (!values) throw new Error('no values child');
    expect(values).toMatchObject({ kind: 'array', childCount: 2, summary: 'array[2]', path: 'payload.values' });
    const second = jsonTreeChildren(values).children[1];
    if (!second) throw new Error('no second value');
    const quality = jsonTreeChildren(second).children.find((c) => c.key === 'quality');
    expect(quality).toMatchObject({ path: 'payload.values[1].quality', value: 'bad', kind: 'string', childCount: 0 });
  });

  it('prefixes paths when the value sits inside a message', () => {
    const root = jsonTreeRoot({ temperature: 70 }, ['payload']);
    expect(root.path).toBe('payload');
    expect(root.key).toBe('payload');
    expect(jsonTreeChildren(root).children[0]?.path).toBe('payload.temperature');
  });

  it('makes children a page at a time and says how many are hidden', () => {
    const root = jsonTreeRoot(Array.from({ length: 250 }, (_, i) => i));
    const first = jsonTreeChildren(root);
    expect(first.children).toHaveLength(CHILD_PAGE);
    expect(first.hidden).toBe(250 - CHILD_PAGE);
    const more = jsonTreeChildren(root, CHILD_PAGE * 2);
    expect(more.children.at(-1)?.path).toBe(`[${CHILD_PAGE * 2 - 1}]`);
    expect(jsonTreeChildren(root, 1_000).hidden).toBe(0);
  });

  it('treats scalars as leaves', () => {
    for (const value of [1, 'x', true, null, undefined]) {
      const node = jsonTreeRoot(value);
      expect(node.childCount).toBe(0);
      expect(jsonTreeChildren(node).children).toEqual([]);
    }
    expect(jsonTreeRoot(null).kind).toBe('null');
    expect(jsonTreeRoot(undefined).summary).toBe('undefined');
  });
});

describe('copyValueText', () => {
  it('copies strings raw and the rest as indented JSON', () => {
    expect(copyValueText('plant/boiler')).toBe('plant/boiler');
    expect(copyValueText(21.5)).toBe('21.5');
    expect(copyValueText({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(copyValueText(undefined)).toBe('undefined');
  });
});
