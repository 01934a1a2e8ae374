import type { TrendPoint } from '@plantwire/protocol';
import { describe, expect, it } from 'vitest';
import { createTrendSeries, gapRanges } from './trend-series.js';

const p = (t: number, v: number | null, q?: TrendPoint['q']): TrendPoint => (q ? { t, v, q } : { t, v });

describe('createTrendSeries', () => {
  it('appends batches in order and keeps the latest point', () => {
    const s = createTrendSeries();
    s.merge([p(1_000, 1), p(2_000, 2)]);
    s.merge([p(3_000, 3)]);
    expect(s.points().map((x) => x.v)).toEqual([1, 2, 3]);
    expect(s.latest()).toEqual(p(3_000, 3));
  });

  it('merges an overlapping or out-of-order batch by time, once per time', () => {
    const s = createTrendSeries();
    s.merge([p(3_000, 3), p(4_000, 4)]);
    // History arriving after a live batch, overlapping at 3 s.
    s.merge([p(1_000, 1), p(2_000, 2), p(3_000, 30)]);
    expect(s.points().map((x) => [x.t, x.v])).toEqual([
      [1_000, 1],
      [2_000, 2],
      [3_000, 30],
      [4_000, 4],
    ]);
    s.merge([p(6_000, 6), p(5_000, 5)]);
    expect(s.points().map((x) => x.t)).toEqual([1_000, 2_000, 3_000, 4_000, 5_000, 6_000]);
  });

  it('slides its window and caps the number of points', () => {
    const s = createTrendSeries({ windowMs: 10_000, maxPoints: 5 });
    s.merge([p(0, 0), p(5_000, 1), p(9_000, 2)]);
    s.merge([p(12_000, 3)]);
    expect(s.points().map((x) => x.t)).toEqual([5_000, 9_000, 12_000]);
    s.trim(20_000);
    expect(s.points().map((x) => x.t)).toEqual([12_000]);
    s.merge(Array.from({ length: 10 }, (_, i) => p(13_000 + i, i)));
    expect(s.points()).toHaveLength(5);
    expect(s.latest()?.t).toBe(13_009);
  });

  it('ignores points that are not numbers or have no time', () => {
    const s = createTrendSeries();
    s.merge([p(Number.NaN, 1), p(1, Number.POSITIVE_INFINITY), p(2, 5)]);
    expect(s.points()).toEqual([p(2, 5)]);
  });

  it('gives uPlot columns: seconds, the line with gaps, quality markers', () => {
    const s = createTrendSeries();
    s.merge([p(1_000, 1), p(2_000, 2, 'uncertain'), p(3_000, null, 'bad'), p(4_000, 4, 'bad'), p(5_000, 5, 'good')]);
    expect(s.columns()).toEqual({
      time: [1, 2, 3, 4, 5],
      value: [1, 2, null, 4, 5],
      uncertain: [null, 2, null, null, null],
      bad: [null, null, null, 4, null],
    });
  });

  it('marks a gap once, after the last point', () => {
    const s = createTrendSeries();
    s.merge([p(1_000, 1)]);
    s.markGap(1_500);
    s.markGap(1_600);
    s.markGap(500);
    expect(s.points()).toEqual([p(1_000, 1), { t: 1_500, v: null, q: 'bad' }]);
    s.clear();
    expect(s.points()).toEqual([]);
  });
});

describe('gapRanges', () => {
  it('spans from the first null to the next value, and an open gap to now', () => {
    const points = [p(1, 1), p(2, null), p(3, null), p(4, 4), p(5, null)];
    expect(gapRanges(points, 9)).toEqual([
      [2, 4],
      [5, 9],
    ]);
    expect(gapRanges([p(1, 1)], 9)).toEqual([]);
  });
});
