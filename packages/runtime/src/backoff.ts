/** How a supervised connection spaces its reconnect attempts. */
export interface BackoffSettings {
  /** Upper bound of the first delay, in ms. Default 250. */
  readonly initialMs?: number;
  /** Cap of every delay, in ms. Default 30000. */
  readonly maxMs?: number;
  /** Source of randomness in [0, 1) for the jitter. Default Math.random; tests pin it. */
  readonly random?: () => number;
}

export const DEFAULT_BACKOFF_INITIAL_MS = 250;
export const DEFAULT_BACKOFF_MAX_MS = 30_000;

/**
 * The delay before reconnect attempt number `failures + 1`: capped exponential backoff with full
 * jitter, a uniformly random delay in [0, min(maxMs, initialMs · 2^(failures − 1))]. Full jitter
 * spreads the reconnects of many edge boxes that lost the same broker at the same moment, so they
 * do not all come back in lock-step. `failures` 0 (a link that was up just dropped) uses the
 * initial bound, like the first failure.
 *
 * @example
 * backoffDelay(3, { initialMs: 250, maxMs: 30_000, random: () => 1 }) // 1000
 */
export function backoffDelay(failures: number, settings: BackoffSettings = {}): number {
  const initial = settings.initialMs ?? DEFAULT_BACKOFF_INITIAL_MS;
  const max = settings.maxMs ?? DEFAULT_BACKOFF_MAX_MS;
  // 2^30 · anything already exceeds any sane cap; stopping there keeps the number finite.
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const bound = Math.min(max, initial * 2 ** exponent);
  const r = Math.min(Math.max((settings.random ?? Math.random)(), 0), 1);
  return Math.round(r * bound);
}

/** Throws a RangeError naming the option when the settings cannot work. */
export function checkBackoffSettings(settings: BackoffSettings): void {
  const { initialMs, maxMs } = settings;
  if (initialMs !== undefined && !(Number.isFinite(initialMs) && initialMs >= 0)) {
    throw new RangeError(`createRuntime: connectionBackoff.initialMs must be a finite number ≥ 0, got ${String(initialMs)}`);
  }
  if (maxMs !== undefined && !(Number.isFinite(maxMs) && maxMs >= (initialMs ?? 0))) {
    throw new RangeError(`createRuntime: connectionBackoff.maxMs must be a finite number ≥ initialMs, got ${String(maxMs)}`);
  }
}
