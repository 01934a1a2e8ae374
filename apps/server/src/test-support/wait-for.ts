// Test support: poll a condition until it holds or a deadline passes (no fixed sleeps).

const POLL_MS = 20;

/** Resolve with `probe()`'s first truthy result; reject naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    // A poll interval, not a settle delay: the condition decides. It leaves the CPU to the server under test.
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
