/**
 * The points of one live trend over a sliding time window, free of the chart library.
 *
 * Points arrive in batches (`trend:watch` history, then `trend:sampled`), normally in time order;
 * a batch that overlaps what is held (history racing a live batch, a re-watch after reconnect) is
 * merged by time and points with the same time are kept once. A point with `v: null` is a gap
 * (device down, value not numeric) and breaks the line.
 */
import type { TrendPoint } from '@plantwire/protocol';

/** Ten minutes: what an engineer glances at to see whether a value is drifting or stuck. */
export const DEFAULT_TREND_WINDOW_MS = 10 * 60_000;
/** Hard cap on held points, whatever the rate, so a chatty tag cannot grow the page. */
export const DEFAULT_TREND_MAX_POINTS = 20_000;

export type TrendQuality = 'good' | 'uncertain' | 'bad';

/** Column arrays as uPlot takes them: time in seconds, then one value array per series. */
export interface TrendColumns {
  readonly time: number[];
  /** Every numeric value (whatever its quality), null in gaps: the line. */
  readonly value: Array<number | null>;
  /** Only values of uncertain quality (null elsewhere): drawn as markers. */
  readonly uncertain: Array<number | null>;
  /** Only values of bad quality: drawn as markers. */
  readonly bad: Array<number | null>;
}

export interface TrendSeries {
  readonly windowMs: number;
  /** Held points, oldest first. */
  points(): readonly TrendPoint[];
  latest(): TrendPoint | undefined;
  merge(points: readonly TrendPoint[]): void;
  /** Breaks the line at `t` (the live channel dropped: nothing is known until it is back). */
  markGap(t: number): void;
  /** Drops points older than `now - windowMs`. */
  trim(now: number): void;
  columns(): TrendColumns;
  clear(): void;
}

const qualityOf = (point: TrendPoint): TrendQuality => point.q ?? 'good';

function valid(point: TrendPoint): boolean {
  return Number.isFinite(point.t) && (point.v === null || Number.isFinite(point.v));
}

export function createTrendSeries(options: { readonly windowMs?: number; readonly maxPoints?: number } = {}): TrendSeries {
  const windowMs = options.windowMs ?? DEFAULT_TREND_WINDOW_MS;
  const maxPoints = options.maxPoints ?? DEFAULT_TREND_MAX_POINTS;
  let held: TrendPoint[] = [];

  const capAndTrim = (now: number): void => {
    const oldest = now - windowMs;
    let drop = 0;
    while (drop < held.length && (held[drop] as TrendPoint).t < oldest) drop++;
    drop = Math.max(drop, held.length - maxPoints);
    if (drop > 0) held = held.slice(drop);
  };

  return {
    windowMs,
    points: () => held,
    latest: () => held.at(-1),
    merge(points) {
      const incoming = points.filter(valid);
      if (incoming.length === 0) return;
      const sorted = incoming.every((p, i) => i === 0 || (incoming[i - 1] as TrendPoint).t < p.t);
      const last = held.at(-1);
      if (sorted && (last === undefined || last.t < (incoming[0] as TrendPoint).t)) {
        // The common case, a live batch after what is held: append.
        held = held.concat(incoming);
      } else {
        // Out of order or overlapping: merge by time; on equal times the newer report wins.
        const byTime = new Map<number, TrendPoint>();
        for (const p of held) byTime.set(p.t, p);
        for (const p of incoming) byTime.set(p.t, p);
        held = [...byTime.values()].sort((a, b) => a.t - b.t);
      }
      capAndTrim((held.at(-1) as TrendPoint).t);
    },
    markGap(t) {
      const last = held.at(-1);
      if (last && last.v === null) return;
      if (last && last.t >= t) return;
      held = held.concat({ t, v: null, q: 'bad' });
    },
    trim(now) {
      capAndTrim(now);
    },
    columns() {
      const n = held.length;
      const time = new Array<number>(n);
      const value = new Array<number | null>(n);
      const uncertain = new Array<number | null>(n);
      const bad = new Array<number | null>(n);
      for (let i = 0; i < n; i++) {
        const p = held[i] as TrendPoint;
        const q = qualityOf(p);
        time[i] = p.t / 1000;
        value[i] = p.v;
        uncertain[i] = q === 'uncertain' ? p.v : null;
        bad[i] = q === 'bad' ? p.v : null;
      }
      return { time, value, uncertain, bad };
    },
    clear() {
      held = [];
    },
  };
}

/**
 * Time spans with no value, `[from, to]` in ms: from a gap point to the next point with a value
 * (or `until` when the gap is still open), for shading "device down" on the chart.
 */
export function gapRanges(points: readonly TrendPoint[], until: number): Array<readonly [number, number]> {
  const ranges: Array<readonly [number, number]> = [];
  let start: number | undefined;
  for (const p of points) {
    if (p.v === null) start ??= p.t;
    else if (start !== undefined) {
      ranges.push([start, p.t]);
      start = undefined;
    }
  }
  if (start !== undefined) ranges.push([start, Math.max(start, until)]);
  return ranges;
}
