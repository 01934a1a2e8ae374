import type { FlowDocument, ValidationIssue } from '@plantwire/flow';
import type { AnyNodeType, Message, MessageInit, NodeStatus } from '@plantwire/node-sdk';

/** Where runtime log lines go. The CLI writes them as JSON lines to stderr. */
export interface RuntimeLogger {
  log(entry: LogEvent): void;
}

export interface RuntimeOptions {
  /** The node types this runtime can run. The runtime imports none itself. */
  readonly nodeTypes: readonly AnyNodeType[];
  /** Where persisted context (and later buffers and credentials) live. Without it, context is memory-only. */
  readonly dataDir?: string;
  /** Variables for `${NAME}` substitution, below the document's and tabs' own. Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: RuntimeLogger;
  /** Input queue capacity of nodes that set none. Default 1000. */
  readonly defaultQueueCapacity?: number;
  /** How long `stop()` waits for queues to drain. Default 5000 ms. */
  readonly drainTimeoutMs?: number;
  /** How long a node's `close` (and its in-flight `onInput` calls) may take before the runtime moves on. Default 5000 ms. */
  readonly closeTimeoutMs?: number;
  /** How long a node's `setup` may take before the node is marked failed (SETUP_FAILED). Default 30000 ms. */
  readonly setupTimeoutMs?: number;
}

export type DeployResult =
  | {
      readonly ok: true;
      readonly started: readonly string[];
      readonly stopped: readonly string[];
      readonly restarted: readonly string[];
      readonly unchanged: readonly string[];
      readonly warnings: readonly ValidationIssue[];
    }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

/** Per-node counters, as callers (CLI metrics, server, tests) see them. */
export interface NodeCounters {
  readonly in: number;
  readonly out: number;
  readonly errors: number;
  readonly dropped: number;
  readonly queueDepth: number;
  readonly queueCapacity: number;
  /** Total time spent in the node's `onInput`, in milliseconds. */
  readonly processingTimeMs: number;
}

export interface StopReport {
  /** True when every queue emptied within the bound. */
  readonly drained: boolean;
  /** Messages still queued when the bound ran out (they are counted as dropped). */
  readonly remaining: number;
  readonly durationMs: number;
}

export interface DebugEvent {
  readonly nodeId: string;
  readonly nodeName?: string | undefined;
  readonly tab?: string | undefined;
  readonly msgId: string;
  readonly value: unknown;
  readonly timestamp: number;
}

export interface NodeErrorEvent {
  readonly nodeId: string;
  readonly type: string;
  readonly tab?: string | undefined;
  readonly msgId?: string | undefined;
  readonly code: string;
  readonly message: string;
  /** Where the error went: the node's wired error port, catch node(s), or only the log. */
  readonly handledBy: 'port' | 'catch' | 'log';
}

export interface StatusEvent {
  readonly nodeId: string;
  readonly status: NodeStatus | null;
}

export interface LogEvent {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly time: string;
  readonly nodeId?: string | undefined;
  readonly [field: string]: unknown;
}

export interface RuntimeEvents {
  debug: DebugEvent;
  error: NodeErrorEvent;
  status: StatusEvent;
  log: LogEvent;
  deployed: DeployResult & { ok: true };
  /** A message left a node's output port (used by tests and, sampled, by the editor's wire counters). */
  sent: { readonly nodeId: string; readonly port: string; readonly msg: Message };
}

/** The headless engine: one running flow document. */
export interface Runtime {
  /** The running document, after migrations, or undefined before the first deploy. */
  readonly document: FlowDocument | undefined;
  /**
   * Validate, then apply: restart only nodes whose config or wiring changed. An invalid document
   * changes nothing and resolves `{ok: false, issues}`.
   */
  deploy(document: unknown): Promise<DeployResult>;
  /** Put a message on a node's input port (tests, the editor's inject button). False when its queue refused it. */
  inject(nodeId: string, msg: MessageInit, port?: string): boolean;
  /** Counters of every running node, by node id. */
  metrics(): Readonly<Record<string, NodeCounters>>;
  on<E extends keyof RuntimeEvents>(event: E, listener: (payload: RuntimeEvents[E]) => void): () => void;
  /** Stop sources, drain queues within the bound, close nodes, persist context. */
  stop(options?: { drainTimeoutMs?: number }): Promise<StopReport>;
}
