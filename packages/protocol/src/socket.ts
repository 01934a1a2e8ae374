/**
 * The live channel (socket.io): what the server pushes to editors and what editors ask of it.
 * Event names are `domain:event`, past tense for facts (STYLE.md). The server samples and caps
 * every stream per client, so a flood never freezes a page or grows server memory.
 */
import type { ValidationIssue } from '@plantwire/flow';

/** A node's badge. */
export interface NodeStatus {
  readonly fill?: 'green' | 'yellow' | 'red' | 'blue' | 'grey';
  readonly shape?: 'dot' | 'ring';
  readonly text?: string;
}

/** One message seen by a debug node, as the editor shows it. */
export interface DebugMessageEvent {
  readonly nodeId: string;
  readonly nodeName?: string | undefined;
  readonly msgId: string;
  /** What the debug node shows (its `output` setting), JSON-safe; cut down when large (see `truncated`). */
  readonly value: unknown;
  /** True when `value` was cut to the server's size limit (long strings, big arrays, deep objects). */
  readonly truncated?: boolean | undefined;
  /** ms since epoch, when the debug node received it. */
  readonly timestamp: number;
}

/** Messages the server did not forward to this client since the last one it did (a flood). */
export interface DebugSkippedEvent {
  readonly nodeId: string;
  readonly count: number;
  readonly from: number;
  readonly to: number;
}

/** A node error, for the debug sidebar and the node's badge. */
export interface NodeErrorEvent {
  readonly nodeId: string;
  readonly type: string;
  readonly msgId?: string | undefined;
  readonly code: string;
  readonly message: string;
  readonly handledBy: 'port' | 'catch' | 'log';
  readonly timestamp: number;
}

export interface NodeStatusChangedEvent {
  readonly nodeId: string;
  readonly status: NodeStatus | null;
}

/** Counters of one node, sampled. Totals since deploy; rates over the last sample interval. */
export interface NodeCountersSample {
  readonly in: number;
  readonly out: number;
  readonly errors: number;
  readonly dropped: number;
  readonly queueDepth: number;
  readonly queueCapacity: number;
  readonly inPerSecond: number;
  readonly outPerSecond: number;
}

/** Messages that left one output port (a wire's source), sampled. Key: `${nodeId}:${port}`. */
export interface PortCountersSample {
  readonly total: number;
  readonly perSecond: number;
}

/** `metrics:sampled`, about once a second. */
export interface MetricsSampledEvent {
  readonly at: number;
  readonly nodes: Readonly<Record<string, NodeCountersSample>>;
  readonly ports: Readonly<Record<string, PortCountersSample>>;
}

export interface FlowsDeployedEvent {
  readonly revision: string;
  readonly started: readonly string[];
  readonly stopped: readonly string[];
  readonly restarted: readonly string[];
  readonly unchanged: readonly string[];
  readonly warnings: readonly ValidationIssue[];
}

export interface ConnectionStateChangedEvent {
  readonly id: string;
  readonly type: string;
  readonly state: string;
  readonly reason?: string | undefined;
  readonly attempt: number;
  readonly nextRetryMs?: number | undefined;
}

/** One point of a trend: value (null in a gap: device down, value not numeric), quality, time. */
export interface TrendPoint {
  readonly t: number;
  readonly v: number | null;
  readonly q?: 'good' | 'uncertain' | 'bad' | undefined;
}

/** What to chart: numbers leaving a node's output port, read at a msg path (default `payload`, or `payload.value` for industrial values). */
export interface TrendSpec {
  readonly nodeId: string;
  readonly port: string;
  /** Dotted path into the message, e.g. `payload.value`; an industrial value `{value, quality}` there charts its `value`. */
  readonly path: string;
  /** Only messages with this `topic` (one tag of a port that carries many); all when absent. */
  readonly topic?: string | undefined;
}

/** `trend:sampled`: new points for a watched trend, batched (at most a few per second per trend). */
export interface TrendSampledEvent {
  readonly trendId: string;
  readonly points: readonly TrendPoint[];
}

/** Server → client. */
export interface ServerToClientEvents {
  'debug:message': (event: DebugMessageEvent) => void;
  'debug:skipped': (event: DebugSkippedEvent) => void;
  'node:error-raised': (event: NodeErrorEvent) => void;
  'node:status-changed': (event: NodeStatusChangedEvent) => void;
  'metrics:sampled': (event: MetricsSampledEvent) => void;
  'flows:deployed': (event: FlowsDeployedEvent) => void;
  'connection:state-changed': (event: ConnectionStateChangedEvent) => void;
  'trend:sampled': (event: TrendSampledEvent) => void;
}

/** The reply of an acknowledged client request. */
export type Ack<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: string; readonly message: string };

/** Client → server. */
export interface ClientToServerEvents {
  /** Start charting; the server replies with an id and the points it already holds (last minutes). */
  'trend:watch': (spec: TrendSpec, ack: (reply: Ack<{ readonly trendId: string; readonly points: readonly TrendPoint[] }>) => void) => void;
  'trend:unwatch': (trendId: string) => void;
  /** Current status of every node, e.g. after (re)connecting. */
  'node:statuses': (ack: (reply: Ack<Readonly<Record<string, NodeStatus | null>>>) => void) => void;
}

/** The socket handshake: `io(url, {auth: {token}})` when auth is on. */
export interface SocketAuth {
  readonly token?: string;
}
