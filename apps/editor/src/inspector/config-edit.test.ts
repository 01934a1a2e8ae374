import { describe, expect, it } from 'vitest';
import { deleteAt, getAt, initialValue, insertItem, moveItem, removeItem, setAt, switchVariant } from './config-edit.js';
import { configFields, type ListField, type UnionField } from './schema-fields.js';
import { nodeManifest } from './node-types.fixture.js';

const deepFreeze = <T>(v: T): T => {
  if (v && typeof v === 'object') {
    Object.values(v).forEach(deepFreeze);
    Object.freeze(v);
  }
  return v;
};

describe('config edits', () => {
  it('sets and deletes by path without touching the input, sharing what did not change', () => {
    const config = deepFreeze({ rules: [{ op: 'set', path: 'a' }, { op: 'delete', path: 'b' }], other: { x: 1 } });
    const next = setAt(config, ['rules', 0, 'path'], 'payload');
    expect(next).toEqual({ rules: [{ op: 'set', path: 'payload' }, { op: 'delete', path: 'b' }], other: { x: 1 } });
    expect(next.other).toBe(config.other);
    expect(next.rules[1]).toBe(config.rules[1]);
    expect(setAt(config, ['rules', 0, 'path'], 'a')).toBe(config);
    expect(setAt({}, ['will', 'topic'], 't')).toEqual({ will: { topic: 't' } });
    expect(setAt({}, ['list', 0], 'x')).toEqual({ list: ['x'] });
    expect(setAt(config, ['other', 'x'], undefined)).toEqual({ rules: config.rules, other: {} });
    expect(deleteAt(config, ['rules', 0])).toEqual({ rules: [{ op: 'delete', path: 'b' }], other: { x: 1 } });
    expect(deleteAt(config, ['missing', 'x'])).toBe(config);
    expect(getAt(config, ['rules', 1, 'path'])).toBe('b');
    expect(getAt(config, ['rules', 5, 'path'])).toBeUndefined();
  });

  it('adds, removes and moves list items', () => {
    const config = deepFreeze({ tags: ['a', 'b', 'c'] });
    expect(insertItem(config, ['tags'], 1, 'x').tags).toEqual(['a', 'x', 'b', 'c']);
    expect(insertItem(config, ['tags'], 99, 'x').tags).toEqual(['a', 'b', 'c', 'x']);
    expect(insertItem({}, ['tags'], 0, 'x')).toEqual({ tags: ['x'] });
    expect(removeItem(config, ['tags'], 0).tags).toEqual(['b', 'c']);
    expect(moveItem(config, ['tags'], 0, 2).tags).toEqual(['b', 'c', 'a']);
    expect(moveItem(config, ['tags'], 2, 0).tags).toEqual(['c', 'a', 'b']);
    expect(moveItem(config, ['tags'], 0, 3)).toBe(config);
  });

  it('switches a rule between variants, keeping the fields both have', () => {
    const rules = configFields(nodeManifest('change').configSchema).fields.find((e) => e.key === 'rules')!.field as ListField;
    const rule = rules.item as UnionField;
    const set = deepFreeze({ op: 'set', path: 'payload.x', value: 5 });
    expect(switchVariant(rule, set, 2)).toEqual({ op: 'move', path: 'payload.x', to: '' });
    expect(switchVariant(rule, set, 1)).toEqual({ op: 'delete', path: 'payload.x' });
    expect(switchVariant(rule, set, 0)).toBe(set);
    // New list items start as the schema asks: the first variant, its required fields.
    expect(initialValue(rule)).toEqual({ op: 'set', path: '' });
    expect(initialValue(rules)).toEqual([{ op: 'set', path: '' }]);
  });

  it('switches a plain union by shape and starts values from defaults (copied, never shared)', () => {
    const catchRoot = configFields(nodeManifest('catch').configSchema);
    const scope = catchRoot.fields.find((e) => e.key === 'scope')!.field as UnionField;
    expect(switchVariant(scope, 'tab', 1)).toEqual(['']); // minItems 1
    expect(switchVariant(scope, ['n1'], 0)).toBe('tab');
    const fn = configFields(nodeManifest('function').configSchema);
    const caps = fn.fields.find((e) => e.key === 'capabilities')!.field;
    const a = initialValue(caps) as string[];
    a.push('env');
    expect(initialValue(caps)).toEqual(['console']);
    expect(initialValue(configFields(nodeManifest('modbus-read').configSchema))).toEqual({ device: '', tags: [{ name: '', address: 0 }] });
  });
});
