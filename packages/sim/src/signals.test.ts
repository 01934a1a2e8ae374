import { describe, expect, it } from 'vitest';
import { signalSpecSchema, type SignalSpec } from './scenario.js';
import { evaluateSignal, randomAt, sampleAt, tagSeed } from './signals.js';

const spec = (input: unknown): SignalSpec => signalSpecSchema.parse(input);
const at = (tMs: number, seed = 1, periodMs = 100) => ({ ...sampleAt(tMs, periodMs), seed });

describe('sampleAt', () => {
  it('quantises time to the period so reads within one period agree', () => {
    expect(sampleAt(1234, 100)).toEqual({ sample: 12, tMs: 1200 });
    expect(sampleAt(1299, 100)).toEqual({ sample: 12, tMs: 1200 });
    expect(sampleAt(1300, 100)).toEqual({ sample: 13, tMs: 1300 });
    expect(sampleAt(-5, 100)).toEqual({ sample: 0, tMs: 0 });
  });
});

describe('evaluateSignal', () => {
  it('constant', () => {
    expect(evaluateSignal(spec({ kind: 'constant', value: 4.2 }), at(99_999))).toBe(4.2);
  });

  it('sine: offset, amplitude, period and phase', () => {
    const s = spec({ kind: 'sine', offset: 65, amplitude: 8, periodS: 60 });
    expect(evaluateSignal(s, at(0))).toBeCloseTo(65);
    expect(evaluateSignal(s, at(15_000))).toBeCloseTo(73);
    expect(evaluateSignal(s, at(45_000))).toBeCloseTo(57);
    expect(evaluateSignal(spec({ kind: 'sine', amplitude: 1, periodS: 4, phaseDeg: 90 }), at(0))).toBeCloseTo(1);
  });

  it('ramp: sawtooth restarts, triangle walks back', () => {
    const saw = spec({ kind: 'ramp', from: 10, to: 20, periodS: 10 });
    expect(evaluateSignal(saw, at(0))).toBe(10);
    expect(evaluateSignal(saw, at(5_000))).toBe(15);
    expect(evaluateSignal(saw, at(12_000))).toBe(12);
    const tri = spec({ kind: 'ramp', from: 0, to: 10, periodS: 10, shape: 'triangle' });
    expect(evaluateSignal(tri, at(5_000))).toBe(5);
    expect(evaluateSignal(tri, at(10_000))).toBe(10);
    expect(evaluateSignal(tri, at(15_000))).toBe(5);
    expect(evaluateSignal(tri, at(20_000))).toBe(0);
  });

  it('step: holds each level, then cycles', () => {
    const s = spec({ kind: 'step', levels: [2, 0, 1], holdS: 10 });
    expect([0, 9_900, 10_000, 25_000, 30_000].map((t) => evaluateSignal(s, at(t)))).toEqual([2, 2, 0, 1, 2]);
  });

  it('counter: whole counts at the rate, monotonic, rolls over at wrapAt', () => {
    const s = spec({ kind: 'counter', start: 70_000, ratePerS: 10 });
    const values = Array.from({ length: 50 }, (_, i) => evaluateSignal(s, at(i * 100)));
    expect(values[0]).toBe(70_000);
    expect(values[49]).toBe(70_049);
    values.slice(1).forEach((v, i) => expect(v).toBe((values[i] ?? 0) + 1));
    const wrapping = spec({ kind: 'counter', start: 98, ratePerS: 1, wrapAt: 100 });
    expect([0, 1_000, 2_000, 3_000].map((t) => evaluateSignal(wrapping, at(t)))).toEqual([98, 99, 0, 1]);
  });

  it('noise: bounded, reproducible for a seed, different across seeds and samples', () => {
    const s = spec({ kind: 'noise', amplitude: 0.5 });
    const a = Array.from({ length: 500 }, (_, i) => evaluateSignal(s, at(i * 100, 7)));
    const again = Array.from({ length: 500 }, (_, i) => evaluateSignal(s, at(i * 100, 7)));
    const other = Array.from({ length: 500 }, (_, i) => evaluateSignal(s, at(i * 100, 8)));
    expect(again).toEqual(a);
    expect(other).not.toEqual(a);
    expect(Math.max(...a)).toBeLessThanOrEqual(0.5);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(-0.5);
    expect(new Set(a).size).toBeGreaterThan(490);
    const mean = a.reduce((x, y) => x + y, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.06);
    // Same sample, same value: the noise depends on the sample, not on when or how often it is read.
    expect(evaluateSignal(s, at(1_210, 7))).toBe(evaluateSignal(s, at(1_290, 7)));
  });

  it('a list of signals is their sum (sine + noise stays within the noise band)', () => {
    const sine = spec({ kind: 'sine', offset: 65, amplitude: 8, periodS: 60 });
    const noise = spec({ kind: 'noise', amplitude: 0.3 });
    for (let t = 0; t < 60_000; t += 700) {
      const sum = evaluateSignal([sine, noise], at(t, 3));
      expect(Math.abs(sum - evaluateSignal(sine, at(t, 3)))).toBeLessThanOrEqual(0.3);
      expect(sum).toBeCloseTo(evaluateSignal(sine, at(t, 3)) + evaluateSignal([spec({ kind: 'constant', value: 0 }), noise], at(t, 3)), 12);
    }
  });
});

describe('randomAt / tagSeed', () => {
  it('is a pure function of its arguments, spread over [0, 1)', () => {
    expect(randomAt(1, 2, 3)).toBe(randomAt(1, 2, 3));
    const draws = Array.from({ length: 10_000 }, (_, i) => randomAt(42, 0, i));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const buckets = new Array<number>(10).fill(0);
    for (const d of draws) buckets[Math.floor(d * 10)]! += 1;
    expect(Math.min(...buckets)).toBeGreaterThan(850); // ~1000 each
    expect(randomAt(42, 1, 0)).not.toBe(randomAt(42, 0, 0));
  });

  it('gives different tags different seeds', () => {
    expect(tagSeed(42, 'Line1/Machine1/Temperature')).toBe(tagSeed(42, 'Line1/Machine1/Temperature'));
    expect(tagSeed(42, 'Line1/Machine1/Temperature')).not.toBe(tagSeed(42, 'Line1/Machine2/Temperature'));
    expect(tagSeed(42, 'Line1/Machine1/Temperature')).not.toBe(tagSeed(43, 'Line1/Machine1/Temperature'));
  });
});
