import { describe, expect, it } from 'vitest';
import { qualityOf, toTagValue } from './tag-value.js';

describe('qualityOf', () => {
  it('reads the severity bits of the status code', () => {
    expect(qualityOf({ value: 0, name: 'Good' })).toBe('good');
    expect(qualityOf({ value: 0x00a30000, name: 'GoodLocalOverride' })).toBe('good');
    expect(qualityOf({ value: 0x40920000, name: 'UncertainSensorNotAccurate' })).toBe('uncertain');
    expect(qualityOf({ value: 0x80340000, name: 'BadNodeIdUnknown' })).toBe('bad');
    expect(qualityOf({ value: 0xc0000000, name: 'reserved' })).toBe('bad');
  });
});

describe('toTagValue', () => {
  const t = new Date('2026-01-01T00:00:00.000Z');
  it('falls back to the server timestamp, then to now, when the source gives none', () => {
    expect(toTagValue({ value: { value: 1 }, statusCode: { value: 0, name: 'Good' }, sourceTimestamp: null, serverTimestamp: t })).toEqual({
      value: 1,
      quality: 'good',
      sourceTime: t.toISOString(),
      serverTime: t.toISOString(),
    });
    expect(toTagValue({ value: null, statusCode: { value: 0x80000000, name: 'Bad' }, sourceTimestamp: null, serverTimestamp: null }, () => t)).toEqual({
      value: null,
      quality: 'bad',
      sourceTime: t.toISOString(),
      reason: 'Bad',
    });
  });

  it('turns typed arrays into plain arrays', () => {
    expect(toTagValue({ value: { value: new Float64Array([1.5, 2]) }, statusCode: { value: 0, name: 'Good' }, sourceTimestamp: t, serverTimestamp: t }).value).toEqual([1.5, 2]);
  });
});
