import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { StopReport } from './api.js';
import { installSignalHandlers, type SignalSource } from './signals.js';

function fakeProcess(): SignalSource & { emit(signal: string): void; count(): number } {
  const emitter = new EventEmitter();
  return {
    on: (s, l) => emitter.on(s, l),
    off: (s, l) => emitter.off(s, l),
    emit: (s) => void emitter.emit(s, s),
    count: () => emitter.listenerCount('SIGTERM') + emitter.listenerCount('SIGINT'),
  };
}

describe('installSignalHandlers', () => {
  it('stops the runtime on the first SIGTERM and hands the report on; a second signal forces the exit', async () => {
    const source = fakeProcess();
    const report: StopReport = {
      drained: true,
      remaining: 0,
      durationMs: 3,
      boundHit: false,
      drainTimeoutMs: 5000,
      sourcesStopped: [],
      inFlight: 0,
      messagesDrained: 0,
      remainingByNode: {},
      unfinished: {},
    };
    let release!: () => void;
    const stops: Array<{ drainTimeoutMs?: number }> = [];
    const runtime = {
      stop: (options?: { drainTimeoutMs?: number }) => {
        stops.push(options ?? {});
        return new Promise<StopReport>((resolve) => (release = () => resolve(report)));
      },
    };
    const stopped: Array<[StopReport, string]> = [];
    const forced: string[] = [];
    const uninstall = installSignalHandlers(runtime, { source, drainTimeoutMs: 1234, onStopped: (r, s) => stopped.push([r, s]), forceExit: (s, why) => forced.push(`${s}:${why}`) });
    source.emit('SIGTERM');
    expect(stops).toEqual([{ drainTimeoutMs: 1234 }]);
    source.emit('SIGINT');
    expect(forced).toEqual(['SIGINT:second-signal']);
    expect(stops).toHaveLength(1);
    release();
    await Promise.resolve();
    await Promise.resolve();
    expect(stopped).toEqual([[report, 'SIGTERM']]);
    uninstall();
    expect(source.count()).toBe(0);
  });

  it('forces the exit when stopping fails', async () => {
    const source = fakeProcess();
    const forced: string[] = [];
    installSignalHandlers({ stop: () => Promise.reject(new Error('broken')) }, { source, onStopped: () => {}, forceExit: (s, why) => forced.push(`${s}:${why}`) });
    source.emit('SIGINT');
    await new Promise((resolve) => setImmediate(resolve));
    expect(forced).toEqual(['SIGINT:stop-failed']);
  });
});
