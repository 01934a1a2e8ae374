/**
 * What the orchestrator (bench/run.ts) and a per-system driver exchange. The driver gets the
 * request as JSON in argv[2] and prints exactly one line `BENCH_RESULT <json>` on stdout (other
 * stdout lines, e.g. a system's own logs, are ignored). A failure is a line `BENCH_ERROR <text>`
 * and a non-zero exit.
 */
import type { MessageShape } from '../scenarios/bench-graph.js';

export const RESULT_PREFIX = 'BENCH_RESULT ';
export const ERROR_PREFIX = 'BENCH_ERROR ';

export interface LoadSettings {
  /** Warm-up time box, not reported. */
  readonly warmupMs: number;
  /** Each measured run injects for this long, then waits for the in-flight messages. */
  readonly durationMs: number;
  readonly runs: number;
  /** Messages injected back to back before yielding to the event loop. */
  readonly burst: number;
  /** At most this many messages injected but not yet counted at every sink. */
  readonly window: number;
  /** Upper bound of messages per run, whatever the time box. */
  readonly maxMessages: number;
  /** How long the in-flight messages may take to arrive once injection stopped; beyond it the run fails (lost messages). */
  readonly drainTimeoutMs: number;
}

export interface ThroughputRequest extends LoadSettings {
  readonly mode: 'throughput';
  /** The system's own flow file, generated from the scenario graph. */
  readonly flowFile: string;
  readonly head: string;
  readonly sinks: readonly string[];
  readonly message: MessageShape;
}

export interface DeployRequest {
  readonly mode: 'deploy';
  readonly flowFile: string;
  /** Idle time after the deploy before RSS is read. */
  readonly settleMs: number;
}

/** Settings only the Node-RED driver needs. */
export interface NodeRedContext {
  /** The scratch install: `<dir>/node_modules/node-red`. */
  readonly nodeRedDir: string;
  /** A fresh, empty Node-RED user directory for this run. */
  readonly userDir: string;
  /** Where `bench-sink.js`/`.html` live. */
  readonly nodesDir: string;
}

export type DriverRequest = (ThroughputRequest | DeployRequest) & { readonly nodeRed?: NodeRedContext };

export interface RunResult {
  /** Messages that reached every sink. */
  readonly messages: number;
  readonly elapsedMs: number;
  readonly msgsPerSec: number;
  /** Times the head refused a message (Plantwire backpressure); the message was retried. */
  readonly refusals: number;
}

export interface ThroughputResult {
  readonly mode: 'throughput';
  readonly warmup: RunResult;
  readonly runs: readonly RunResult[];
  readonly rssMb: number;
}

export interface DeployResultReport {
  readonly mode: 'deploy';
  readonly nodes: number;
  /** Deploy request → every node started. */
  readonly deployMs: number;
  readonly rssBeforeMb: number;
  readonly rssAfterMb: number;
}

export type DriverResult = (ThroughputResult | DeployResultReport) & { readonly system: string; readonly nodeVersion: string };
