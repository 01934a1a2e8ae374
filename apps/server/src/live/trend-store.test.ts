import { describe, expect, it } from 'vitest';
import { createTrendStore, MAX_TRENDS, TREND_WINDOW_MS } from './trend-store.js';

const spec = { nodeId: 'n', port: 'out', path: 'payload.value' };

describe('createTrendStore', () => {
  it('keeps one point per second (the last value), null for non-numbers and bad quality, with the quality', () => {
    const store = createTrendStore();
    const { trendId } = store.watch(spec)!;
    store.observe('n', 'out', { payload: { value: 1, quality: 'good' } }, 1000);
    store.observe('n', 'out', { payload: { value: 2, quality: 'good' } }, 1500);
    store.observe('n', 'out', { payload: { value: 'off' } }, 2100);
    store.observe('n', 'out', { payload: { value: 5, quality: 'bad' } }, 3100);
    store.observe('other', 'out', { payload: { value: 99 } }, 3200);
    expect(store.tick(4000)).toEqual([
      {
        trendId,
        points: [
          { t: 1500, v: 2, q: 'good' },
          { t: 2100, v: null },
          { t: 3100, v: null, q: 'bad' },
        ],
      },
    ]);
    expect(store.tick(4100)).toEqual([]);
  });

  it('charts one tag of a port that carries many (topic), and the value of an industrial value at `payload`', () => {
    const store = createTrendStore();
    const { trendId } = store.watch({ nodeId: 'n', port: 'out', path: 'payload', topic: 'line1/pressure' })!;
    store.observe('n', 'out', { topic: 'line1/pressure', payload: { value: 2.5, unit: 'bar', quality: 'good' } }, 1000);
    store.observe('n', 'out', { topic: 'line1/temperature', payload: { value: 81, unit: 'degC', quality: 'good' } }, 1100);
    store.observe('n', 'out', { topic: 'line1/pressure', payload: { value: true, quality: 'uncertain' } }, 2000);
    store.observe('n', 'out', { topic: 'line1/pressure', payload: 3 }, 3000);
    expect(store.tick(4000)).toEqual([
      {
        trendId,
        points: [
          { t: 1000, v: 2.5, q: 'good' },
          { t: 2000, v: 1, q: 'uncertain' },
          { t: 3000, v: 3 },
        ],
      },
    ]);
    expect(store.watch({ nodeId: 'n', port: 'out', path: 'payload' })!.trendId).not.toBe(trendId);
  });

  it('adds a gap when values stop for longer than three usual intervals (at least 2 s), once', () => {
    const store = createTrendStore();
    const { trendId } = store.watch(spec)!;
    for (let t = 0; t <= 3000; t += 1000) store.observe('n', 'out', { payload: { value: t } }, t);
    store.tick(3500);
    expect(store.tick(5000)).toEqual([{ trendId, points: [{ t: 3000, v: 3000 }] }]);
    expect(store.tick(6500)).toEqual([{ trendId, points: [{ t: 6500, v: null }] }]);
    expect(store.tick(9000)).toEqual([]);
  });

  it('bounds memory: the 10-minute window, MAX_TRENDS trends, a trend dropped with its last watcher', () => {
    const store = createTrendStore();
    const { trendId } = store.watch(spec)!;
    expect(store.watch(spec)!.trendId).toBe(trendId);
    for (let t = 0; t < 2 * TREND_WINDOW_MS; t += 1000) store.observe('n', 'out', { payload: { value: 1 } }, t);
    store.tick(2 * TREND_WINDOW_MS);
    const again = store.watch(spec)!;
    expect(again.points.length).toBeLessThanOrEqual(TREND_WINDOW_MS / 1000 + 1);
    expect(again.points[0]!.t).toBeGreaterThanOrEqual(TREND_WINDOW_MS);
    for (let i = 0; store.size() < MAX_TRENDS; i++) store.watch({ nodeId: `x${i}`, port: 'out', path: 'payload' });
    expect(store.watch({ nodeId: 'one-too-many', port: 'out', path: 'payload' })).toBeUndefined();
    store.unwatch(trendId);
    store.unwatch(trendId);
    store.unwatch(trendId);
    expect(store.size()).toBe(MAX_TRENDS - 1);
  });
});
