import type { z } from 'zod';
import type { ConnectionHandle } from './define-connection.js';
import type { Message, MessageInit } from './message.js';
import type { StoreAndForwardSettings } from './store-and-forward.js';

import type { NodeCategory, NodeStatus, PortMap } from '@plantwire/protocol';

// Palette groups, a node's badge and port maps are part of the editor's contract: written once there.
export type { NodeCategory, NodeStatus, PortMap };

/** A key/value store scoped to a node, its tab ("flow") or the whole runtime ("global"). Synchronous reads and writes; persisted by the runtime. */
export interface ContextStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  keys(): string[];
}

/** Structured logging, attributed to the node by the runtime. */
export interface NodeLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What a catch, status or complete node listens to. */
export interface WatchSpec {
  readonly event: 'error' | 'status' | 'complete';
  readonly scope: 'tab' | 'all' | readonly string[];
  readonly uncaughtOnly?: boolean;
}

/** Which node something came from. */
export interface NodeAddress {
  readonly id: string;
  readonly type: string;
  readonly name?: string | undefined;
  readonly tab?: string | undefined;
}

/**
 * Everything a node gets from the runtime, instead of a `this` or a global. The same object is
 * handed to `setup`, `onInput` and `close` of one node instance.
 */
export interface NodeContext<Config> {
  readonly id: string;
  readonly type: string;
  readonly name: string | undefined;
  readonly tab: string | undefined;
  /** The node's config, parsed by its schema (defaults filled, `${ENV}` substituted). */
  readonly config: Config;
  /**
   * Send a message out of a port (default: the first declared output) from outside `onInput`:
   * a timer, a device callback. Returns whether the message was taken. False only under the
   * `block` overflow policy (the default), when pressure from downstream has reached this node and
   * its outbox is full (or while a deploy pauses it): the message was refused, and the source
   * should keep it and pause (stop reading, skip ticks) until `onDrain` fires. Under `drop-oldest`
   * and `keep-latest-per-topic` the new message is always taken; an older one gives way (counted).
   *
   * With `onSettled`, the message is tracked: the runtime calls `onSettled(outcome)` exactly once,
   * never synchronously inside `emit`, when the message and everything derived from it (every
   * branch of a fan-out, every message a node returns or `ctx.send`s while handling it) has
   * finished: each `onInput` resolved ('delivered'; a message filtered out or sent to an unwired
   * port counts as delivered), threw ('failed'; the error is routed as usual), or was dropped
   * ('dropped': a removed or failed node, a drain bound at stop, a displaced outbox entry). The
   * worst branch wins: dropped over failed over delivered. When `emit` returns false the message
   * was not taken and `onSettled` is never called: the caller keeps it. A message displaced from
   * the outbox under `drop-oldest` or `keep-latest-per-topic` settles as 'dropped'. A node that keeps a message and emits later from a timer
   * (delay, join, batch) settles it when its `onInput` finishes. See docs/delivery-guarantees.md.
   *
   * @example
   * if (!ctx.emit(msg, undefined, (outcome) => ackUpstream(id, outcome))) holdUpstream();
   */
  emit(msg: MessageInit, port?: string, onSettled?: (outcome: DeliveryOutcome) => void): boolean;
  /** Send from inside `onInput` to a named port, besides what `onInput` returns to the first output. */
  send(msg: MessageInit, port?: string): void;
  /** Called once when the pressure has gone and `emit` would accept again. */
  onDrain(listener: () => void): void;
  /** Set the node's badge; `null` clears it. */
  status(status: NodeStatus | null): void;
  /** Report an error that happened outside `onInput` (timer, socket), attributed to this node. */
  error(err: unknown, msg?: Message): void;
  /** Print a value on the debug channel (debug nodes): the CLI writes it as a JSON line, the editor shows it. */
  debug(value: unknown, msg: Message): void;
  readonly log: NodeLogger;
  readonly context: { readonly node: ContextStore; readonly flow: ContextStore; readonly global: ContextStore };
  /** Environment lookup with the document's, the tab's and the process's variables. */
  env(name: string): string | undefined;
  /** Aborted when the node is closed (redeploy or shutdown). Use it to stop timers and I/O. */
  readonly signal: AbortSignal;
  /** Timers that the runtime clears when the node closes. */
  setTimeout(fn: () => void, ms: number): () => void;
  setInterval(fn: () => void, ms: number): () => void;
  /**
   * The shared connection with this id, supervised by the runtime (connect, backoff, reconnect).
   * `id` must be the value of one of the node's `connectionRef()` config fields: the runtime opened
   * those connections before `setup`, and throws for any other id. The same handle comes back for
   * the same id; its listeners are removed when the node closes. While the node runs, its badge
   * shows the connection's state (connecting, connected, or the reason it is down).
   *
   * @example
   * const broker = ctx.connection<MqttClient>(ctx.config.broker);
   * broker.onConnected((client) => client.subscribe(ctx.config.topic)); // again after every reconnect
   */
  connection<Client = unknown>(id: string): ConnectionHandle<Client>;
  /**
   * Record an action on a device in the audit log (`<dataDir>/audit.log` of the server or
   * `plantwire run`): call it after every write a node makes, and after a failed attempt with
   * `error`. Never pass a secret: the entry is stored as written.
   *
   * @example
   * ctx.audit({ action: 'write', target: { connection: 'plc', unitId: 1, area: 'holding', address: 100 }, value: 72.5 });
   */
  audit(entry: AuditReport): void;
}

/** What a node reports with `ctx.audit`: who and when are added by the runtime and the server. */
export interface AuditReport {
  /** What was done, e.g. `write`. */
  readonly action: string;
  /** What it was done to: the connection and the address in the device (unit, register; OPC UA node id). */
  readonly target: Readonly<Record<string, string | number | boolean | undefined>>;
  /** The value written (as sent to the device, before encoding). */
  readonly value: unknown;
  /** Why the attempt failed; absent after a success. */
  readonly error?: string | undefined;
}

/** How a tracked message ended (see `NodeContext.emit`): the worst of its branches. */
export type DeliveryOutcome = 'delivered' | 'failed' | 'dropped';

/** What `onInput` returns: a message (or several) for the first output port, or nothing. */
export type NodeResult = MessageInit | readonly MessageInit[] | null | undefined | void;


/**
 * The single declaration of a node type. The runtime's typed config, validation at deploy,
 * the editor's palette entry and form, and the docs page all derive from it.
 */
export interface NodeDefinition<Schema extends z.ZodType = z.ZodType, State = unknown> {
  /** Lowercase kebab, direction last: `mqtt-in`, `change`. */
  readonly type: string;
  /** Bump when the config shape changes, and add a migration. */
  readonly version: number;
  readonly category: NodeCategory;
  /** One line for the palette. */
  readonly summary: string;
  /** Longer Markdown for the docs page. */
  readonly description?: string;
  /** An icon name the editor knows (e.g. "clock", "bug", "code"). */
  readonly icon?: string;
  /** Input ports; a source has none. */
  readonly inputs?: PortMap;
  /**
   * Output ports; the first one receives what `onInput` returns (a node with none sends returned
   * messages to port `out`, reachable only through `virtualWires`). Every node also has an
   * implicit `error` output.
   */
  readonly outputs?: PortMap;
  /** The config schema: titles, descriptions, defaults, examples and `.meta({secret: true})` markers live here. */
  readonly config: Schema;
  /** Start the node: open timers, subscribe. Returns state handed to `onInput` and `close`. */
  setup?(ctx: NodeContext<z.output<Schema>>): State | Promise<State>;
  /**
   * Handle one message. Return the new message(s) for the first output, or nothing; throw (or
   * reject) to raise a node error. Never mutate `msg`.
   */
  onInput?(msg: Message, ctx: NodeContext<z.output<Schema>>, state: State, port: string): NodeResult | Promise<NodeResult>;
  /**
   * Fire the node now, from outside (the editor's "inject now" button, `runtime.trigger`): send
   * what the node would send on its own tick, through `ctx.emit`, with the same backpressure
   * handling (a refused message is skipped and counted as a tick's would be). Called only while
   * the node runs; a throw is an error of the node. Types that have it are `triggerable` in their
   * manifest.
   */
  onTrigger?(ctx: NodeContext<z.output<Schema>>, state: State): void;
  /** Stop the node: the runtime has already aborted `ctx.signal` and cleared its timers. */
  close?(ctx: NodeContext<z.output<Schema>>, state: State): void | Promise<void>;
  /** Upgrades: `migrations[n]` turns a version-n config into a version-(n+1) config. */
  readonly migrations?: Readonly<Record<number, (config: Record<string, unknown>) => Record<string, unknown>>>;
  /**
   * How many `onInput` calls may be in flight at once (default 1). Results still leave in input
   * order. Raise it for nodes that batch work internally (the function node's sandbox).
   */
  readonly concurrency?: number;
  /**
   * For nodes that watch others (catch, status, complete). The runtime itself sends what it sees
   * out of this node's first output port; the node needs no `onInput`:
   * - `error`: the failed message plus `error: {message, code, source: {id, type, name, tab}}`
   *   (a message-less error gets a new message with `payload: undefined`);
   * - `status`: a new message with `status: {fill, shape, text, source: {id, type, name, tab}}`;
   * - `complete`: the message the watched node finished handling, unchanged.
   * `scope`: 'tab' = every node on this node's tab, 'all' = every node, or a list of node ids.
   * `uncaughtOnly` (errors): only errors that no other catch node in scope handled.
   * (Declared as a method, like `setup` and `onInput`, so a node with a typed config stays
   * assignable to `AnyNodeType`; `virtualWires` likewise.)
   */
  watches?(config: z.output<Schema>): WatchSpec;
  /**
   * Extra edges that the config implies (link out → link in): messages sent on `port` of this
   * node also go to these nodes' ports. Checked by validation like ordinary wires.
   */
  virtualWires?(config: z.output<Schema>): ReadonlyArray<{ readonly port: string; readonly to: { readonly node: string; readonly port: string } }>;
  /**
   * For sinks: buffer messages on disk while the node's connections are down and replay them when
   * they return (docs/store-and-forward.md). Return the node's parsed `storeAndForwardConfig()`
   * field, or undefined for none; the runtime wraps the type and does the rest.
   */
  storeAndForward?(config: z.output<Schema>): StoreAndForwardSettings | undefined;
  /**
   * Why deploying a node of this config needs the elevated role (it writes to a device), e.g.
   * "writes to Modbus device plc: holding 100–103"; undefined when this config does not. Types that
   * have it are `privileged` in their manifest; the server refuses a deploy that adds or changes
   * such a node unless the user may (docs/security.md#elevation).
   */
  privileged?(config: z.output<Schema>): string | undefined;
}

/** A defined node type: the declaration, frozen, plus what derives from it. */
export type NodeType<Schema extends z.ZodType = z.ZodType, State = unknown> = NodeDefinition<Schema, State> & {
  readonly inputs: PortMap;
  readonly outputs: PortMap;
};

/**
 * Declare a node type. One call per type; everything else (typed config, validation, manifest,
 * docs) derives from it.
 *
 * @example
 * export const change = defineNode({
 *   type: 'change', version: 1, category: 'transform', summary: 'Set, delete or move message properties.',
 *   inputs: { in: 'Messages to change.' }, outputs: { out: 'The changed message.' },
 *   config: z.object({ rules: z.array(rule).min(1) }),
 *   onInput: (msg, { config }) => config.rules.reduce(applyRule, msg),
 * });
 */
export function defineNode<Schema extends z.ZodType, State = undefined>(definition: NodeDefinition<Schema, State>): NodeType<Schema, State> {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(definition.type)) {
    throw new Error(`defineNode: type "${definition.type}" must be lowercase kebab-case`);
  }
  if (!Number.isInteger(definition.version) || definition.version < 1) {
    throw new Error(`defineNode(${definition.type}): version must be an integer ≥ 1`);
  }
  const outputs = definition.outputs ?? {};
  if ('error' in outputs) {
    throw new Error(`defineNode(${definition.type}): "error" is the implicit error port; do not declare it`);
  }
  return Object.freeze({ ...definition, inputs: definition.inputs ?? {}, outputs });
}

/** A type-erased node type, for registries. */
export type AnyNodeType = NodeType<z.ZodType, any>;

/** Implicit error output every node has. */
export const ERROR_PORT = 'error';
