import type { OverflowPolicy } from '@plantwire/flow';
import {
  ERROR_PORT,
  NodeError,
  type AnyNodeType,
  type AuditReport,
  type ConnectionHandle,
  type ContextStore,
  type DeliveryOutcome,
  type ErrorCode,
  type Message,
  type MessageInit,
  type NodeAddress,
  type NodeContext,
  type NodeResult,
  type NodeStatus,
  type WatchSpec,
  toMessage,
} from '@plantwire/node-sdk';
import type { NodeCounters } from './api.js';
import { DeliveryToken, dropTokens, type TrackedPort } from './delivery-token.js';
import type { ConnectionOwner, NodeConnections } from './connection-handles.js';
import { describeThrown, type ErrorOrigin, type ErrorWatcher } from './error-router.js';
import { RingBuffer } from './ring-buffer.js';
import type { Schedulable, Scheduler } from './scheduler.js';

/** One end of a wire, resolved to the running instance. */
export interface Target {
  readonly node: NodeInstance;
  readonly port: string;
}

/** A held delivery of a tracked message: also the tag it takes into the target's input queue. */
interface TrackedTarget extends Target, TrackedPort {}

/** The tag beside a queued message: its port, or port and token when the message is tracked. */
export type QueueTag = string | TrackedPort;

/** What a node instance needs from the runtime around it. */
export interface NodeHost {
  readonly scheduler: Scheduler;
  /** Listeners on the runtime's 'sent' event; read on the hot path, so a plain number. */
  sentListeners: number;
  emitSent(node: NodeInstance, port: string, msg: Message): void;
  /** Route an error of `node`; `direct` when raised while the node handles a message. */
  raise(node: NodeInstance, err: unknown, msg: Message | undefined, direct: boolean, code?: ErrorCode, context?: string): void;
  /** The node finished a message without error (complete watchers). */
  completed(node: NodeInstance, msg: Message): void;
  statusChanged(node: NodeInstance, status: NodeStatus | null): void;
  debug(node: NodeInstance, value: unknown, msg: Message): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown> | undefined, node?: NodeInstance): void;
  /** `ctx.audit`: an action on a device, for the audit log (optional: hosts in unit tests have none). */
  audit?(node: NodeInstance, entry: AuditReport): void;
  /** An asynchronous `onInput` settled (lets `stop()` notice when everything is idle). */
  settled(): void;
}

/**
 * What a node instance is built from, as its compiled node has it (a `CompiledNode` is one: a
 * deploy hands it over as it is, with no init object copied from it per node).
 */
export interface NodeSpec {
  readonly id: string;
  readonly def: AnyNodeType;
  readonly name: string | undefined;
  readonly tab: string | undefined;
  readonly config: unknown;
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
  readonly watchSpec: WatchSpec | undefined;
  readonly env: (name: string) => string | undefined;
}

/** The context scopes a node's `ctx.context` reads: its own, its tab's, and the global one. */
export type NodeScopesOf = { readonly node: ContextStore; readonly flow: ContextStore; readonly global: ContextStore };

/** Life of an instance: setting up → running → closing → closed; or failed when setup threw. */
export type NodePhase = 'starting' | 'running' | 'failed' | 'closing' | 'closed';

interface AsyncSlot {
  readonly msg: Message;
  /** 0 pending, 1 resolved, 2 rejected. */
  state: 0 | 1 | 2;
  value: unknown;
  readonly started: number;
  /** Set when the message is tracked. */
  readonly token: DeliveryToken | undefined;
}

type OnInput = (msg: Message, ctx: NodeContext<unknown>, state: unknown, port: string) => NodeResult | Promise<NodeResult>;

const NO_TARGETS: readonly Target[] = Object.freeze([]);
/** The outputs of a node with no outgoing edges (never mutated: `link` replaces the map). */
export const NO_OUTPUTS: ReadonlyMap<string, readonly Target[]> = new Map();
/** No watchers, waiters or listeners: shared by every instance until it gets one (frozen, so a stray push fails loudly). */
const NO_NODES: NodeInstance[] = Object.freeze([]) as unknown as NodeInstance[];
const NO_LISTENERS: Array<() => void> = Object.freeze([]) as unknown as Array<() => void>;
/** Stand-ins for an instance's outbox and held deliveries until it needs them: never pushed to (see `enqueueOutbox`, `heldRing`). */
const EMPTY_OUTBOX = new RingBuffer<Message, QueueTag>(1);
const EMPTY_HELD = new RingBuffer<Message, Target>(1);

/**
 * One running node: its bounded input queue, its outbox and held deliveries (how backpressure is
 * expressed), its context object, timers and counters, and the hot loop that feeds it messages.
 *
 * Backpressure: a delivery to a full input queue is held by the sender, and a sender with held
 * deliveries takes no input until the target has room again, so pressure travels upstream hop by
 * hop. Sends made while handling a message (returned results, `ctx.send`, the error port) are held
 * that way; spontaneous sends (`ctx.emit`, catch/status/complete watchers, errors from timers) go
 * through the node's bounded outbox under its overflow policy.
 */
export class NodeInstance implements Schedulable, ErrorOrigin, ErrorWatcher, ConnectionOwner {
  declare readonly id: string;
  declare readonly def: AnyNodeType;
  declare readonly tab: string | undefined;
  declare readonly config: unknown;
  declare readonly capacity: number;
  declare readonly overflow: OverflowPolicy;
  declare readonly watchSpec: WatchSpec | undefined;
  declare readonly concurrency: number;
  declare readonly ctx: NodeContext<unknown>;
  declare name: string | undefined;
  phase: NodePhase = 'starting';
  /** True while input is taken into the queue (starting or running). */
  accepting = true;
  scheduled = false;
  state: unknown = undefined;
  status: NodeStatus | null = null;

  declare readonly queue: RingBuffer<Message, QueueTag>;
  /**
   * Whole messages emitted while pressure was on, waiting to start their fan-out.
   * `EMPTY_OUTBOX` (shared, always empty) until the first message waits in it; `held` likewise.
   * Most nodes never use either, and two ring buffers per node were ~10,000 objects that a cold
   * 5,000-node deploy built and the young-generation GC copied.
   */
  outbox: RingBuffer<Message, QueueTag> = EMPTY_OUTBOX;
  /** Deliveries refused by a full target, in order; the node takes no input while any are held. */
  held: RingBuffer<Message, Target> = EMPTY_HELD;
  /** Senders blocked on this node's full queue. */
  waiters: NodeInstance[] = NO_NODES;
  private waitingOn: NodeInstance | undefined = undefined;
  /**
   * What only some nodes ever need (async calls, timers, drain listeners, an abort signal, the
   * keep-latest-per-topic index), made at the first use: 8 fields for 1 on each of the 5,000
   * instances of a cold deploy (432 → 376 bytes each, built and then copied by the young-generation GC).
   */
  private extra: NodeExtras | undefined = undefined;

  declare firstPort: string;
  firstTargets: readonly Target[] = NO_TARGETS;
  errorTargets: readonly Target[] = NO_TARGETS;
  private outputs: ReadonlyMap<string, readonly Target[]> = NO_OUTPUTS;

  catchers: readonly NodeInstance[] = NO_NODES;
  uncaughtCatchers: readonly NodeInstance[] = NO_NODES;
  statusWatchers: readonly NodeInstance[] = NO_NODES;
  completeWatchers: readonly NodeInstance[] = NO_NODES;

  inflight = 0;
  /** True while `onInput` runs synchronously inside a batch. */
  private inBatch = false;
  private current: Message | undefined = undefined;
  /** The token of the message `onInput` handles synchronously now, when it is tracked. */
  private currentToken: DeliveryToken | undefined = undefined;
  /**
   * While true (a deploy drains the part of the flow this source feeds), `emit` refuses as under
   * full pressure and `onDrain` listeners wait for `resume`.
   */
  paused = false;

  // Counters are plain numbers: one increment per message, no objects.
  cIn = 0;
  cOut = 0;
  cErrors = 0;
  cDropped = 0;
  /** `emit`s refused under pressure (`block`) or while a deploy paused the node: the source kept them. */
  cRefused = 0;
  /** Messages taken off the input queue (counted once per batch, not per message). */
  cHandled = 0;
  processingMs = 0;

  declare private readonly host: NodeHost;
  declare private readonly onInput: OnInput | undefined;
  /** True once closing (or a failed setup) stopped the node's timers and aborted its signal. */
  private aborted = false;
  declare private readonly declaredOutputs: ReadonlySet<string>;
  declare readonly defaultInput: string;
  /** How many input ports the type declares. */
  declare readonly inputCount: number;
  /** Leases on the shared connections the config references; undefined when it references none. */
  declare private readonly connections: NodeConnections | undefined;

  /** `connections`: the node's leases on shared connections, for a node whose config references some. */
  constructor(spec: NodeSpec, host: NodeHost, context: NodeScopesOf, connections?: (owner: ConnectionOwner) => NodeConnections) {
    const def = spec.def;
    this.id = spec.id;
    this.def = def;
    this.name = spec.name;
    this.tab = spec.tab;
    this.config = spec.config;
    this.capacity = spec.capacity;
    this.overflow = spec.overflow;
    this.watchSpec = spec.watchSpec;
    this.host = host;
    this.queue = new RingBuffer<Message, QueueTag>(spec.capacity);
    const ports = portsOf(def);
    this.concurrency = Math.max(1, Math.floor(def.concurrency ?? 1));
    this.onInput = def.onInput as OnInput | undefined;
    this.firstPort = ports.firstPort;
    this.declaredOutputs = ports.declaredOutputs;
    this.defaultInput = ports.defaultInput;
    this.inputCount = ports.inputCount;
    this.ctx = new InstanceContext(this, context, spec.env);
    this.connections = connections?.(this);
  }

  get nodeType(): string {
    return this.def.type;
  }

  /** The badge follows the node's connections while it runs (a failed or closed node keeps its own). */
  showConnectionStatus(status: NodeStatus): void {
    if (this.phase === 'starting' || this.phase === 'running') this.host.statusChanged(this, status);
  }

  runListener(fn: () => unknown, what: string): void {
    this.guard(fn, what);
  }

  /** The node's address, as errors and watcher messages carry it. */
  get address(): NodeAddress {
    return { id: this.id, type: this.def.type, name: this.name, tab: this.tab };
  }

  get errorPortWired(): boolean {
    return this.errorTargets.length !== 0;
  }

  /** Wire the instance to its targets (on every deploy, since targets may have been replaced). The map is the instance's from now on. */
  link(outputs: ReadonlyMap<string, readonly Target[]>): void {
    this.outputs = outputs;
    this.firstTargets = outputs.get(this.firstPort) ?? NO_TARGETS;
    this.errorTargets = outputs.get(ERROR_PORT) ?? NO_TARGETS;
  }

  /**
   * `link` for a node whose edges all leave its first port (most nodes): no map per node, 4,000
   * of them on a 5,000-node deploy. The list is the instance's from now on.
   */
  linkFirst(targets: readonly Target[]): void {
    this.outputs = NO_OUTPUTS;
    this.firstTargets = targets;
    this.errorTargets = this.firstPort === ERROR_PORT ? targets : NO_TARGETS;
  }

  /** The current targets of a port (empty when unwired). */
  targetsOf(port: string): readonly Target[] {
    if (port === this.firstPort) return this.firstTargets;
    return this.outputs.get(port) ?? NO_TARGETS;
  }

  /** Point held deliveries at replacement instances after a deploy; those whose target is gone are dropped. */
  retargetHeld(resolve: (nodeId: string) => NodeInstance | undefined): void {
    if (this.held.length === 0) return;
    const entries = this.held.entries();
    this.held.clear();
    this.waitingOn = undefined;
    for (const [msg, target] of entries) {
      const node = resolve(target!.node.id);
      const token = (target as Partial<TrackedTarget>).token;
      if (node === undefined) {
        this.cDropped++;
        token?.release('dropped');
      } else if (node === target!.node) this.held.push(msg, target!);
      else if (token === undefined) this.held.push(msg, { node, port: target!.port });
      else {
        const tracked: TrackedTarget = { node, port: target!.port, token };
        this.held.push(msg, tracked);
      }
    }
  }

  // ---- scheduling -------------------------------------------------------------------------

  isRunnable(): boolean {
    return this.phase === 'running' && this.queue.length !== 0 && this.held.length === 0 && this.inflight < this.concurrency;
  }

  /** Schedule the node if it can make progress. */
  kick(): void {
    if (!this.scheduled && this.isRunnable()) this.host.scheduler.schedule(this);
  }

  runBatch(budget: number): number {
    const queue = this.queue;
    const onInput = this.onInput;
    const ctx = this.ctx;
    const state = this.state;
    const concurrency = this.concurrency;
    const t0 = performance.now();
    let n = 0;
    this.inBatch = true;
    while (n < budget && queue.length !== 0) {
      const tag = queue.peekTag()!;
      const msg = queue.shift()!;
      n++;
      // An untracked message (nearly all) has its port as tag: one type check, no allocation.
      let port: string;
      let token: DeliveryToken | undefined;
      if (typeof tag === 'string') {
        port = tag;
        token = undefined;
      } else {
        port = tag.port;
        token = tag.token;
      }
      if (onInput === undefined) {
        token?.release('delivered');
        continue;
      }
      this.current = msg;
      this.currentToken = token;
      let result: NodeResult | Promise<NodeResult>;
      try {
        result = onInput(msg, ctx, state, port);
      } catch (err) {
        this.current = undefined;
        this.currentToken = undefined;
        this.cErrors++;
        this.host.raise(this, err, msg, true);
        token?.release('failed');
        if (this.held.length !== 0) break;
        continue;
      }
      this.current = undefined;
      this.currentToken = undefined;
      if (result != null) {
        if (typeof (result as Promise<NodeResult>).then === 'function') {
          this.startAsync(result as Promise<NodeResult>, msg, t0, token);
          if (this.inflight >= concurrency || this.held.length !== 0) break;
          continue;
        }
        if (!this.handleResult(result as NodeResult, msg, token)) {
          token?.release('failed');
          if (this.held.length !== 0) break;
          continue;
        }
      }
      token?.release('delivered');
      if (this.completeWatchers.length !== 0) this.host.completed(this, msg);
      if (this.held.length !== 0) break;
    }
    this.cHandled += n;
    this.inBatch = false;
    const t1 = performance.now();
    this.processingMs += t1 - t0;
    if (this.waiters.length !== 0 && queue.length < this.capacity) this.wakeWaiters();
    return t1;
  }

  /** Send what `onInput` returned; false when the result was invalid (and raised as an error). */
  private handleResult(result: NodeResult, input: Message, token: DeliveryToken | undefined): boolean {
    if (result == null) return true;
    const port = this.firstPort;
    const targets = this.firstTargets;
    if (Array.isArray(result)) {
      for (let i = 0; i < result.length; i++) {
        const item: unknown = result[i];
        if (item == null) continue;
        if (typeof item !== 'object' || Array.isArray(item)) {
          this.invalidResult(`element ${i} of the returned array is ${kindOf(item)}`, input);
          return false;
        }
        this.sendOut(port, targets, toMsg(item as MessageInit), token);
      }
      return true;
    }
    if (typeof result !== 'object') {
      this.invalidResult(`it returned ${kindOf(result)}`, input);
      return false;
    }
    this.sendOut(port, targets, toMsg(result as MessageInit), token);
    return true;
  }

  private invalidResult(what: string, input: Message): void {
    this.cErrors++;
    this.host.raise(this, new NodeError('NODE_FAILED', `onInput must return a message object, an array of messages or nothing; ${what}`), input, true);
  }

  /** `started`: when the batch that made the call began (one clock read per batch, not per call). */
  private startAsync(promise: Promise<NodeResult>, msg: Message, started: number, token: DeliveryToken | undefined): void {
    const slot: AsyncSlot = { msg, state: 0, value: undefined, started, token };
    this.inflight++;
    if (token !== undefined) this.extras().trackedAsync++;
    (this.extras().pending ??= new RingBuffer<AsyncSlot>(Number.POSITIVE_INFINITY, 4)).push(slot);
    promise.then(
      (value) => {
        slot.state = 1;
        slot.value = value;
        this.settleSoon();
      },
      (err: unknown) => {
        slot.state = 2;
        slot.value = err;
        this.settleSoon();
      },
    );
  }

  private extras(): NodeExtras {
    return (this.extra ??= new NodeExtras());
  }

  /**
   * Results of one batch (a sandbox reply, say) settle in a row of microtasks; they are handed on
   * together by one settle queued behind them, instead of one settle (clock read, scheduling,
   * idle check) per message.
   */
  private settleSoon(): void {
    const extra = this.extras();
    if (extra.settleScheduled) return;
    extra.settleScheduled = true;
    queueMicrotask(
      (extra.settleNow ??= () => {
        extra.settleScheduled = false;
        this.settle();
      }),
    );
  }

  /** Hand on the results of finished async calls, in input order. */
  private settle(): void {
    const extra = this.extra!;
    const pending = extra.pending!;
    const now = performance.now();
    while (pending.length !== 0 && pending.peek()!.state !== 0) {
      const slot = pending.shift()!;
      this.inflight--;
      this.processingMs += now - slot.started;
      const token = slot.token;
      if (token !== undefined) extra.trackedAsync--;
      if (slot.state === 2) {
        this.cErrors++;
        this.host.raise(this, slot.value, slot.msg, true);
        token?.release('failed');
      } else if (this.handleResult(slot.value as NodeResult, slot.msg, token)) {
        token?.release('delivered');
        if (this.completeWatchers.length !== 0) this.host.completed(this, slot.msg);
      } else {
        token?.release('failed');
      }
    }
    this.kick();
    if (this.inflight === 0 && extra.settledWaiters.length !== 0) {
      const waiters = extra.settledWaiters;
      extra.settledWaiters = NO_LISTENERS;
      for (const resolve of waiters) resolve();
    }
    this.host.settled();
  }

  // ---- sending ----------------------------------------------------------------------------

  /** A message leaves `port`: count it, tell 'sent' listeners, fan it out (the same object to every target). */
  sendOut(port: string, targets: readonly Target[], msg: Message, token?: DeliveryToken): void {
    if (token !== undefined) {
      this.sendTracked(port, targets, msg, token);
      return;
    }
    this.cOut++;
    if (this.host.sentListeners !== 0) this.host.emitSent(this, port, msg);
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      const node = t.node;
      if (!node.accepting) {
        node.cDropped++;
      } else if (this.held.length === 0 && node.queue.length < node.capacity) {
        node.queue.push(msg, t.port);
        node.cIn++;
        if (!node.scheduled) node.kick();
      } else {
        this.heldRing().push(msg, t);
        this.waitOn(node);
      }
    }
  }

  /** `sendOut` of a tracked message: every delivery holds the token (one small tag object each). */
  private sendTracked(port: string, targets: readonly Target[], msg: Message, token: DeliveryToken): void {
    this.cOut++;
    if (this.host.sentListeners !== 0) this.host.emitSent(this, port, msg);
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      const node = t.node;
      if (!node.accepting) {
        node.cDropped++;
        token.note('dropped');
        continue;
      }
      token.retain();
      if (this.held.length === 0 && node.queue.length < node.capacity) {
        node.queue.push(msg, { port: t.port, token } satisfies TrackedPort);
        node.cIn++;
        if (!node.scheduled) node.kick();
      } else {
        const tracked: TrackedTarget = { node, port: t.port, token };
        this.heldRing().push(msg, tracked);
        this.waitOn(node);
      }
    }
  }

  private waitOn(node: NodeInstance): void {
    if (this.waitingOn === node) return;
    this.waitingOn = node;
    if (node.waiters === NO_NODES) node.waiters = [this];
    else node.waiters.push(this);
  }

  private heldRing(): RingBuffer<Message, Target> {
    if (this.held === EMPTY_HELD) this.held = new RingBuffer<Message, Target>(Number.POSITIVE_INFINITY, 4);
    return this.held;
  }

  /** Retry held deliveries, then the outbox; called when a target made room. */
  flushHeld(): void {
    const held = this.held;
    while (held.length !== 0) {
      const target = held.peekTag()!;
      const node = target.node;
      if (!node.accepting) {
        held.shift();
        node.cDropped++;
        (target as Partial<TrackedTarget>).token?.release('dropped');
        continue;
      }
      if (node.queue.length >= node.capacity) {
        this.waitOn(node);
        return;
      }
      // A tracked held delivery is its own queue tag (it carries port and token).
      node.queue.push(held.shift()!, (target as Partial<TrackedTarget>).token === undefined ? target.port : (target as TrackedTarget));
      node.cIn++;
      node.kick();
    }
    this.waitingOn = undefined;
    // A paused source keeps its outbox until `resume`.
    if (this.paused) return;
    const outbox = this.outbox;
    while (outbox.length !== 0) {
      const tag = outbox.peekTag()!;
      const msg = outbox.shift()!;
      if (typeof tag === 'string') {
        this.forgetTopic(tag, msg, outbox.shifted - 1);
        this.sendOut(tag, this.targetsOf(tag), msg);
      } else {
        this.forgetTopic(tag.port, msg, outbox.shifted - 1);
        this.sendOut(tag.port, this.targetsOf(tag.port), msg, tag.token);
        tag.token.release('delivered');
      }
      if (held.length !== 0) return;
    }
    if (this.extra !== undefined && this.extra.drainListeners.length !== 0) this.fireDrain();
    this.kick();
  }

  /** Let blocked senders retry (this node made room, or stopped accepting so they should drop). */
  wakeWaiters(): void {
    const waiters = this.waiters;
    if (waiters.length === 0) return;
    this.waiters = NO_NODES;
    for (const w of waiters) {
      if (w.waitingOn === this) w.waitingOn = undefined;
      w.flushHeld();
    }
  }

  /** True while pressure holds this node's sends back. */
  get underPressure(): boolean {
    return this.held.length !== 0 || this.outbox.length !== 0 || this.paused;
  }

  /** Pause a source for a deploy: `emit` refuses until `resume` (see `paused`). */
  pause(): void {
    this.paused = true;
  }

  /** End a pause: flush what waits and fire `onDrain` listeners once nothing holds the node back. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.flushHeld();
  }

  /** `ctx.emit`: send now if nothing waits, else queue in the outbox under the overflow policy. */
  emit(init: MessageInit, port: string = this.firstPort, onSettled?: (outcome: DeliveryOutcome) => void): boolean {
    if (this.phase === 'closed' || this.phase === 'failed') {
      this.cDropped++;
      return false;
    }
    if (this.paused) {
      this.cRefused++;
      return false;
    }
    const targets = this.portTargets(port);
    const msg = toMsg(init);
    if (onSettled !== undefined) return this.emitTracked(msg, port, targets, onSettled);
    if (this.held.length === 0 && this.outbox.length === 0) {
      this.sendOut(port, targets, msg);
      return true;
    }
    return this.enqueueOutbox(msg, port);
  }

  /** `emit` with a settle callback: true exactly when the message was taken (then `onSettled` runs once). */
  private emitTracked(msg: Message, port: string, targets: readonly Target[], onSettled: (outcome: DeliveryOutcome) => void): boolean {
    if (this.held.length === 0 && this.outbox.length === 0) {
      const token = new DeliveryToken(onSettled, this.reportSettleError);
      this.sendOut(port, targets, msg, token);
      token.release('delivered');
      return true;
    }
    if (this.overflow === 'block' && this.outbox.isFull) {
      this.cRefused++;
      return false;
    }
    // Taken: under the drop policies a full outbox displaces another message (settled as dropped), not this one.
    this.enqueueOutbox(msg, { port, token: new DeliveryToken(onSettled, this.reportSettleError) });
    return true;
  }

  /** Where a throw of an `onSettled` callback goes: this node's error. Made at the first tracked emit (no closure per instance). */
  private get reportSettleError(): (err: unknown) => void {
    return (this.extras().reportSettleError ??= (err: unknown) => this.failAsync(err, 'onSettled callback'));
  }

  private enqueueOutbox(msg: Message, tag: QueueTag): boolean {
    if (this.outbox === EMPTY_OUTBOX) this.outbox = new RingBuffer<Message, QueueTag>(this.capacity);
    const outbox = this.outbox;
    const policy = this.overflow;
    if (policy === 'block') {
      if (outbox.isFull) {
        this.cRefused++;
        return false;
      }
      outbox.push(msg, tag);
      return true;
    }
    // Under the drop policies the new message is always taken (true): what gives way is an older
    // one, counted as dropped. A source that took `false` for "not taken" would send it again.
    const port = typeof tag === 'string' ? tag : tag.port;
    if (policy === 'keep-latest-per-topic' && typeof msg.topic === 'string') {
      const key = `${port}\u0000${msg.topic}`;
      const seq = this.extra?.latestByTopic?.get(key);
      const replaced = seq === undefined ? undefined : outbox.tagAt(seq - outbox.shifted);
      if (seq !== undefined && outbox.replaceAt(seq - outbox.shifted, msg, tag)) {
        if (replaced !== undefined && typeof replaced !== 'string') replaced.token.release('dropped');
        this.cDropped++;
        return true;
      }
      if (outbox.isFull) this.dropOldest();
      (this.extras().latestByTopic ??= new Map()).set(key, outbox.shifted + outbox.length);
      outbox.push(msg, tag);
      return true;
    }
    if (outbox.isFull) this.dropOldest();
    outbox.push(msg, tag);
    return true;
  }

  private dropOldest(): void {
    const tag = this.outbox.peekTag()!;
    const old = this.outbox.shift()!;
    if (typeof tag === 'string') this.forgetTopic(tag, old, this.outbox.shifted - 1);
    else {
      this.forgetTopic(tag.port, old, this.outbox.shifted - 1);
      tag.token.release('dropped');
    }
    this.cDropped++;
  }

  private forgetTopic(port: string, msg: Message, seq: number): void {
    const latest = this.extra?.latestByTopic;
    if (latest === undefined || typeof msg.topic !== 'string') return;
    const key = `${port}\u0000${msg.topic}`;
    if (latest.get(key) === seq) latest.delete(key);
  }

  /** `ctx.send`: from inside `onInput`, held under pressure like a returned message. */
  send(init: MessageInit, port: string = this.firstPort): void {
    if (this.phase === 'closed') {
      this.cDropped++;
      return;
    }
    const targets = this.portTargets(port);
    if (this.currentToken !== undefined || this.inBatch || this.extra === undefined || this.extra.trackedAsync === 0) {
      this.sendOut(port, targets, toMsg(init), this.currentToken);
      return;
    }
    // Outside a synchronous onInput, while tracked asynchronous calls run: the send belongs to one of them.
    const token = this.asyncSendToken();
    this.sendOut(port, targets, toMsg(init), token);
    token.release('delivered');
  }

  /**
   * The token a `ctx.send` made after an `await` holds (released by the caller after the send): the
   * tracked call's, when one runs; else a join of all of them, since the runtime cannot tell which
   * call is sending (it keeps every one of them unsettled until the sent message is).
   */
  private asyncSendToken(): DeliveryToken {
    const pending = this.extra!.pending!;
    const tokens: DeliveryToken[] = [];
    for (let i = 0; i < pending.length; i++) {
      const slot = pending.at(i)!;
      if (slot.state === 0 && slot.token !== undefined) tokens.push(slot.token);
    }
    if (tokens.length === 1) {
      tokens[0]!.retain();
      return tokens[0]!;
    }
    return DeliveryToken.join(tokens, this.reportSettleError);
  }

  /** Out of the `error` port (error routing). */
  sendErrorPort(msg: Message, direct: boolean): void {
    if (direct) this.sendOut(ERROR_PORT, this.errorTargets, msg);
    else this.spontaneous(msg, ERROR_PORT);
  }

  /** Out of the first output on behalf of the runtime (catch, status and complete watchers). */
  deliverWatched(msg: Message): void {
    if (this.phase !== 'running' && this.phase !== 'starting') return;
    this.spontaneous(msg, this.firstPort);
  }

  private spontaneous(msg: Message, port: string): void {
    if (this.held.length === 0 && this.outbox.length === 0) this.sendOut(port, this.targetsOf(port), msg);
    else this.enqueueOutbox(msg, port);
  }

  private portTargets(port: string): readonly Target[] {
    if (port === this.firstPort) return this.firstTargets;
    if (!this.declaredOutputs.has(port)) {
      throw new Error(`node "${this.id}" (${this.def.type}) has no output port "${port}"; its outputs are: ${[...this.declaredOutputs].join(', ')}`);
    }
    return this.targetsOf(port);
  }

  private fireDrain(): void {
    const extra = this.extras();
    const listeners = extra.drainListeners;
    extra.drainListeners = NO_LISTENERS;
    for (const l of listeners) this.guard(l, 'onDrain listener');
  }

  /** Run node code outside `onInput` (timers, drain listeners): a throw or rejection is this node's error. */
  private guard(fn: () => unknown, what: string): void {
    try {
      const r = fn();
      if (r != null && typeof (r as Promise<unknown>).then === 'function') {
        (r as Promise<unknown>).then(undefined, (err: unknown) => this.failAsync(err, what));
      }
    } catch (err) {
      this.failAsync(err, what);
    }
  }

  private failAsync(err: unknown, what: string): void {
    this.cErrors++;
    this.host.raise(this, err, undefined, false, 'NODE_FAILED', what);
  }

  // ---- lifecycle --------------------------------------------------------------------------

  /**
   * Run `setup`; a throw marks the node failed (red badge, input dropped) without stopping others.
   * Gives undefined on success, else the failure's message; a promise of that only when `setup`
   * returned one. A synchronous setup (most nodes) gets no promise: with a promise per node and a
   * `Promise.all` over them, starting the 5,000 nodes of a cold deploy (setups included) took
   * ~89 ms; without, ~17 ms (best of 11 each, on the same loaded 2-core machine).
   */
  start(timeoutMs: number): string | undefined | Promise<string | undefined> {
    let state: unknown;
    try {
      // Leases first: the connections start opening now, and setup can register onConnected at once.
      this.connections?.acquire();
      if (this.def.setup) state = this.def.setup(this.ctx);
    } catch (err) {
      return this.setupFailed(err);
    }
    // Only an asynchronous setup can overrun, so only it gets a timer (thousands of nodes start at once).
    if (isThenable(state)) return this.startAsyncSetup(Promise.resolve(state), timeoutMs);
    if (this.def.setup) this.state = state;
    return this.started();
  }

  private async startAsyncSetup(setup: Promise<unknown>, timeoutMs: number): Promise<string | undefined> {
    try {
      this.state = await withTimeout(setup, timeoutMs, `setup did not finish within ${timeoutMs} ms`);
    } catch (err) {
      return this.setupFailed(err);
    }
    return this.started();
  }

  private started(): undefined {
    // Closed while setting up (a quick redeploy): the close already ran; leave it closed.
    if (this.phase !== 'starting') return undefined;
    this.phase = 'running';
    this.kick();
    return undefined;
  }

  private setupFailed(err: unknown): string {
    this.phase = 'failed';
    this.accepting = false;
    this.stopTimers();
    this.connections?.release();
    this.cDropped += this.dropQueue();
    this.wakeWaiters();
    this.cErrors++;
    this.host.raise(this, err, undefined, false, 'SETUP_FAILED', 'setup failed');
    return describeThrown(err).message;
  }

  /**
   * Close: stop taking input, let in-flight async calls settle (bounded), abort the signal, clear
   * timers, then run `close` (bounded). Queued input stays in `queue` for the caller to move or count.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.phase === 'closed' || this.phase === 'closing') return;
    const wasFailed = this.phase === 'failed';
    this.phase = 'closing';
    this.accepting = false;
    this.wakeWaiters();
    if (this.inflight !== 0) {
      await withTimeout(this.whenSettled(), timeoutMs, '').catch(() => this.host.log('warn', `closing with ${this.inflight} onInput call(s) still running after ${timeoutMs} ms`, { code: 'TIMEOUT' }, this));
    }
    this.stopTimers();
    try {
      if (!wasFailed && this.def.close) await withTimeout(Promise.resolve().then(() => this.def.close!(this.ctx, this.state)), timeoutMs, `close did not finish within ${timeoutMs} ms`);
    } catch (err) {
      this.cErrors++;
      this.host.raise(this, err, undefined, false, 'NODE_FAILED', 'close failed');
    }
    // After `close`, so a node can still unsubscribe through its client there.
    this.connections?.release();
    this.phase = 'closed';
  }

  private stopTimers(): void {
    this.aborted = true;
    this.extra?.abortController?.abort();
    const timers = this.extra?.timers;
    if (timers === undefined) return;
    for (const cancel of [...timers]) cancel();
    timers.clear();
  }

  private whenSettled(): Promise<void> {
    return this.inflight === 0 ? Promise.resolve() : new Promise((resolve) => {
          const extra = this.extras();
          if (extra.settledWaiters === NO_LISTENERS) extra.settledWaiters = [resolve];
          else extra.settledWaiters.push(resolve);
        });
  }

  /** Messages this instance still holds (input queue, outbox, held deliveries). */
  get backlog(): number {
    return this.queue.length + this.outbox.length + this.held.length + this.inflight;
  }

  /** Drop everything still waiting here, counted. Returns how many. */
  dropBacklog(): number {
    dropTokens(this.queue);
    dropTokens(this.outbox);
    dropTokens(this.held);
    const n = this.queue.clear() + this.outbox.clear() + this.held.clear();
    this.extra?.latestByTopic?.clear();
    this.cDropped += n;
    return n;
  }

  /** Empty the input queue (tracked messages settle as dropped); returns how many were dropped. Counting is the caller's. */
  dropQueue(): number {
    dropTokens(this.queue);
    return this.queue.clear();
  }

  /** Take over the queued input of the instance this one replaces (up to this one's capacity). */
  adoptQueue(previous: NodeInstance): void {
    for (const [msg, tag] of previous.queue.entries()) {
      if (this.queue.push(msg, tag)) continue;
      this.cDropped++;
      if (typeof tag === 'object') tag.token.release('dropped');
    }
    previous.queue.clear();
    this.cIn = previous.cIn;
    this.cOut = previous.cOut;
    this.cErrors = previous.cErrors;
    this.cDropped += previous.cDropped;
    this.cRefused += previous.cRefused;
    this.cHandled = previous.cHandled;
    this.processingMs = previous.processingMs;
  }

  counters(): NodeCounters {
    return {
      in: this.cIn,
      out: this.cOut,
      errors: this.cErrors,
      dropped: this.cDropped,
      refused: this.cRefused,
      queueDepth: this.queue.length + this.outbox.length,
      queueCapacity: this.capacity,
      processingTimeMs: this.processingMs,
    };
  }

  // ---- what the context object (InstanceContext, below) calls -------------------------------

  /** `ctx.signal`: made on first use; an instance closed before anyone asked hands out an aborted one. */
  get signal(): AbortSignal {
    const extra = this.extras();
    if (extra.abortController === undefined) {
      extra.abortController = new AbortController();
      if (this.aborted) extra.abortController.abort();
    }
    return extra.abortController.signal;
  }

  /** `ctx.onDrain`. */
  addDrainListener(listener: () => void): void {
    // A closed node never drains; calling back would only spin a source that keeps getting false.
    if (this.phase === 'closed' || this.phase === 'closing' || this.phase === 'failed') return;
    if (this.underPressure) {
      const extra = this.extras();
      if (extra.drainListeners === NO_LISTENERS) extra.drainListeners = [listener];
      else extra.drainListeners.push(listener);
    } else {
      // No pressure now: "the pressure has gone" already holds, so resume the caller soon.
      queueMicrotask(() => this.guard(listener, 'onDrain listener'));
    }
  }

  /** `ctx.status`. */
  setStatus(status: NodeStatus | null): void {
    this.host.statusChanged(this, status);
  }

  /** `ctx.error`. */
  reportError(err: unknown, msg: Message | undefined): void {
    this.cErrors++;
    this.host.raise(this, err, msg ?? this.current, this.inBatch);
  }

  /** `ctx.debug`. */
  printDebug(value: unknown, msg: Message): void {
    this.host.debug(this, value, msg);
  }

  /** `ctx.audit`. */
  reportAudit(entry: AuditReport): void {
    this.host.audit?.(this, entry);
  }

  /** `ctx.log.*`. */
  writeLog(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown> | undefined): void {
    this.host.log(level, message, fields, this);
  }

  /** `ctx.setTimeout` / `ctx.setInterval`: a timer the instance clears when it closes. */
  addTimer(start: (fn: () => void) => ReturnType<typeof setTimeout>, clear: (t: ReturnType<typeof setTimeout>) => void, fn: () => void, once: boolean): () => void {
    if (this.aborted) return () => {};
    let handle: ReturnType<typeof setTimeout> | undefined;
    const cancel = () => {
      if (handle !== undefined) clear(handle);
      handle = undefined;
      this.extra?.timers?.delete(cancel);
    };
    handle = start(() => {
      if (once) cancel();
      this.guard(fn, 'timer callback');
    });
    (this.extras().timers ??= new Set()).add(cancel);
    return cancel;
  }

  /** `ctx.connection`. */
  connectionHandle<Client>(id: string): ConnectionHandle<Client> {
    if (!this.connections) {
      throw new Error(`node "${this.id}" (${this.def.type}) asked for connection "${id}", but its config references no connection; name connections in connectionRef() config fields`);
    }
    return this.connections.handle(id) as ConnectionHandle<Client>;
  }
}

/**
 * The bound methods of one {@link InstanceContext}, made as node code reads them. One object per
 * context that is read at all, instead of ten fields on every context: the context of each of the
 * 5,000 nodes of a cold deploy was 160 bytes (now 96), most of them for methods no node of the flow reads.
 */
class BoundMethods {
  emit: NodeContext<unknown>['emit'] | undefined = undefined;
  send: NodeContext<unknown>['send'] | undefined = undefined;
  onDrain: NodeContext<unknown>['onDrain'] | undefined = undefined;
  status: NodeContext<unknown>['status'] | undefined = undefined;
  error: NodeContext<unknown>['error'] | undefined = undefined;
  debug: NodeContext<unknown>['debug'] | undefined = undefined;
  log: NodeContext<unknown>['log'] | undefined = undefined;
  setTimeout: NodeContext<unknown>['setTimeout'] | undefined = undefined;
  setInterval: NodeContext<unknown>['setInterval'] | undefined = undefined;
  connection: NodeContext<unknown>['connection'] | undefined = undefined;
  audit: NodeContext<unknown>['audit'] | undefined = undefined;
}

/**
 * The `NodeContext` of one instance. Each method is made, bound to the instance, the first time
 * node code reads it, and then stays the same function: it can be passed around detached
 * (`socket.on('data', ctx.emit)`), while the thousands of nodes of a large deploy, which never
 * read most of them, do not each carry a dozen closures (an object literal with getters was also
 * a slow, dictionary-mode object).
 */
class InstanceContext implements NodeContext<unknown> {
  readonly id: string;
  readonly type: string;
  readonly tab: string | undefined;
  readonly config: unknown;
  readonly context: NodeScopesOf;
  readonly env: (name: string) => string | undefined;
  // JS-private: node code must not reach the instance (or the runtime) through its context.
  readonly #node: NodeInstance;
  #bound: BoundMethods | undefined = undefined;

  constructor(node: NodeInstance, context: NodeScopesOf, env: (name: string) => string | undefined) {
    this.#node = node;
    this.id = node.id;
    this.type = node.def.type;
    this.tab = node.tab;
    this.config = node.config;
    this.context = context;
    this.env = env;
  }

  get #methods(): BoundMethods {
    return (this.#bound ??= new BoundMethods());
  }

  get name(): string | undefined {
    return this.#node.name;
  }

  get signal(): AbortSignal {
    return this.#node.signal;
  }

  get emit(): NodeContext<unknown>['emit'] {
    const node = this.#node;
    return (this.#methods.emit ??= (msg, port, onSettled) => node.emit(msg, port, onSettled));
  }

  get send(): NodeContext<unknown>['send'] {
    const node = this.#node;
    return (this.#methods.send ??= (msg, port) => node.send(msg, port));
  }

  get onDrain(): NodeContext<unknown>['onDrain'] {
    const node = this.#node;
    return (this.#methods.onDrain ??= (listener) => node.addDrainListener(listener));
  }

  get status(): NodeContext<unknown>['status'] {
    const node = this.#node;
    return (this.#methods.status ??= (status) => node.setStatus(status));
  }

  get error(): NodeContext<unknown>['error'] {
    const node = this.#node;
    return (this.#methods.error ??= (err, msg) => node.reportError(err, msg));
  }

  get debug(): NodeContext<unknown>['debug'] {
    const node = this.#node;
    return (this.#methods.debug ??= (value, msg) => node.printDebug(value, msg));
  }

  get log(): NodeContext<unknown>['log'] {
    const node = this.#node;
    return (this.#methods.log ??= {
      debug: (message, fields) => node.writeLog('debug', message, fields),
      info: (message, fields) => node.writeLog('info', message, fields),
      warn: (message, fields) => node.writeLog('warn', message, fields),
      error: (message, fields) => node.writeLog('error', message, fields),
    });
  }

  get setTimeout(): NodeContext<unknown>['setTimeout'] {
    const node = this.#node;
    return (this.#methods.setTimeout ??= (fn, ms) => node.addTimer((cb) => setTimeout(cb, ms), clearTimeout, fn, true));
  }

  get setInterval(): NodeContext<unknown>['setInterval'] {
    const node = this.#node;
    return (this.#methods.setInterval ??= (fn, ms) => node.addTimer((cb) => setInterval(cb, ms), clearInterval, fn, false));
  }

  get connection(): NodeContext<unknown>['connection'] {
    const node = this.#node;
    return (this.#methods.connection ??= <Client>(id: string) => node.connectionHandle<Client>(id));
  }

  get audit(): NodeContext<unknown>['audit'] {
    const node = this.#node;
    return (this.#methods.audit ??= (entry) => node.reportAudit(entry));
  }
}

/** The rarely needed parts of a {@link NodeInstance}, made at the first use (see `extra`). */
class NodeExtras {
  /** Async `onInput` calls in input order; made at the first one (most nodes are synchronous). */
  pending: RingBuffer<AsyncSlot> | undefined = undefined;
  settleScheduled = false;
  /** Made on first use: most nodes never wait on a promise. */
  settleNow: (() => void) | undefined = undefined;
  settledWaiters: Array<() => void> = NO_LISTENERS;
  drainListeners: Array<() => void> = NO_LISTENERS;
  /** Made when node code first reads `ctx.signal` (most never do; a controller per node is costly). */
  abortController: AbortController | undefined = undefined;
  /** Cancels of the running `ctx.setTimeout`/`setInterval` timers; made at the first one. */
  timers: Set<() => void> | undefined = undefined;
  latestByTopic: Map<string, number> | undefined = undefined;
  /** Asynchronous `onInput` calls in flight whose message is tracked (for `ctx.send` after an await). */
  trackedAsync = 0;
  reportSettleError: ((err: unknown) => void) | undefined = undefined;
}

const toMsg = toMessage;

interface Ports {
  readonly firstPort: string;
  readonly declaredOutputs: ReadonlySet<string>;
  readonly defaultInput: string;
  readonly inputCount: number;
}

const portsByType = new WeakMap<AnyNodeType, Ports>();

/** What an instance needs of its type's ports, worked out once per type rather than per node. */
function portsOf(def: AnyNodeType): Ports {
  let ports = portsByType.get(def);
  if (ports === undefined) {
    const outputs = Object.keys(def.outputs);
    const inputs = Object.keys(def.inputs);
    const firstPort = outputs[0] ?? 'out';
    ports = {
      firstPort,
      declaredOutputs: new Set([...outputs, firstPort, ERROR_PORT]),
      defaultInput: inputs[0] ?? 'in',
      inputCount: inputs.length,
    };
    portsByType.set(def, ports);
  }
  return ports;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value} (${String(value)})`;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  if (!Number.isFinite(ms)) return promise;
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new NodeError('TIMEOUT', message)), ms);
    promise.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
