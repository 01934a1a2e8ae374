import type { Runtime, StopReport } from './api.js';

/** Where signals come from: `process`, or a stand-in in tests. */
export interface SignalSource {
  on(signal: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown;
}

/** Options of {@link installSignalHandlers}. */
export interface SignalHandlerOptions {
  /** Called once the runtime has stopped after the first signal (the CLI then exits 0). */
  readonly onStopped: (report: StopReport, signal: NodeJS.Signals) => void;
  /** Passed to `runtime.stop`. Default: the runtime's own. */
  readonly drainTimeoutMs?: number;
  /** Default: `process`. */
  readonly source?: SignalSource;
  /**
   * A second signal while stopping, or a stop that failed: exit now. Default
   * `process.exit(130)` for SIGINT, `process.exit(143)` for SIGTERM (128 + signal number).
   */
  readonly forceExit?: (signal: NodeJS.Signals, reason: 'second-signal' | 'stop-failed') => void;
}

/**
 * Graceful shutdown for the CLI: the first SIGTERM or SIGINT stops the runtime (sources first,
 * queues drained within the bound, nodes closed, context flushed) and hands the report to
 * `onStopped`; a second signal while that runs forces the exit. Returns a function that removes
 * the handlers.
 *
 * @example
 * installSignalHandlers(runtime, {
 *   onStopped: (report) => { log(report); process.exit(0); },
 * });
 */
export function installSignalHandlers(runtime: Pick<Runtime, 'stop'>, options: SignalHandlerOptions): () => void {
  const source: SignalSource = options.source ?? process;
  const forceExit = options.forceExit ?? ((signal: NodeJS.Signals) => process.exit(signal === 'SIGINT' ? 130 : 143));
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      forceExit(signal, 'second-signal');
      return;
    }
    stopping = true;
    runtime.stop(options.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: options.drainTimeoutMs }).then(
      (report) => options.onStopped(report, signal),
      () => forceExit(signal, 'stop-failed'),
    );
  };
  source.on('SIGTERM', handler);
  source.on('SIGINT', handler);
  return () => {
    source.off('SIGTERM', handler);
    source.off('SIGINT', handler);
  };
}
