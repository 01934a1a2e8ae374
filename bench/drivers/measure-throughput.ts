/**
 * The load loop both drivers share, so that Plantwire and Node-RED are pushed the same way:
 * bursts of messages at the head, at most `window` in flight, a time box per run, and the clock
 * stopped when the last message reached every sink.
 */
import { readFileSync } from 'node:fs';
import { makeMessage, type MessageShape } from '../scenarios/bench-graph.js';
import { ERROR_PREFIX, RESULT_PREFIX, type DriverRequest, type DriverResult, type LoadSettings, type RunResult } from './driver-protocol.js';

/**
 * A counting sink as both systems' `bench-sink` node implements it: the node increments `count`
 * and, when `count` reaches `wakeAt`, calls `wake` once (so the loop waits on an event, not a poll).
 */
export interface SinkCounter {
  count: number;
  wakeAt: number;
  wake: (() => void) | null;
}

/** Increment a sink counter; call from the sink's input handler. */
export function countMessage(counter: SinkCounter): void {
  counter.count++;
  if (counter.count >= counter.wakeAt) {
    const wake = counter.wake;
    counter.wake = null;
    counter.wakeAt = Infinity;
    wake?.();
  }
}

export function newSinkCounter(): SinkCounter {
  return { count: 0, wakeAt: Infinity, wake: null };
}

/** How the loop reaches one running flow. */
export interface LoadTarget {
  /** Put one message on the head node; false when the system refused it (backpressure). */
  inject(msg: { payload: unknown; topic: string }): boolean;
  readonly sinks: readonly SinkCounter[];
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class LostMessagesError extends Error {}

/** Messages that reached every sink. */
function completed(sinks: readonly SinkCounter[]): number {
  let min = Infinity;
  for (const s of sinks) if (s.count < min) min = s.count;
  return min;
}

/** Resolves when every sink counted `n` messages; rejects after `timeoutMs` (messages lost or stuck). */
function waitForCompleted(sinks: readonly SinkCounter[], n: number, timeoutMs: number): Promise<void> {
  const pending = sinks.filter((s) => s.count < n);
  if (pending.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let left = pending.length;
    const timer = setTimeout(() => {
      for (const s of pending) {
        s.wake = null;
        s.wakeAt = Infinity;
      }
      reject(new LostMessagesError(`waited ${timeoutMs} ms for ${n} messages at every sink; sinks counted ${sinks.map((s) => s.count).join(', ')}`));
    }, timeoutMs);
    for (const s of pending) {
      s.wakeAt = n;
      s.wake = () => {
        if (--left === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
    }
  });
}

/**
 * One time-boxed run: inject for `durationMs` (or `maxMessages`), then wait until every injected
 * message reached every sink. The rate is messages ÷ (last arrival − first inject).
 */
export async function runLoad(target: LoadTarget, shape: MessageShape, settings: LoadSettings, durationMs: number): Promise<RunResult> {
  const { sinks } = target;
  const base = completed(sinks);
  let sent = 0;
  let refusals = 0;
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  while (sent < settings.maxMessages && performance.now() < deadline) {
    const inFlight = sent - (completed(sinks) - base);
    const room = Math.min(settings.burst, settings.window - inFlight, settings.maxMessages - sent);
    if (room <= 0) {
      // Wait until a whole burst fits again.
      await waitForCompleted(sinks, base + sent - settings.window + settings.burst, settings.drainTimeoutMs);
      continue;
    }
    let refused = false;
    for (let k = 0; k < room; k++) {
      if (!target.inject(makeMessage(shape, sent))) {
        refused = true;
        refusals++;
        break;
      }
      sent++;
    }
    if (refused) {
      // The head's queue is full: wait until at least one more message came out at the end.
      await waitForCompleted(sinks, completed(sinks) + 1, settings.drainTimeoutMs);
    } else {
      await yieldToLoop();
    }
  }
  await waitForCompleted(sinks, base + sent, settings.drainTimeoutMs);
  const elapsedMs = performance.now() - t0;
  return { messages: sent, elapsedMs, msgsPerSec: (sent * 1000) / elapsedMs, refusals };
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Warm-up, then `runs` measured runs, each after a full GC when the driver runs with --expose-gc. */
export async function measure(target: LoadTarget, shape: MessageShape, settings: LoadSettings): Promise<{ warmup: RunResult; runs: RunResult[] }> {
  const warmup = await runLoad(target, shape, settings, settings.warmupMs);
  const runs: RunResult[] = [];
  for (let r = 0; r < settings.runs; r++) {
    gc?.();
    runs.push(await runLoad(target, shape, settings, settings.durationMs));
  }
  return { warmup, runs };
}

/** This process's resident set size in MB, from /proc (what `ps` and the OOM killer see). */
export function rssMb(pid: number | 'self' = 'self'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

/** Parse the request from argv[2], run `body`, print the result line; a failure prints an error line and exits 1. */
export function runDriver(system: string, body: (request: DriverRequest) => Promise<Omit<DriverResult, 'system' | 'nodeVersion'>>): void {
  const fail = (err: unknown): void => {
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stdout.write(`${ERROR_PREFIX}${JSON.stringify(text)}\n`);
    process.exitCode = 1;
  };
  let request: DriverRequest;
  try {
    request = JSON.parse(process.argv[2] ?? '') as DriverRequest;
  } catch (err) {
    fail(new Error(`${system} driver: argv[2] must be the request as JSON (${String(err)})`));
    return;
  }
  body(request).then(
    (result) => {
      process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ ...result, system, nodeVersion: process.version })}\n`);
      // Both runtimes keep timers alive; the result is out, so end the child here.
      process.exit(0);
    },
    (err: unknown) => {
      fail(err);
      process.exit(1);
    },
  );
}
