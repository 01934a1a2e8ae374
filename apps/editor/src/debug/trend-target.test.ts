import { describe, expect, it } from 'vitest';
import { trendTargetOf } from './trend-target.js';

describe('trendTargetOf', () => {
  it('offers one tag of a whole message: its topic, when the payload holds a number', () => {
    expect(trendTargetOf({ _msgid: 'a', topic: 'line1/pressure', payload: { value: 2.9, unit: 'bar', quality: 'good' } })).toEqual({ topic: 'line1/pressure' });
    expect(trendTargetOf({ _msgid: 'b', topic: 'line1/running', payload: true })).toEqual({ topic: 'line1/running' });
    expect(trendTargetOf({ _msgid: 'c', payload: 4 })).toEqual({ topic: undefined });
  });

  it('offers a printed number or industrial value without a topic, and nothing for text, objects without a value, NaN', () => {
    expect(trendTargetOf(21.5)).toEqual({ topic: undefined });
    expect(trendTargetOf({ value: 3, quality: 'uncertain' })).toEqual({ topic: undefined });
    expect(trendTargetOf('21.5')).toBeUndefined();
    expect(trendTargetOf({ _msgid: 'd', topic: 't', payload: { temperature: 3 } })).toBeUndefined();
    expect(trendTargetOf(Number.NaN)).toBeUndefined();
    expect(trendTargetOf([1, 2])).toBeUndefined();
  });
});
