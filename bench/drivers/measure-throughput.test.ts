import { describe, expect, it } from 'vitest';
import type { LoadSettings } from './driver-protocol.js';
import { countMessage, newSinkCounter, runLoad, type LoadTarget } from './measure-throughput.js';

const settings: LoadSettings = { warmupMs: 0, durationMs: 50, runs: 1, burst: 10, window: 40, maxMessages: 500, drainTimeoutMs: 1000 };

/** A pretend system: delivers each message to every sink one event-loop turn later, with a bounded queue. */
function fakeSystem(options: { sinks: number; capacity: number; loseEvery?: number }): LoadTarget & { maxInFlight: number } {
  const sinks = Array.from({ length: options.sinks }, newSinkCounter);
  let queued = 0;
  let seen = 0;
  const target = {
    sinks,
    maxInFlight: 0,
    inject(): boolean {
      if (queued >= options.capacity) return false;
      queued++;
      seen++;
      target.maxInFlight = Math.max(target.maxInFlight, queued);
      const lost = options.loseEvery !== undefined && seen % options.loseEvery === 0;
      setImmediate(() => {
        queued--;
        if (!lost) for (const s of sinks) countMessage(s);
      });
      return true;
    },
  };
  return target;
}

describe('runLoad', () => {
  it('counts a message once it reached every sink and never exceeds the window', async () => {
    const system = fakeSystem({ sinks: 4, capacity: 1000 });
    const run = await runLoad(system, 'counter', { ...settings, durationMs: 10_000, maxMessages: 300 }, 10_000);
    expect(run.messages).toBe(300);
    expect(system.sinks.map((s) => s.count)).toEqual([300, 300, 300, 300]);
    expect(system.maxInFlight).toBeLessThanOrEqual(settings.window);
    expect(run.msgsPerSec).toBeGreaterThan(0);
  });

  it('retries refused messages instead of dropping them', async () => {
    const system = fakeSystem({ sinks: 1, capacity: 5 });
    const run = await runLoad(system, 'counter', { ...settings, durationMs: 10_000, maxMessages: 200 }, 10_000);
    expect(run.messages).toBe(200);
    expect(system.sinks[0]!.count).toBe(200);
    expect(run.refusals).toBeGreaterThan(0);
  });

  it('fails the run, with the sink counts, when messages are lost', async () => {
    const system = fakeSystem({ sinks: 2, capacity: 1000, loseEvery: 50 });
    await expect(runLoad(system, 'counter', { ...settings, durationMs: 10_000, maxMessages: 100, drainTimeoutMs: 100 }, 10_000)).rejects.toThrow(/sinks counted 98, 98/);
  });
});
