/** Counts login attempts per client address in a fixed window. */
export interface LoginRateLimiter {
  /** Record an attempt; returns the seconds to wait when the address is over the limit, else 0. */
  attempt(address: string): number;
  /** A successful login clears the address's count. */
  reset(address: string): void;
}

/** The limiter never tracks more addresses than this (a spray of addresses cannot grow memory). */
const MAX_ADDRESSES = 10_000;

/** Default: 10 attempts per address per minute. */
export function createLoginRateLimiter(options: { max?: number; windowMs?: number; now?: () => number } = {}): LoginRateLimiter {
  const max = options.max ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();
  return {
    attempt(address) {
      const t = now();
      let w = windows.get(address);
      if (!w || t - w.start >= windowMs) {
        if (!w && windows.size >= MAX_ADDRESSES) {
          for (const [key, old] of windows) if (t - old.start >= windowMs) windows.delete(key);
          // Still full: every tracked address is inside its window; drop the oldest.
          if (windows.size >= MAX_ADDRESSES) windows.delete(windows.keys().next().value!);
        }
        w = { start: t, count: 0 };
        windows.set(address, w);
      }
      w.count += 1;
      return w.count > max ? Math.max(1, Math.ceil((w.start + windowMs - t) / 1000)) : 0;
    },
    reset(address) {
      windows.delete(address);
    },
  };
}
