/**
 * Polling with a deadline, for state a test cannot subscribe to (a server's counter, a file, a
 * device register): check a condition until it holds or the deadline passes, and fail naming what
 * was awaited. Never a sleep to "let things settle": the condition decides.
 */

/**
 * Resolve with `check()`'s first result other than undefined or false, polling every `intervalMs`
 * (default 50; it leaves the CPU to the system under test); reject naming `what` after `timeoutMs`.
 *
 * @example
 * await waitFor('the OPC UA connection', () => runtime.connections().some((c) => c.state === 'connected'), { timeoutMs: 20_000 });
 */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, options: { readonly timeoutMs: number; readonly intervalMs?: number }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 50;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, interval)); // one polling interval, inside the deadline loop
  }
}
