import { describe, expect, it } from 'vitest';
import { isoTime } from './iso-time.js';

describe('isoTime', () => {
  it('writes what toISOString writes', () => {
    const samples = [0, 1, 9, 10, 99, 100, 999, 1_000, 59_999, 1_765_000_000_123, Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.UTC(2024, 1, 29, 0, 0, 0, 5), Date.UTC(99, 0, 1), -62_135_596_800_000, Date.UTC(9999, 11, 31, 23, 59, 59, 999)];
    // A spread of times across the years, deterministic so a failure reproduces.
    for (let i = 0; i < 500; i++) samples.push(Math.floor(((i * 7_919) % 500) * 20_000_000_000 + i * 37));
    for (const ms of samples) {
      expect(isoTime(ms), String(ms)).toBe(new Date(ms).toISOString());
      expect(isoTime(new Date(ms)), String(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('matches toISOString outside years 0-9999 and throws the same on an invalid date', () => {
    for (const ms of [Date.UTC(10_000, 0, 1), Date.UTC(-1, 5, 1), -8.64e15, 8.64e15]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });

  it('defaults to now', () => {
    const before = Date.now();
    const at = Date.parse(isoTime());
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });
});
