import { waitFor } from '@plantwire/testing';
import type { RuntimeProcess } from './runtime-process.js';

/** One value a debug node printed, with when the test saw it. */
export interface Arrival<T = unknown> {
  readonly at: number;
  readonly value: T;
}

/** What a debug node of the runtime printed, in order, with arrival times. */
export interface DebugRecorder<T = unknown> {
  readonly arrivals: readonly Arrival<T>[];
  /** Arrivals at or after `since` (epoch ms) that match. */
  since(since: number, match?: (value: T) => boolean): Arrival<T>[];
  /** Wait until `count` arrivals at or after `since` match; resolves with them. */
  waitForCount(what: string, count: number, options: { since: number; timeoutMs: number; match?: (value: T) => boolean }): Promise<Arrival<T>[]>;
  stop(): void;
}

/** Record every value printed by debug node `node` of `runtime`. */
export function recordDebug<T = unknown>(runtime: RuntimeProcess, node: string): DebugRecorder<T> {
  const arrivals: Arrival<T>[] = [];
  const stop = runtime.onDebug((line) => {
    if (line.node === node) arrivals.push({ at: Date.now(), value: line.value as T });
  });
  const since = (from: number, match?: (value: T) => boolean) => arrivals.filter((a) => a.at >= from && (!match || match(a.value)));
  return {
    arrivals,
    since,
    waitForCount: (what, count, options) =>
      waitFor(`${count} × ${what} from debug node "${node}"`, () => {
        const hits = since(options.since, options.match);
        return hits.length >= count ? hits.slice(0, count) : undefined;
      }, { timeoutMs: options.timeoutMs, intervalMs: 20 }),
    stop,
  };
}

/** Messages per second over a run of arrivals (first to last). */
export function ratePerS(arrivals: readonly Arrival[]): number {
  if (arrivals.length < 2) return 0;
  return ((arrivals.length - 1) * 1000) / (arrivals[arrivals.length - 1]!.at - arrivals[0]!.at);
}
