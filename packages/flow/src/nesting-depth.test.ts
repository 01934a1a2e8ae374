import { describe, expect, it } from 'vitest';
import { MAX_NESTING_DEPTH, tooDeepAt } from './nesting-depth.js';

describe('tooDeepAt', () => {
  it('finds nothing in a shallow value', () => {
    expect(tooDeepAt({ a: [1, { b: 'x' }], c: null })).toBeUndefined();
    expect(tooDeepAt('text')).toBeUndefined();
  });

  it('gives the path of the first value past the limit', () => {
    expect(tooDeepAt({ a: [[1]], b: 2 }, 1)).toEqual(['a', 0]);
    expect(tooDeepAt({ a: [[1]] }, 2)).toBeUndefined();
  });

  it('survives nesting far deeper than the stack allows recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(tooDeepAt({ x: deep })).toHaveLength(MAX_NESTING_DEPTH + 1);
  });
});
