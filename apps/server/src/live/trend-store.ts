import { createHash } from 'node:crypto';
import type { TrendPoint, TrendSpec } from '@plantwire/protocol';

/** How far back a trend reaches. */
export const TREND_WINDOW_MS = 10 * 60 * 1000;
/** One point per bucket: 600 points cover the window at 1 s. */
export const TREND_BUCKET_MS = 1000;
/** Trends kept at once across all clients (each holds at most window / bucket points). */
export const MAX_TRENDS = 200;

const MAX_POINTS = Math.ceil(TREND_WINDOW_MS / TREND_BUCKET_MS) + 1;

interface Series {
  readonly id: string;
  readonly spec: TrendSpec;
  readonly segments: readonly string[];
  readonly points: TrendPoint[];
  /** Points not yet sent to watchers. */
  pending: TrendPoint[];
  /** The bucket values are still arriving in; becomes a point when a later bucket starts or on tick. */
  open: { bucket: number; point: TrendPoint } | undefined;
  lastArrival: number | undefined;
  /** Smoothed time between values, for the gap rule. */
  meanIntervalMs: number | undefined;
  watchers: number;
}

export interface TrendStore {
  /** Start (or join) a trend; undefined when MAX_TRENDS are kept already. */
  watch(spec: TrendSpec): { trendId: string; points: TrendPoint[] } | undefined;
  /** A watcher left; the trend is dropped with its last watcher. */
  unwatch(trendId: string): void;
  /** A message left `nodeId:port`. Cheap when nothing watches that port. */
  observe(nodeId: string, port: string, msg: unknown, now: number): void;
  /** Close due buckets, add gap points, and hand out what is new per trend. */
  tick(now: number): Array<{ trendId: string; points: TrendPoint[] }>;
  size(): number;
  /** Forget trends of nodes that no longer run. */
  dropNodes(nodeIds: readonly string[]): void;
}

/** A stable id for a spec, so clients watching the same thing share one series. */
export function trendIdOf(spec: TrendSpec): string {
  return createHash('sha256').update(`${spec.nodeId}\0${spec.port}\0${spec.path}\0${spec.topic ?? ''}`).digest('base64url').slice(0, 16);
}

const QUALITIES = new Set(['good', 'uncertain', 'bad']);

function qualityOf(msg: unknown): TrendPoint['q'] {
  const m = msg as { quality?: unknown; payload?: { quality?: unknown } } | null;
  const raw = (typeof m?.payload === 'object' && m.payload !== null ? m.payload.quality : undefined) ?? m?.quality;
  if (typeof raw !== 'string') return undefined;
  const q = raw.toLowerCase();
  return QUALITIES.has(q) ? (q as TrendPoint['q']) : undefined;
}

function valueAt(msg: unknown, segments: readonly string[]): unknown {
  let v: unknown = msg;
  for (const s of segments) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[s];
  }
  return v;
}

/**
 * The number a trend plots for a value: a finite number, a boolean as 0/1, or the `value` of an
 * industrial value `{value, quality, unit…}` (so a trend of `payload` charts what engineers mean
 * by it); anything else is a gap.
 */
function numberOf(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw === 'boolean') return Number(raw);
  if (raw !== null && typeof raw === 'object' && 'value' in raw) {
    const inner = (raw as { value: unknown }).value;
    if (typeof inner === 'number') return Number.isFinite(inner) ? inner : null;
    if (typeof inner === 'boolean') return Number(inner);
  }
  return null;
}

/**
 * Per watched (node, port, path, topic): the numeric values of the last 10 minutes, one point per
 * second (the bucket's last value), `v: null` for a gap: a value that is not a number, bad
 * quality, or silence for longer than three times the usual interval (at least 2 s). Memory is
 * bounded by MAX_TRENDS × 601 points.
 */
export function createTrendStore(): TrendStore {
  const series = new Map<string, Series>();
  // nodeId:port → series reading that port, so observe() costs one map lookup per message.
  const byPort = new Map<string, Series[]>();

  const close = (s: Series) => {
    if (!s.open) return;
    s.points.push(s.open.point);
    s.pending.push(s.open.point);
    s.open = undefined;
  };
  const trim = (s: Series, now: number) => {
    while (s.points.length > 0 && (s.points.length > MAX_POINTS || s.points[0]!.t < now - TREND_WINDOW_MS)) s.points.shift();
    // A watcher that misses ticks gets at most the window.
    if (s.pending.length > MAX_POINTS) s.pending.splice(0, s.pending.length - MAX_POINTS);
  };

  return {
    watch(spec) {
      const id = trendIdOf(spec);
      let s = series.get(id);
      if (!s) {
        if (series.size >= MAX_TRENDS) return undefined;
        s = { id, spec, segments: spec.path.split('.').filter((p) => p !== ''), points: [], pending: [], open: undefined, lastArrival: undefined, meanIntervalMs: undefined, watchers: 0 };
        series.set(id, s);
        const key = `${spec.nodeId}:${spec.port}`;
        byPort.set(key, [...(byPort.get(key) ?? []), s]);
      }
      s.watchers++;
      return { trendId: id, points: [...s.points, ...(s.open ? [s.open.point] : [])] };
    },
    unwatch(trendId) {
      const s = series.get(trendId);
      if (!s) return;
      s.watchers--;
      if (s.watchers > 0) return;
      series.delete(trendId);
      const key = `${s.spec.nodeId}:${s.spec.port}`;
      const rest = (byPort.get(key) ?? []).filter((x) => x !== s);
      if (rest.length > 0) byPort.set(key, rest);
      else byPort.delete(key);
    },
    observe(nodeId, port, msg, now) {
      const list = byPort.get(`${nodeId}:${port}`);
      if (!list) return;
      const q = qualityOf(msg);
      for (const s of list) {
        if (s.spec.topic !== undefined && (msg as { topic?: unknown } | null)?.topic !== s.spec.topic) continue;
        const num = numberOf(valueAt(msg, s.segments));
        const point: TrendPoint = { t: now, v: q === 'bad' ? null : num, ...(q ? { q } : {}) };
        if (s.lastArrival !== undefined) {
          const gap = now - s.lastArrival;
          s.meanIntervalMs = s.meanIntervalMs === undefined ? gap : s.meanIntervalMs * 0.8 + gap * 0.2;
        }
        s.lastArrival = now;
        const bucket = Math.floor(now / TREND_BUCKET_MS);
        if (s.open && s.open.bucket !== bucket) close(s);
        s.open = { bucket, point };
        trim(s, now);
      }
    },
    tick(now) {
      const out: Array<{ trendId: string; points: TrendPoint[] }> = [];
      for (const s of series.values()) {
        if (s.open && s.open.bucket < Math.floor(now / TREND_BUCKET_MS)) close(s);
        const expected = Math.max(2000, 3 * (s.meanIntervalMs ?? 1000));
        const last = s.points[s.points.length - 1];
        if (s.lastArrival !== undefined && !s.open && now - s.lastArrival > expected && last !== undefined && last.v !== null) {
          const gap: TrendPoint = { t: now, v: null };
          s.points.push(gap);
          s.pending.push(gap);
        }
        trim(s, now);
        if (s.pending.length > 0) {
          out.push({ trendId: s.id, points: s.pending });
          s.pending = [];
        }
      }
      return out;
    },
    size: () => series.size,
    dropNodes(nodeIds) {
      const gone = new Set(nodeIds);
      for (const s of series.values()) if (gone.has(s.spec.nodeId)) {
        s.points.length = 0;
        s.pending = [];
        s.open = undefined;
        s.lastArrival = undefined;
      }
    },
  };
}
