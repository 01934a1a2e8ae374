/**
 * What bench/protocols/mqtt-pipeline.ts hands the load client (mqtt/load-client.ts, a process of
 * its own) and the lines the client prints back on stdout.
 */

export interface LoadPhase {
  readonly name: string;
  /** msg/s; undefined = as fast as the socket takes them. */
  readonly rate: number | undefined;
  readonly count: number;
  /** Stop publishing after this long even if `count` was not reached. */
  readonly maxSendMs: number;
  /** The drain wait ends when every message arrived, after `drainIdleMs` without one, or after `drainMaxMs`. */
  readonly drainIdleMs: number;
  readonly drainMaxMs: number;
}

export interface LoadRequest {
  readonly url: string;
  /** Where messages are published. */
  readonly publishTopic: string;
  /** What the subscriber listens to: the pipeline's output, or the input itself (broker-only). */
  readonly subscribeTopic: string;
  /** How long to wait for the first probe to come back through the system. */
  readonly readyTimeoutMs: number;
  readonly phases: readonly LoadPhase[];
  /** QoS of the client's publishes and subscription (default 0). */
  readonly qos?: 0 | 1;
}

export const LOAD_READY = 'LOAD-READY';
export const LOAD_PHASE = 'LOAD-PHASE ';
export const LOAD_RESULT = 'LOAD-RESULT ';
export const LOAD_ERROR = 'LOAD-ERROR ';
