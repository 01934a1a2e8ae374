import { describe, expect, it } from 'vitest';
import { backoffDelay, checkBackoffSettings } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles the bound per failure up to the cap (random pinned to its top)', () => {
    const top = { initialMs: 250, maxMs: 30_000, random: () => 1 };
    expect([0, 1, 2, 3, 4, 7, 8, 9, 50, 5000].map((n) => backoffDelay(n, top))).toEqual([250, 250, 500, 1000, 2000, 16_000, 30_000, 30_000, 30_000, 30_000]);
  });

  it('draws uniformly below the bound (full jitter)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const samples = Array.from({ length: 2000 }, () => backoffDelay(4, { initialMs: 100, maxMs: 10_000, random }));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(800);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    expect(mean).toBeGreaterThan(350);
    expect(mean).toBeLessThan(450);
  });

  it('defaults to 250 ms … 30 s', () => {
    expect(backoffDelay(1, { random: () => 1 })).toBe(250);
    expect(backoffDelay(100, { random: () => 1 })).toBe(30_000);
  });

  it('rejects settings that cannot work, naming the option', () => {
    expect(() => checkBackoffSettings({ initialMs: -1 })).toThrow(/connectionBackoff\.initialMs/);
    expect(() => checkBackoffSettings({ initialMs: 100, maxMs: 50 })).toThrow(/connectionBackoff\.maxMs must be a finite number ≥ initialMs/);
    expect(() => checkBackoffSettings({ initialMs: 10, maxMs: 40 })).not.toThrow();
  });
});
