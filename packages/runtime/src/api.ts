import type { ConnectionEntry, FlowDocument, ValidationIssue } from '@plantwire/flow';
import type { AnyConnectionType, AnyNodeType, ConnectionBrowsePage, ConnectionState, Message, MessageInit, NodeStatus } from '@plantwire/node-sdk';
import type { BufferCounters } from './store-forward/queue-types.js';

export type { BufferCounters, BufferDropReason } from './store-forward/queue-types.js';

/** Where runtime log lines go. The CLI writes them as JSON lines to stderr. */
export interface RuntimeLogger {
  log(entry: LogEvent): void;
}

export interface RuntimeOptions {
  /** The node types this runtime can run. The runtime imports none itself. */
  readonly nodeTypes: readonly AnyNodeType[];
  /**
   * The connection types (`defineConnection`) that entries in `$.connections` may have, handed in
   * by node packages beside their node types. Names share one space with node types.
   */
  readonly connectionTypes?: readonly AnyConnectionType[];
  /**
   * Where persisted context, credentials (`credentials.json`, `credential.key`) and connections'
   * own files (`connections/<id>/`) live. Without it, context and credentials are memory-only.
   */
  readonly dataDir?: string;
  /**
   * Variables for `${NAME}` substitution, below the document's and tabs' own; also where
   * `PLANTWIRE_CREDENTIAL_SECRET` is read from. Default: process.env.
   */
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
  /** Reconnect backoff of supervised connections: full jitter over min(maxMs, initialMs · 2^n). Default 250 ms … 30 s. */
  readonly connectionBackoff?: {
    readonly initialMs?: number;
    readonly maxMs?: number;
    /** Randomness in [0, 1) for the jitter (tests pin it). Default Math.random. */
    readonly random?: () => number;
  };
  /** How long a connection type's `connect` (and a connection test) may take, unless the type sets its own. Default 10000 ms. Disconnects are bounded by `closeTimeoutMs`. */
  readonly connectTimeoutMs?: number;
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
  /** Messages lost at this node: an overflow policy displaced them, or a stop or removal left them. */
  readonly dropped: number;
  /**
   * `ctx.emit`s this source was refused (`block` policy under pressure, or paused by a deploy).
   * Not lost by the runtime: the source keeps them (mqtt-in sends them again after the drain) or
   * skips them (an inject tick).
   */
  readonly refused: number;
  readonly queueDepth: number;
  readonly queueCapacity: number;
  /** Total time spent in the node's `onInput`, in milliseconds. */
  readonly processingTimeMs: number;
  /** The store-and-forward buffer of a sink that has one on (docs/store-and-forward.md). */
  readonly buffer?: BufferCounters;
}

/** Options of {@link Runtime.deploy}. */
export interface DeployOptions {
  /**
   * How long to wait for the part of the flow that changes (restarted and removed nodes and
   * everything upstream of them) to drain while the sources feeding it are paused. Default: the
   * runtime's `drainTimeoutMs`; 0 swaps at once (queued input is still handed to replacements).
   */
  readonly drainTimeoutMs?: number;
}

/** What `stop()` did; also written as one log line (`event: 'runtime:stopped'`). */
export interface StopReport {
  /** True when every queue emptied within the bound. */
  readonly drained: boolean;
  /** Messages still queued, held or waiting in an outbox when the bound ran out (they are dropped and counted). */
  readonly remaining: number;
  readonly durationMs: number;
  /** True when the drain bound ran out (`!drained`). */
  readonly boundHit: boolean;
  /** The bound the drain had. */
  readonly drainTimeoutMs: number;
  /** Ids of the sources closed first. */
  readonly sourcesStopped: readonly string[];
  /** Messages in the flow once the sources had stopped (queued, held, in outboxes, inside onInput). */
  readonly inFlight: number;
  /** Messages nodes took off their input queues during the drain. */
  readonly messagesDrained: number;
  /** Where the `remaining` messages were, by node id (empty when drained). */
  readonly remainingByNode: Readonly<Record<string, number>>;
  /** `onInput` calls still running when the bound ran out, by node id (their nodes are closed next, within `closeTimeoutMs`). */
  readonly unfinished: Readonly<Record<string, number>>;
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

/**
 * A supervised connection changed state. `attempt` is the connect attempt being made (connecting),
 * that succeeded (connected) or that failed (waiting, failed) since the link was last up; 0 after
 * a loss and when idle. `nextRetryMs` is the backoff before the next attempt (waiting only).
 * `reason` never holds a secret: known credential values are masked as `***`.
 */
export interface ConnectionEvent {
  readonly id: string;
  readonly type: string;
  readonly name?: string | undefined;
  readonly state: ConnectionState;
  readonly reason?: string | undefined;
  readonly attempt: number;
  readonly nextRetryMs?: number | undefined;
}

/** What a connection test found. */
export interface ConnectionTestReport {
  readonly ok: boolean;
  /** For the user: "connected in 12 ms", or why not. Never holds a secret. */
  readonly message: string;
  readonly durationMs: number;
}

/** Options of {@link Runtime.testConnection}. */
export interface TestConnectionOptions {
  /** Credentials to test with instead of the stored ones (the editor's form before saving); validated, never stored. */
  readonly credentials?: Readonly<Record<string, unknown>>;
  /** Bound of the whole test. Default: the type's `connectTimeoutMs`, else the runtime's `connectTimeoutMs`. */
  readonly timeoutMs?: number;
}

/** What {@link Runtime.browse} lists: one page of a node's children. */
export interface BrowseRequest {
  /** The node whose children to list. Default: the type's root (OPC UA: the Objects folder `i=85`). */
  readonly node?: string | undefined;
  /** The previous page's `continuationPoint`, for the next page (same node, same session). */
  readonly continuationPoint?: string | undefined;
  /** At most this many items per page. Default: the type's (OPC UA: 100). */
  readonly maxItems?: number | undefined;
  /** Bound of the request. Default: the type's `connectTimeoutMs`, else the runtime's `connectTimeoutMs`. */
  readonly timeoutMs?: number | undefined;
}

/**
 * Write-only access to the secrets of connections, kept outside the flow document in an encrypted
 * store (`<dataDir>/credentials.json`, AES-256-GCM). Values can be set and deleted, never read
 * back: only their field names are told. Every method rejects with a `CredentialsError` (`code`
 * CREDENTIALS_INVALID, CREDENTIALS_UNREADABLE or CREDENTIALS_WRITE_FAILED) whose message names the
 * connection and the field, never a value.
 */
export interface CredentialsApi {
  /**
   * Replace a connection's credentials, validated against its type's `credentials` schema (unknown
   * fields are refused). The type is the entry's in the running document, else `options.type` (for
   * an entry not deployed yet). If a running node uses the connection, it is reconnected and those
   * nodes restart, as for a changed entry; resolves once that is under way.
   */
  set(connectionId: string, values: Readonly<Record<string, unknown>>, options?: { readonly type?: string }): Promise<void>;
  /** Names of the fields stored for a connection (empty when none). Never the values. */
  has(connectionId: string): Promise<readonly string[]>;
  /** Forget a connection's credentials (reconnecting it like `set`); false when none were stored. */
  delete(connectionId: string): Promise<boolean>;
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
  /**
   * A deploy began (`active: true`) or ended, whatever its outcome (`active: false`). For hosts
   * that set process policy for its length (the `plantwire` command keeps V8's optimizing
   * compiler off meanwhile, apps/cli/src/v8-memory.ts).
   */
  deploying: { readonly active: boolean };
  /** A message left a node's output port (used by tests and, sampled, by the editor's wire counters). */
  sent: { readonly nodeId: string; readonly port: string; readonly msg: Message };
  /** A supervised connection changed state. */
  connection: ConnectionEvent;
  /** A node reported an action on a device (`ctx.audit`): the server and `plantwire run` append it to the audit log. */
  audit: AuditEvent;
}

/** One `ctx.audit` report, with the node it came from (who and the flow revision are added by the host). */
export interface AuditEvent {
  readonly nodeId: string;
  readonly type: string;
  readonly tab?: string | undefined;
  readonly action: string;
  readonly target: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly value: unknown;
  readonly error?: string | undefined;
  /** ISO 8601, when the node reported it. */
  readonly time: string;
}

/** The headless engine: one running flow document. */
export interface Runtime {
  /** The running document, after migrations, or undefined before the first deploy. */
  readonly document: FlowDocument | undefined;
  /**
   * Validate, then apply: restart only nodes whose config or wiring changed. An invalid document
   * changes nothing and resolves `{ok: false, issues}`.
   */
  deploy(document: unknown, options?: DeployOptions): Promise<DeployResult>;
  /** Put a message on a node's input port (tests, the editor's inject button). False when its queue refused it. */
  inject(nodeId: string, msg: MessageInit, port?: string): boolean;
  /**
   * Fire a running node now, as on one of its own ticks (the editor's "inject now" on an inject
   * node): its type's `onTrigger`. Backpressure applies as to a tick. False when no such node
   * runs or its type cannot be triggered (`triggerable` in its manifest).
   */
  trigger(nodeId: string): boolean;
  /** Counters of every running node, by node id. */
  metrics(): Readonly<Record<string, NodeCounters>>;
  on<E extends keyof RuntimeEvents>(event: E, listener: (payload: RuntimeEvents[E]) => void): () => void;
  /** The current state of every connection entry of the running document. */
  connections(): readonly ConnectionEvent[];
  /**
   * The editor's "test connection": the type's `test`, else a connect and disconnect, bounded.
   * Takes the id of an entry in the running document, or an entry not deployed yet (its `${ENV}`
   * resolved against the running document's env). Uses the stored credentials of that id unless
   * `options.credentials` are given. Never disturbs a running client; never rejects: a problem is
   * `{ok: false, message}`.
   */
  testConnection(connection: string | ConnectionEntry, options?: TestConnectionOptions): Promise<ConnectionTestReport>;
  /**
   * One page of a connection's address space (OPC UA: the children of `request.node`, default the
   * Objects folder), through the supervised connection's live client: no second client, running
   * nodes undisturbed. Rejects with a `BrowseError` whose `code` is CONNECTION_UNKNOWN (no such
   * entry in the running document), NOT_SUPPORTED (its type cannot browse), NOT_CONNECTED (the
   * client is not open: no running node uses it, or the link is down), TIMEOUT or BROWSE_FAILED
   * (the device refused: unknown node, expired continuation point); the message names the connection.
   */
  browse(connectionId: string, request?: BrowseRequest): Promise<ConnectionBrowsePage>;
  /** The secrets of connections: write-only, encrypted at rest. */
  readonly credentials: CredentialsApi;
  /** Stop sources, drain queues within the bound, close nodes, persist context. */
  stop(options?: { drainTimeoutMs?: number }): Promise<StopReport>;
}
