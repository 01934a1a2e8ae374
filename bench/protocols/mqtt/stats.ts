/**
 * Pure figures of the MQTT pipeline benchmark: percentiles, the per-phase summary the load client
 * reports, and whether a system kept up with a rate. No I/O, so bench/protocols/protocols.test.ts
 * can check them.
 */

/**
 * The p-th percentile (0 < p ≤ 100) of `sorted` (ascending) by the nearest-rank method: the
 * smallest value with at least p % of the values at or below it. NaN for an empty list.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!(p > 0 && p <= 100)) throw new Error(`percentile: p must be in (0, 100], got ${p}`);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * n);
  return sorted[Math.min(n, Math.max(1, rank)) - 1]!;
}

/** What the load client measured in one phase (one rate, flat out, or the flood). */
export interface PhaseResult {
  readonly name: string;
  /** Nominal rate in msg/s; undefined = as fast as the publisher can. */
  readonly rate: number | undefined;
  /** Messages the phase was to publish. */
  readonly planned: number;
  readonly sent: number;
  /** Distinct messages of this phase that reached the subscriber. */
  readonly received: number;
  readonly lost: number;
  /** End-to-end latency (receive − the publish time stamped in the payload), ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** sent ÷ (last send − first send). */
  readonly offeredPerSec: number;
  /** received ÷ (last receive − first send). */
  readonly deliveredPerSec: number;
  /** last receive − last send, ms (how long the system took to work off what was queued). */
  readonly backlogMs: number;
  /** first send → end of the drain wait, ms. */
  readonly durationMs: number;
}

/** Raw timings of a phase, as the client collects them. */
export interface PhaseSamples {
  readonly name: string;
  readonly rate: number | undefined;
  readonly planned: number;
  readonly sent: number;
  readonly firstSendMs: number;
  readonly lastSendMs: number;
  readonly lastReceiveMs: number;
  readonly endMs: number;
  /** One latency per distinct received message, ms, in any order (sorted in place). */
  readonly latencies: Float64Array;
}

/** Summarise a phase's samples. */
export function summarise(s: PhaseSamples): PhaseResult {
  const received = s.latencies.length;
  const sorted = s.latencies.sort();
  const sendSpan = s.lastSendMs - s.firstSendMs;
  const receiveSpan = s.lastReceiveMs - s.firstSendMs;
  return {
    name: s.name,
    rate: s.rate,
    planned: s.planned,
    sent: s.sent,
    received,
    lost: s.sent - received,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: received === 0 ? Number.NaN : sorted[received - 1]!,
    offeredPerSec: sendSpan > 0 ? (s.sent / sendSpan) * 1000 : Number.NaN,
    deliveredPerSec: received > 0 && receiveSpan > 0 ? (received / receiveSpan) * 1000 : 0,
    backlogMs: received > 0 ? Math.max(0, s.lastReceiveMs - s.lastSendMs) : Number.NaN,
    durationMs: s.endMs - s.firstSendMs,
  };
}

/** Share of the nominal (and offered) rate a run must reach to count as keeping up. */
export const KEEP_UP_SHARE = 0.95;

/**
 * A system keeps up with a phase when nothing was lost, the publisher offered (about) the nominal
 * rate, and the subscriber received at (about) the offered rate: a system that queues without bound
 * loses nothing but delivers more slowly than it is fed, and fails the last test.
 */
export function keptUp(r: PhaseResult): boolean {
  if (r.sent === 0 || r.lost !== 0) return false;
  if (r.rate !== undefined && !(r.offeredPerSec >= KEEP_UP_SHARE * r.rate) ) return false;
  return r.deliveredPerSec >= KEEP_UP_SHARE * r.offeredPerSec;
}
