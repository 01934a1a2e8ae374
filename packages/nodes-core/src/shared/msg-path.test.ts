import { NodeError } from '@plantwire/node-sdk';
import { deepFreeze } from '@plantwire/testing';
import { describe, expect, it } from 'vitest';
import { deletePath, formatPath, getPath, hasPath, parsePath, setPath } from './msg-path.js';

describe('parsePath', () => {
  it('reads dots, indexes and quoted names', () => {
    expect(parsePath('payload')).toEqual(['payload']);
    expect(parsePath('payload.tags[3].value')).toEqual(['payload', 'tags', 3, 'value']);
    expect(parsePath('payload["name with.dot"][0]')).toEqual(['payload', 'name with.dot', 0]);
    expect(parsePath("payload['it\\'s']")).toEqual(['payload', "it's"]);
    expect(parsePath('payload.temp-1.$x')).toEqual(['payload', 'temp-1', '$x']);
  });

  it.each([
    ['', 'empty'],
    ['.payload', 'position 0'],
    ['payload.', 'position 8'],
    ['payload..x', 'position 8'],
    ['payload[', 'position 8'],
    ['payload[x]', 'position 8'],
    ['payload[1', 'position 9'],
    ['payload["x"', 'position 11'],
    ['payload["x', 'closing'],
    ['pay load', 'position 3'],
    ['payload[0]x', 'position 10'],
    ['payload.__proto__.x', '"__proto__" is not allowed'],
  ])('rejects %j with a CONFIG_INVALID error naming the place', (path, fragment) => {
    let error: unknown;
    try {
      parsePath(path);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(NodeError);
    expect((error as NodeError).code).toBe('CONFIG_INVALID');
    expect((error as NodeError).message).toContain(fragment);
  });

  it('formats a parsed path back to text', () => {
    for (const text of ['payload', 'payload.tags[3].value', 'payload["a b"]']) expect(formatPath(parsePath(text))).toBe(text);
  });
});

describe('getPath', () => {
  const msg = deepFreeze({ _msgid: '1', payload: { tags: [{ value: 7 }, { value: 8 }], text: 'abc', none: null } });

  it('reads nested values and returns undefined for missing steps', () => {
    expect(getPath(msg, 'payload.tags[1].value')).toBe(8);
    expect(getPath(msg, 'payload.tags.0.value')).toBe(7);
    expect(getPath(msg, 'payload.missing.deeper')).toBeUndefined();
    expect(getPath(msg, 'payload.none.x')).toBeUndefined();
    expect(getPath(msg, 'payload.text.length')).toBe(3);
  });

  it('never reads through prototypes', () => {
    expect(getPath(msg, ['payload', 'toString'])).toBeUndefined();
    expect(getPath(msg, 'payload.tags.map')).toBeUndefined();
  });

  it('tells a present undefined from a missing property', () => {
    expect(hasPath({ payload: undefined }, 'payload')).toBe(true);
    expect(hasPath({}, 'payload')).toBe(false);
    expect(hasPath(msg, 'payload.tags[1]')).toBe(true);
  });
});

describe('setPath', () => {
  const msg = deepFreeze({ _msgid: '1', topic: 't', payload: { a: { x: 1 }, b: { y: 2 }, list: [1, 2, 3] } });

  it('copies only along the path and shares the rest', () => {
    const out = setPath(msg, 'payload.a.x', 5);
    expect(out).toEqual({ _msgid: '1', topic: 't', payload: { a: { x: 5 }, b: { y: 2 }, list: [1, 2, 3] } });
    expect(out).not.toBe(msg);
    expect(out.payload).not.toBe(msg.payload);
    expect(out.payload.b).toBe(msg.payload.b);
    expect(out.payload.list).toBe(msg.payload.list);
    expect(msg.payload.a.x).toBe(1);
  });

  it('sets array elements without touching the original', () => {
    const out = setPath(msg, 'payload.list[1]', 9);
    expect(out.payload.list).toEqual([1, 9, 3]);
    expect(msg.payload.list).toEqual([1, 2, 3]);
  });

  it('creates missing objects, and arrays before an index', () => {
    expect(setPath({}, 'payload.reading.value', 1)).toEqual({ payload: { reading: { value: 1 } } });
    expect(setPath({}, 'payload.tags[0].value', 1)).toEqual({ payload: { tags: [{ value: 1 }] } });
  });

  it('refuses to set inside a number with INPUT_INVALID naming where', () => {
    expect(() => setPath({ payload: 5 }, 'payload.temperature', 1)).toThrow(/cannot set payload\.temperature: payload is a number/);
    expect(() => setPath({ payload: 'x' }, 'payload.a', 1)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });

  it('refuses a hand-built path that reaches a prototype', () => {
    expect(() => setPath({}, ['__proto__', 'polluted'], true)).toThrow(/not allowed/);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('deletePath', () => {
  const msg = deepFreeze({ _msgid: '1', payload: { a: 1, b: { c: 2 }, list: ['x', 'y', 'z'] } });

  it('removes a property, copying only along the path', () => {
    const out = deletePath(msg, 'payload.a');
    expect(out).toEqual({ _msgid: '1', payload: { b: { c: 2 }, list: ['x', 'y', 'z'] } });
    expect(out.payload.b).toBe(msg.payload.b);
  });

  it('removes an array element so later ones move up', () => {
    expect(deletePath(msg, 'payload.list[0]').payload.list).toEqual(['y', 'z']);
  });

  it('returns the same object when there is nothing to delete', () => {
    expect(deletePath(msg, 'payload.missing.x')).toBe(msg);
    expect(deletePath(msg, 'payload.list[7]')).toBe(msg);
    expect(deletePath(msg, 'payload.a.x')).toBe(msg);
  });
});
