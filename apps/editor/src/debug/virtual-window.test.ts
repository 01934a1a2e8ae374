import { describe, expect, it } from 'vitest';
import { offsetOfKey, virtualWindow } from './virtual-window.js';

describe('virtualWindow', () => {
  it('renders only the rows in view plus the overscan margin', () => {
    const w = virtualWindow({ count: 5_000, heightOf: () => 40, scrollTop: 4_000, viewportHeight: 400, overscan: 80 });
    expect(w).toEqual({ start: 98, end: 112, before: 98 * 40, after: (5_000 - 112) * 40, total: 200_000, scrollTop: 4_000 });
    expect(w.end - w.start).toBeLessThan(20);
  });

  it('accounts for measured heights of expanded rows', () => {
    const heights = [40, 300, 40, 40, 40];
    const w = virtualWindow({ count: 5, heightOf: (i) => heights[i] ?? 0, scrollTop: 300, viewportHeight: 50, overscan: 0 });
    expect(w.start).toBe(1);
    expect(w.end).toBe(3);
    expect(w.before).toBe(40);
    expect(w.after).toBe(80);
    expect(w.total).toBe(460);
  });

  it('lays out the end of the list when following the newest row', () => {
    const w = virtualWindow({ count: 1_000, heightOf: () => 40, scrollTop: 0, viewportHeight: 400, overscan: 0, atEnd: true });
    expect(w.scrollTop).toBe(40_000 - 400);
    expect([w.start, w.end, w.after]).toEqual([990, 1_000, 0]);
    const short = virtualWindow({ count: 3, heightOf: () => 40, scrollTop: 0, viewportHeight: 400, atEnd: true });
    expect(short.scrollTop).toBe(0);
  });

  it('handles an empty list and a short list', () => {
    expect(virtualWindow({ count: 0, heightOf: () => 40, scrollTop: 0, viewportHeight: 400 })).toEqual({ start: 0, end: 0, before: 0, after: 0, total: 0, scrollTop: 0 });
    const w = virtualWindow({ count: 3, heightOf: () => 40, scrollTop: 0, viewportHeight: 400 });
    expect([w.start, w.end, w.before, w.after]).toEqual([0, 3, 0, 0]);
  });
});

describe('offsetOfKey', () => {
  it('finds a row by its key and sums the heights above it', () => {
    const keys = [3, 7, 9, 20, 21];
    const heights = [40, 100, 40, 40, 40];
    const at = (k: number) => offsetOfKey(keys.length, (i) => keys[i] ?? 0, (i) => heights[i] ?? 0, k);
    expect(at(3)).toBe(0);
    expect(at(9)).toBe(140);
    expect(at(21)).toBe(220);
    expect(at(8)).toBeUndefined();
    expect(offsetOfKey(0, () => 0, () => 0, 1)).toBeUndefined();
  });
});
