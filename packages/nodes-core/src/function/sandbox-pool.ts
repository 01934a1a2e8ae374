import { Worker } from 'node:worker_threads';
import { NodeError, type ContextStore, type NodeStatus } from '@plantwire/node-sdk';
import { compileBuilder, isFlattenable, keysOfShape, shapeOf, type ShapeBuilder, type ShapeMemo } from './flat-messages.js';
import { RUNNER_SOURCE, WORKER_SOURCE } from './sandbox-sources.js';

/** The three context scopes a function node's code can reach. */
export type StoreKind = 'node' | 'flow' | 'global';
const KINDS: readonly StoreKind[] = ['node', 'flow', 'global'];

/** What the sandbox needs to run one function node's code. */
export interface SandboxSpec {
  readonly nodeId: string;
  readonly nodeName?: string | undefined;
  /** The per-message body, compiled as `function (msg) { <code> }`. */
  readonly code: string;
  /** The "On Start" body, run once when the node opens; empty for none. */
  readonly setup: string;
  readonly outputs: number;
  /**
   * Time one message's run (or the setup code) may take, its async part included. A run that is
   * on the CPU this long stops the worker; one that waits this long is ended in the worker.
   */
  readonly timeoutMs: number;
  readonly capabilities: { readonly console: boolean; readonly env: boolean; readonly network: boolean; readonly filesystem: boolean };
  /** With `network`: hosts `fetch` may reach (`name`, `name:port`, `*.domain`); empty for any. */
  readonly allowedHosts: readonly string[];
  /** With `filesystem`: the absolute path of the one directory `fs` may use; '' for none. */
  readonly directory: string;
  /**
   * The code names promises or async APIs, so the sandbox drains promise reactions after every
   * run of it; other code only goes async when it returns a promise or starts a timer or request.
   */
  readonly asyncHints: boolean;
  /** Environment values the code may read with `env.get`; `undefined` for unset names. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Context stores the code names. Only these are mirrored into the sandbox and kept in sync. */
  readonly stores: Partial<Record<StoreKind, ContextStore>>;
}

/** Limits of the worker a node runs in; nodes with equal limits share one worker. */
export interface SandboxLimits {
  /** Old-generation heap of the worker (shared by every node in it). */
  readonly memoryLimitMb: number;
  /** Nodes of different groups (tabs) never share a worker, so a hang in one stalls no other. */
  readonly group: string;
}

/** A plain message as it comes back from the sandbox. */
export type SandboxMessage = Record<string, unknown>;

/** Side effects of one run of user code, in call order per kind; `null` when there were none. */
export interface SandboxEffects {
  readonly logs: ReadonlyArray<readonly ['info' | 'warn' | 'error' | 'debug', string]> | null;
  readonly statuses: ReadonlyArray<NodeStatus | null> | null;
  /** Context writes; already applied to the node's stores by the time a record is delivered. */
  readonly writes: ReadonlyArray<readonly [StoreKind, string, unknown, boolean]> | null;
  /** `node.error(text, msg?)` calls. */
  readonly errors: ReadonlyArray<readonly [string, SandboxMessage | null]> | null;
  /** `node.send(...)` calls, flattened to `[output index, message]`. */
  readonly sends: ReadonlyArray<readonly [number, SandboxMessage]> | null;
}

/** Why user code failed, with the position in the user's code when known (0 when not). */
export interface SandboxFailure {
  readonly code: 'FUNCTION_FAILED' | 'FUNCTION_RESULT_INVALID' | 'FUNCTION_TIMEOUT';
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/**
 * The outcome of one run: nothing, one message for the first output, one entry per output
 * (null or a list of messages), or a failure. Timeouts and crashes reject instead.
 */
export type SandboxRecord =
  | readonly [0, null, SandboxEffects | null]
  | readonly [1, SandboxMessage, SandboxEffects | null]
  | readonly [2, ReadonlyArray<readonly SandboxMessage[] | null>, SandboxEffects | null]
  | readonly [3, SandboxFailure, SandboxEffects | null];

/** One function node's handle on the shared sandbox. */
export interface SandboxInstance {
  /** What the setup code did (status 0, or 3 with the failure). */
  readonly setupRecord: SandboxRecord;
  /**
   * Run the code on a message. Calls are batched with other nodes' calls and answered in call order.
   * Rejects with a NodeError (FUNCTION_TIMEOUT, FUNCTION_FAILED) when the worker had to be stopped.
   * `map`, when given, turns the record into the promised value as the answer arrives (one
   * promise per message instead of two on the hot path); it gets the message it answers, so one
   * function made at setup serves every message. A throw from it rejects.
   */
  run(msg: unknown): Promise<SandboxRecord>;
  run<T, M = unknown>(msg: M, map: (record: SandboxRecord, msg: M) => T): Promise<T>;
  /** Forget the node; the last node to close a worker stops it. */
  close(): void;
}

/** Counters for tests and diagnostics. */
export interface SandboxStats {
  /** Workers running now. */
  readonly workers: number;
  /** Workers started since the process began, respawns included. */
  readonly started: number;
  /** Nodes registered now. */
  readonly nodes: number;
  /** Batches (postMessages carrying messages to a worker) since the process began. */
  readonly batches: number;
}

/** Marks a key whose copy in the worker differs from the store in an unknown way. */
const STALE = Symbol('stale');

/** Watchdog key for "the worker is between jobs". */
const IDLE_KEY = -2;
/**
 * How long a worker with work waiting may show no progress between jobs before it is presumed hung
 * (never by user code in a job: that is the per-message limit). Generous: a worker busy starting
 * up, building a node's sandbox or copying a large context is not hung.
 */
const IDLE_HANG_MIN_MS = 5000;

/** Jobs per postMessage; more are split into several batches sent back to back. */
const MAX_BATCH = 512;

/** Workers by group and memory limit. */
const hosts = new Map<string, SandboxHost>();
let workersStarted = 0;
let batchesSent = 0;

/**
 * Open a function node's sandbox: register the node with the shared worker for its limits, and
 * run its setup code (On Start), which starts the worker if needed and compiles the node's code
 * there. A node without setup code starts no worker yet: its first message does. Rejects with a
 * NodeError when the setup code timed out or crashed the worker; a setup that threw resolves with
 * status 3 in `setupRecord` so the caller can apply its effects first.
 */
export async function openSandbox(spec: SandboxSpec, limits: SandboxLimits): Promise<SandboxInstance> {
  const key = `${limits.group}\u0000${limits.memoryLimitMb}`;
  let host = hosts.get(key);
  if (!host) {
    host = new SandboxHost(limits.memoryLimitMb, () => hosts.delete(key));
    hosts.set(key, host);
  }
  const h = host;
  const inst = h.register(spec);
  const handle = (setupRecord: SandboxRecord): SandboxInstance => ({
    setupRecord,
    run: <T>(msg: unknown, map?: (record: SandboxRecord, msg: never) => T) => h.submit(inst, 0, msg, map as ((record: SandboxRecord, msg: unknown) => T) | undefined),
    close: () => h.close(inst),
  });
  // Without On Start code there is nothing to run before the first message, so the worker (a
  // thread with its own V8 heap, ~40 ms to start) is started by that message, not at deploy.
  // The code itself compiled when the config was validated; were it to fail in the worker, every
  // message would fail with that compile error.
  if (spec.setup === '') return handle(NOTHING_SET_UP);
  try {
    return handle(await h.submit(inst, 1, undefined));
  } catch (err) {
    h.close(inst);
    throw err;
  }
}

/** The setup record of a node without On Start code. */
const NOTHING_SET_UP: SandboxRecord = Object.freeze([0, null, null] as const);

/** Live counters of the sandbox pool. */
export function sandboxStats(): SandboxStats {
  let workers = 0;
  let nodes = 0;
  for (const h of hosts.values()) {
    if (h.running) workers++;
    nodes += h.size;
  }
  return { workers, started: workersStarted, nodes, batches: batchesSent };
}

interface StoreState {
  readonly id: number;
  readonly store: ContextStore;
  /** What the worker was last sent (or wrote) per key, compared by identity to find changes. */
  readonly shipped: Map<string, unknown>;
  users: number;
}

interface Instance {
  readonly id: number;
  readonly spec: SandboxSpec;
  readonly stores: Partial<Record<StoreKind, StoreState>>;
  readonly storeList: readonly StoreState[];
  /** Why the worker does not have this node, when registering it failed. */
  broken?: string;
  /** The shape of the message this node sent last (flat-messages.ts). */
  readonly shapes: ShapeMemo;
}

interface Job {
  readonly inst: Instance;
  /** 0: run the code on `msg`; 1: run the setup code. */
  readonly kind: 0 | 1;
  readonly msg: unknown;
  readonly map: ((record: SandboxRecord, msg: unknown) => unknown) | undefined;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** A batch's answer, flattened (see WORKER_SOURCE): per job a status and its value by shape. */
interface BatchReply {
  readonly t: 'done';
  readonly seq: number;
  readonly statuses: ReadonlyArray<SandboxRecord[0] | typeof WAITING>;
  readonly shapes: readonly number[];
  readonly values: readonly unknown[];
  readonly defs: ReadonlyArray<readonly [number, readonly string[]]>;
  /** `[job index, effects, …]` for the jobs that had any; null when none did. */
  readonly effects: readonly unknown[] | null;
}

/** The end of a run that went async: job `index` of batch `seq`; `late` numbers these replies. */
interface LateReply {
  readonly t: 'late';
  readonly seq: number;
  readonly index: number;
  readonly late: number;
  readonly rec: SandboxRecord;
}

type WorkerReply = BatchReply | LateReply;

/** Status of a job whose run went async: its record comes later in a LateReply. */
const WAITING = 4 as const;

/** A reply shape: how wide it is and how to build its object. */
interface ReplyShape {
  readonly width: number;
  readonly build: ShapeBuilder;
}

/** Builders by the shape's keys, kept across workers (a respawned worker numbers its shapes anew). */
const builders = new Map<string, ShapeBuilder>();

function replyShape(keys: readonly string[]): ReplyShape {
  const text = JSON.stringify(keys);
  let build = builders.get(text);
  if (build === undefined) {
    build = compileBuilder(keys);
    if (builders.size < 4096) builders.set(text, build);
  }
  return { width: keys.length, build };
}

/** Where the shared Promise executor of {@link SandboxHost.submit} leaves a new promise's functions. */
const captured: { resolve: ((value: never) => void) | undefined; reject: ((err: unknown) => void) | undefined } = { resolve: undefined, reject: undefined };
const capture = (resolve: (value: never) => void, reject: (err: unknown) => void): void => {
  captured.resolve = resolve;
  captured.reject = reject;
};

let nextInstanceId = 1;
let nextStoreId = 1;

/**
 * One worker and the nodes that share it. Messages of all its nodes are queued, sent in one
 * postMessage per turn of the event loop, run in order, and answered in one postMessage.
 *
 * Context consistency: the worker keeps a copy of each store the code names. User code reads that
 * copy and writes to it synchronously; writes travel back with the results and are applied to the
 * runtime's store, in message order, before the message leaves the node. Each batch carries the
 * changes other nodes made since the previous batch (compared by identity), so a function node
 * sees other nodes' writes from its next batch on, and its own writes at once. A change that
 * arrives for a key the worker wrote in a batch whose results are still on their way is ignored:
 * the worker's write is newer and is about to land in the store.
 *
 * Async runs: a job whose run went async is answered "waiting" in its batch's reply and kept in
 * `waiting` until the worker's late reply for it; its writes are applied then, and late replies
 * are numbered like batches for the rule above. The worker ends a run that waits past its time
 * limit itself; the watchdog here still stops a continuation that stays on the CPU too long.
 */
class SandboxHost {
  private worker: Worker | undefined;
  /**
   * [batch seq, job index, running flag, slice], written by the worker before each job and each
   * async continuation; flag 1 is a job of a batch, 2 the continuation of a waiting run (slice
   * numbers continuations).
   */
  private readonly progress = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
  private readonly instances = new Map<number, Instance>();
  private readonly stores = new Map<ContextStore, StoreState>();
  private readonly storesInWorker = new Set<StoreState>();
  /** Shapes of outgoing messages the current worker knows (flat-messages.ts). */
  private readonly shapesInWorker = new Set<number>();
  /** Shapes of the current worker's replies, by its ids. */
  private readonly replyShapes = new Map<number, ReplyShape>();
  private queue: Job[] = [];
  /** Batches sent and not answered, in send order. */
  private readonly batches = new Map<number, Job[]>();
  /** Jobs whose run went async, by `seq * MAX_BATCH + index`. */
  private readonly waiting = new Map<number, Job>();
  private nextSeq = 1;
  private lastAppliedSeq = 0;
  private lastAppliedLate = 0;
  private flushScheduled = false;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private watchKey = -1;
  private watchSince = 0;
  private failuresInARow = 0;
  private readonly flushNow = () => this.flush();

  constructor(
    private readonly memoryLimitMb: number,
    private readonly onEmpty: () => void,
  ) {}

  get running(): boolean {
    return this.worker !== undefined;
  }

  get size(): number {
    return this.instances.size;
  }

  register(spec: SandboxSpec): Instance {
    const stores: Partial<Record<StoreKind, StoreState>> = {};
    for (const kind of KINDS) {
      const store = spec.stores[kind];
      if (!store) continue;
      let state = this.stores.get(store);
      if (!state) {
        state = { id: nextStoreId++, store, shipped: new Map(), users: 0 };
        this.stores.set(store, state);
      }
      state.users++;
      stores[kind] = state;
    }
    const inst: Instance = { id: nextInstanceId++, spec, stores, storeList: [...new Set(Object.values(stores))], shapes: { keys: undefined, id: -1 } };
    this.instances.set(inst.id, inst);
    if (this.worker) this.postAdd(this.worker, inst);
    return inst;
  }

  submit<T = SandboxRecord>(inst: Instance, kind: 0 | 1, msg: unknown, map?: (record: SandboxRecord, msg: unknown) => T): Promise<T> {
    // One shared executor instead of a closure per message (this runs for every message).
    const promise = new Promise<T>(capture);
    const resolve = captured.resolve!;
    const reject = captured.reject!;
    captured.resolve = captured.reject = undefined;
    if (!this.instances.has(inst.id)) {
      reject(new NodeError('FUNCTION_FAILED', 'the function node is closed'));
      return promise;
    }
    this.queue.push({ inst, kind, msg, map, resolve, reject });
    if (this.queue.length >= MAX_BATCH) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      // A microtask: the runtime runs every ready node of a turn synchronously (its scheduler
      // never yields between them), so the messages of all of them are queued by the time it
      // runs, and they ride in one postMessage that leaves at the end of the turn rather than a
      // turn of the event loop later (each function node on a message's path paid that wait).
      queueMicrotask(this.flushNow);
    }
    return promise;
  }

  close(inst: Instance): void {
    if (!this.instances.delete(inst.id)) return;
    for (const state of inst.storeList) {
      if (--state.users === 0) {
        this.stores.delete(state.store);
        this.storesInWorker.delete(state);
      }
    }
    const mine = this.queue.filter((j) => j.inst === inst);
    if (mine.length > 0) {
      this.queue = this.queue.filter((j) => j.inst !== inst);
      for (const job of mine) job.reject(new NodeError('FUNCTION_FAILED', 'the function node was closed before the message ran'));
    }
    for (const [key, job] of this.waiting) {
      if (job.inst !== inst) continue;
      this.waiting.delete(key);
      job.reject(new NodeError('FUNCTION_FAILED', "the function node was closed before the message's run ended"));
    }
    this.worker?.postMessage({ t: 'remove', id: inst.id });
    if (this.instances.size === 0) this.shutdown();
  }

  private shutdown(): void {
    const w = this.worker;
    this.worker = undefined;
    this.stopWatchdog();
    const pending = [...this.batches.values()].flat().concat(this.queue, [...this.waiting.values()]);
    this.batches.clear();
    this.waiting.clear();
    this.queue = [];
    this.storesInWorker.clear();
    for (const job of pending) job.reject(new NodeError('FUNCTION_FAILED', 'the function node was closed before the message ran'));
    if (w) void w.terminate().catch(() => undefined);
    this.onEmpty();
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0) return;
    if (!this.worker) this.spawn();
    const w = this.worker;
    if (!w) return;
    let jobs = this.queue;
    this.queue = [];
    if (jobs.some((j) => j.inst.broken !== undefined)) {
      jobs = jobs.filter((job) => {
        if (job.inst.broken === undefined) return true;
        job.reject(new NodeError('FUNCTION_FAILED', job.inst.broken));
        return false;
      });
    }
    let deltas: unknown[][];
    try {
      deltas = this.collectDeltas(jobs);
    } catch (err) {
      // A context store that throws on keys()/get() must not take the runtime down with it.
      for (const job of jobs) job.reject(new NodeError('FUNCTION_FAILED', `the node's context could not be read: ${messageOf(err)}`, { cause: err }));
      return;
    }
    for (let start = 0; start < jobs.length; start += MAX_BATCH) {
      this.sendBatch(w, jobs.length <= MAX_BATCH ? jobs : jobs.slice(start, start + MAX_BATCH), start === 0 ? deltas : []);
    }
  }

  private sendBatch(w: Worker, jobs: Job[], deltas: unknown[][]): void {
    const seq = this.nextSeq++;
    let defs: Array<readonly [number, readonly string[]]> = [];
    // Messages go flattened (flat-messages.ts); a getter that throws while being read here fails
    // like a value structured clone cannot copy, in the catch below.
    const build = () => {
      const n = jobs.length;
      const insts = new Array<number>(n);
      const kinds = new Array<number>(n);
      const shapes = new Array<number>(n);
      const values: unknown[] = [];
      defs = [];
      for (let i = 0; i < n; i++) {
        const job = jobs[i]!;
        const msg = job.msg;
        insts[i] = job.inst.id;
        kinds[i] = job.kind;
        let shape = -1;
        if (job.kind === 0 && isFlattenable(msg)) {
          const keys = Object.keys(msg);
          shape = shapeOf(keys, job.inst.shapes);
          if (shape >= 0) {
            if (!this.shapesInWorker.has(shape) && !defs.some((d) => d[0] === shape)) defs.push([shape, keysOfShape(shape)]);
            for (let j = 0; j < keys.length; j++) values.push(msg[keys[j]!]);
          }
        }
        shapes[i] = shape;
        if (shape < 0) values.push(msg);
      }
      return { t: 'batch', seq, basedOn: this.lastAppliedSeq, basedOnLate: this.lastAppliedLate, deltas, insts, kinds, shapes, values, defs };
    };
    try {
      w.postMessage(build());
    } catch {
      // Something is not plain data (a function in a message or in a context value). Find it,
      // answer for it, and send the rest.
      for (const d of deltas) {
        const reason = uncloneable(d[2]);
        if (reason !== undefined) d.splice(2, 2, reason, 2);
      }
      jobs = jobs.filter((job) => {
        const reason = uncloneable(job.msg);
        if (reason === undefined) return true;
        job.reject(new NodeError('FUNCTION_FAILED', `the message cannot be handed to user code: ${reason}`));
        return false;
      });
      if (jobs.length === 0) return;
      try {
        w.postMessage(build());
      } catch (err) {
        for (const job of jobs) job.reject(new NodeError('FUNCTION_FAILED', `the message could not be sent to the sandbox: ${messageOf(err)}`, { cause: err }));
        return;
      }
    }
    for (const [shape] of defs) this.shapesInWorker.add(shape);
    batchesSent++;
    if (this.batches.size === 0 && this.waiting.size === 0) {
      w.ref();
      this.startWatchdog();
    }
    this.batches.set(seq, jobs);
  }

  private collectDeltas(jobs: readonly Job[]): unknown[][] {
    const deltas: unknown[][] = [];
    let last: Instance | undefined;
    let seen: Set<StoreState> | undefined;
    for (const job of jobs) {
      if (job.inst === last || job.inst.storeList.length === 0) continue;
      last = job.inst;
      for (const state of job.inst.storeList) {
        seen ??= new Set();
        if (seen.has(state) || !this.storesInWorker.has(state)) continue;
        seen.add(state);
        diffStore(state, deltas);
      }
    }
    return deltas;
  }

  private onReply(w: Worker, reply: WorkerReply): void {
    if (w !== this.worker) return;
    if (reply.t === 'late') {
      this.onLate(w, reply);
      return;
    }
    const jobs = this.batches.get(reply.seq);
    if (!jobs) return;
    this.batches.delete(reply.seq);
    this.lastAppliedSeq = reply.seq;
    this.failuresInARow = 0;
    for (const [id, keys] of reply.defs) this.replyShapes.set(id, replyShape(keys));
    const { statuses, shapes, values } = reply;
    const effects = reply.effects;
    let p = 0;
    let e = 0;
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i]!;
      const shape = shapes[i]!;
      let value: unknown;
      if (shape >= 0) {
        const s = this.replyShapes.get(shape)!;
        value = s.build(values, p);
        p += s.width;
      } else {
        value = values[p++];
      }
      let fx: SandboxEffects | null = null;
      if (effects !== null && effects[e] === i) {
        fx = effects[e + 1] as SandboxEffects;
        e += 2;
      }
      if (statuses[i] === WAITING) this.waiting.set(reply.seq * MAX_BATCH + i, job);
      else answer(job, [statuses[i], value, fx] as SandboxRecord);
    }
    this.idleIfDone(w);
  }

  private onLate(w: Worker, reply: LateReply): void {
    const key = reply.seq * MAX_BATCH + reply.index;
    const job = this.waiting.get(key);
    this.lastAppliedLate = reply.late;
    if (!job) return;
    this.waiting.delete(key);
    answer(job, reply.rec);
    this.idleIfDone(w);
  }

  private idleIfDone(w: Worker): void {
    if (this.batches.size === 0 && this.waiting.size === 0) {
      w.unref();
      this.stopWatchdog();
    }
  }

  private spawn(): void {
    let w: Worker;
    try {
      w = new Worker(WORKER_SOURCE, {
        eval: true,
        name: 'plantwire function sandbox',
        workerData: { progress: this.progress.buffer, runnerSource: RUNNER_SOURCE },
        resourceLimits: { maxOldGenerationSizeMb: this.memoryLimitMb },
        // Nothing of the parent's environment or flags: the worker is only a host for vm contexts.
        // The one flag lets a sandbox's import() reject with the sandbox's own error (see
        // WORKER_SOURCE); without it, Node rejects with an error of the worker's realm.
        env: {},
        argv: [],
        execArgv: ['--experimental-vm-modules'],
      });
    } catch (err) {
      this.failAll(`the function sandbox could not be started: ${messageOf(err)}`);
      return;
    }
    workersStarted++;
    this.worker = w;
    // A new worker knows no shapes, and numbers its own from 0 again.
    this.shapesInWorker.clear();
    this.replyShapes.clear();
    Atomics.store(this.progress, 2, 0);
    this.lastAppliedLate = 0;
    w.on('message', (m: WorkerReply) => this.onReply(w, m));
    w.on('error', (err) => this.onDeath(w, undefined, err));
    w.on('exit', (code) => this.onDeath(w, undefined, new Error(`the sandbox worker exited with code ${code}`)));
    w.unref();
    for (const inst of this.instances.values()) this.postAdd(w, inst);
  }

  private postAdd(w: Worker, inst: Instance): void {
    inst.broken = undefined;
    const snapshots: Array<[number, unknown[][]]> = [];
    for (const state of inst.storeList) {
      if (this.storesInWorker.has(state)) continue;
      this.storesInWorker.add(state);
      state.shipped.clear();
      const entries: unknown[][] = [];
      for (const key of state.store.keys()) {
        const value = state.store.get(key);
        state.shipped.set(key, value);
        entries.push([key, value, 0]);
      }
      snapshots.push([state.id, entries]);
    }
    const { spec } = inst;
    const storeIds = Object.fromEntries(KINDS.map((k) => [k, inst.stores[k]?.id ?? 0]));
    const message = {
      t: 'add',
      inst: inst.id,
      snapshots,
      spec: {
        code: spec.code,
        setup: spec.setup,
        storeIds,
        timeoutMs: spec.timeoutMs,
        allowedHosts: spec.capabilities.network ? spec.allowedHosts : [],
        directory: spec.capabilities.filesystem ? spec.directory : '',
        vm: {
          nodeId: spec.nodeId,
          nodeName: spec.nodeName ?? null,
          outputs: spec.outputs,
          asyncHints: spec.asyncHints,
          capabilities: spec.capabilities,
          env: Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, v ?? null])),
          stores: { node: !!inst.stores.node, flow: !!inst.stores.flow, global: !!inst.stores.global },
        },
      },
    };
    try {
      w.postMessage(message);
    } catch {
      for (const [, entries] of snapshots) {
        for (const e of entries) {
          const reason = uncloneable(e[1]);
          if (reason !== undefined) e.splice(1, 2, reason, 2);
        }
      }
      try {
        w.postMessage(message);
      } catch (err) {
        // Not expected (what is left is plain data), but never thrown at the runtime: the node's
        // messages fail with this reason instead.
        inst.broken = `the node could not be set up in the sandbox: ${messageOf(err)}`;
      }
    }
  }

  private startWatchdog(): void {
    if (this.watchdog) return;
    this.watchSince = performance.now();
    let minTimeout = Infinity;
    for (const inst of this.instances.values()) minTimeout = Math.min(minTimeout, inst.spec.timeoutMs);
    const tick = Math.max(2, Math.min(100, Math.floor(minTimeout / 10)));
    this.watchKey = -1;
    this.watchdog = setInterval(() => this.checkWatchdog(), tick);
  }

  private idleLimitMs(): number {
    let max = 0;
    for (const inst of this.instances.values()) max = Math.max(max, inst.spec.timeoutMs);
    return Math.max(IDLE_HANG_MIN_MS, 2 * max);
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.watchKey = -1;
  }

  /** The job on the worker's CPU now, if any: a job of a batch, or a waiting run's continuation. */
  private runningJob(): Job | undefined {
    const flag = Atomics.load(this.progress, 2);
    if (flag === 0) return undefined;
    const seq = Atomics.load(this.progress, 0);
    const index = Atomics.load(this.progress, 1);
    // A continuation can start before the main thread has read the reply that made it wait.
    return (flag === 2 ? this.waiting.get(seq * MAX_BATCH + index) : undefined) ?? this.batches.get(seq)?.[index];
  }

  /**
   * Runs in the main thread while batches are out or runs wait: stops the worker when one job (or
   * one continuation of a waiting run) has been on the CPU too long, or when the worker has made
   * no progress at all for much longer than any time limit while a batch waits for it (something
   * outside a job hung it; nobody is blamed). A worker with only waiting runs is idle, not hung.
   */
  private checkWatchdog(): void {
    const w = this.worker;
    if (!w) return;
    const flag = Atomics.load(this.progress, 2);
    const running = flag !== 0;
    // A batch's job is known by its seq and index; a continuation by its slice number.
    const key = flag === 1 ? Atomics.load(this.progress, 0) * MAX_BATCH + Atomics.load(this.progress, 1) : flag === 2 ? -3 - Atomics.load(this.progress, 3) : IDLE_KEY;
    const now = performance.now();
    if (key !== this.watchKey) {
      this.watchKey = key;
      this.watchSince = now;
      return;
    }
    if (!running) {
      if (this.batches.size > 0 && now - this.watchSince >= this.idleLimitMs()) {
        this.onDeath(w, undefined, new Error(`the sandbox worker made no progress for ${Math.round(now - this.watchSince)} ms`));
        void w.terminate().catch(() => undefined);
      }
      return;
    }
    const job = this.runningJob();
    if (!job || now - this.watchSince < job.inst.spec.timeoutMs) return;
    const { timeoutMs } = job.inst.spec;
    this.onDeath(w, job, new NodeError('FUNCTION_TIMEOUT', `user code ran longer than ${timeoutMs} ms on this message and was stopped`, { details: { timeoutMs } }));
    void w.terminate().catch(() => undefined);
  }

  /**
   * The worker is gone (stopped by the watchdog, out of memory, crashed). The job that was on the
   * CPU fails; every other job sent to it, finished or not, runs again in a new worker: their
   * results and effects had not been applied, so nothing happens twice. Except a waiting run of a
   * node with the network or filesystem capability: it may have reached outside already, so it
   * fails rather than doing that again.
   */
  private onDeath(w: Worker, culprit: Job | undefined, err: unknown): void {
    if (w !== this.worker) return;
    this.worker = undefined;
    this.stopWatchdog();
    culprit ??= this.runningJob();
    Atomics.store(this.progress, 2, 0);
    const pending = [...this.batches.values()].flat();
    for (const job of this.waiting.values()) {
      if (job === culprit) continue;
      const { network, filesystem } = job.inst.spec.capabilities;
      if (!network && !filesystem) pending.push(job);
      else job.reject(new NodeError('FUNCTION_FAILED', `the function sandbox was restarted while this message's run was waiting (${messageOf(err)}); it is not run again because the node may have used the network or file system`));
    }
    this.batches.clear();
    this.waiting.clear();
    this.storesInWorker.clear();
    if (culprit) {
      const at = pending.indexOf(culprit);
      if (at >= 0) pending.splice(at, 1);
      culprit.reject(err instanceof NodeError ? err : this.crashError(err, culprit));
      this.failuresInARow = 0;
    } else {
      this.failuresInARow++;
    }
    this.queue = pending.concat(this.queue);
    if (this.failuresInARow >= 3) {
      this.failuresInARow = 0;
      this.failAll(`the function sandbox failed ${3} times in a row: ${messageOf(err)}`);
    }
    if (this.queue.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushNow);
    }
  }

  private crashError(err: unknown, culprit: Job): NodeError {
    if ((err as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      const { nodeId } = culprit.inst.spec;
      return new NodeError(
        'FUNCTION_FAILED',
        `user code of function node "${nodeId}" ran out of memory (the sandbox heap limit is ${this.memoryLimitMb} MB); the sandbox was restarted`,
        { cause: err, details: { reason: 'memory-limit', memoryLimitMb: this.memoryLimitMb, nodeId } },
      );
    }
    return new NodeError('FUNCTION_FAILED', `the function sandbox crashed while running this message: ${messageOf(err)}`, { cause: err });
  }

  private failAll(message: string): void {
    const jobs = this.queue;
    this.queue = [];
    for (const job of jobs) job.reject(new NodeError('FUNCTION_FAILED', message));
  }
}

/** Applies a record's context writes and settles the job's promise with it. */
function answer(job: Job, record: SandboxRecord): void {
  let rec = record;
  const writes = rec[2]?.writes;
  if (writes) {
    const refused = applyWrites(job.inst, writes);
    // The store refused a value (the runtime's stores take JSON only): the message fails with
    // the store's reason, and the worker's copy is corrected by the next batch's deltas.
    if (refused !== undefined) rec = [3, { code: 'FUNCTION_FAILED', message: refused, line: 0, column: 0 }, rec[2]];
  }
  if (job.map === undefined) job.resolve(rec);
  else {
    try {
      job.resolve(job.map(rec, job.msg));
    } catch (err) {
      job.reject(err);
    }
  }
}

/** Appends `[storeId, key, value, flag]` for every key whose value changed since it was last shipped. */
function diffStore(state: StoreState, out: unknown[][]): void {
  const keys = state.store.keys();
  for (const key of keys) {
    const value = state.store.get(key);
    if (!Object.is(state.shipped.get(key), value) || !state.shipped.has(key)) {
      state.shipped.set(key, value);
      out.push([state.id, key, value, 0]);
    }
  }
  if (state.shipped.size > keys.length) {
    const present = new Set(keys);
    for (const key of [...state.shipped.keys()]) {
      if (present.has(key)) continue;
      state.shipped.delete(key);
      out.push([state.id, key, null, 1]);
    }
  }
}

/**
 * Applies context writes in order. Returns the first store error, if any; a refused key is marked
 * stale so the next batch sends the store's value (or its absence) back to the worker's copy.
 */
function applyWrites(inst: Instance, writes: NonNullable<SandboxEffects['writes']>): string | undefined {
  let refused: string | undefined;
  for (const [kind, key, value, deleted] of writes) {
    const state = inst.stores[kind];
    if (!state) continue;
    try {
      if (deleted) {
        state.store.delete(key);
        state.shipped.delete(key);
      } else {
        state.store.set(key, value);
        state.shipped.set(key, state.store.get(key));
      }
    } catch (err) {
      state.shipped.set(key, STALE);
      refused ??= messageOf(err);
    }
  }
  return refused;
}

/** Why a value cannot be structured-cloned into the worker, or undefined if it can. */
function uncloneable(value: unknown): string | undefined {
  try {
    structuredClone(value);
    return undefined;
  } catch (err) {
    return messageOf(err);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
