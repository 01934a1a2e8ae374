/**
 * Polling with a deadline: the suite never sleeps to "let things settle"; it checks a condition
 * until it holds or the deadline passes, and fails naming what it waited for.
 */

/** Poll `check` every `intervalMs` until it returns a value other than undefined/false; reject after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, options: { timeoutMs: number; intervalMs?: number }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 50;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}`);
    await tick(interval);
  }
}

/** One polling interval of {@link waitFor} (not a settle-sleep: always inside a deadline loop). */
export function tick(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Keep a deliberate fault going for `ms` (an outage, a stall): the fault itself, not a wait for
 * something to settle. Named so every such pause is visible as the fault it is.
 */
export function holdFault(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
