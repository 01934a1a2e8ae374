import { connectionEntrySchema, validate, type ConnectionEntry, type FlowDocument, type ValidationIssue } from '@plantwire/flow';
import { createRegistry, newMessageId, toMessage, type AuditReport, type ConnectionBrowsePage, type ErrorCode, type Message, type MessageInit, type NodeRegistry, type NodeStatus } from '@plantwire/node-sdk';
import type {
  BrowseRequest,
  ConnectionEvent,
  ConnectionTestReport,
  CredentialsApi,
  DeployOptions,
  DeployResult,
  LogEvent,
  NodeCounters,
  Runtime,
  RuntimeEvents,
  RuntimeLogger,
  RuntimeOptions,
  StopReport,
  TestConnectionOptions,
} from './api.js';
import { checkBackoffSettings } from './backoff.js';
import { browseConnection } from './browse-connection.js';
import { ConfigParseCache } from './config-parse-cache.js';
import { compileConnection, compileFlow, type CompileOptions, type CompiledConnection, type CompiledFlow } from './compile-flow.js';
import { NodeConnections } from './connection-handles.js';
import { ConnectionSupervisor, testConnection } from './connection-supervisor.js';
import { createContextStores, type ContextStores } from './context-store.js';
import { checkCredentials, createCredentialStore, CredentialsError, type CredentialStore } from './credential-store.js';
import { diffDeploy, type DeployDiff } from './deploy-diff.js';
import { routeError, type ErrorOrigin, type ErrorRouterHost } from './error-router.js';
import { EventHub } from './event-hub.js';
import { NO_OUTPUTS, NodeInstance, type NodeHost, type Target } from './node-instance.js';
import { isoTime } from './iso-time.js';
import { Scheduler } from './scheduler.js';
import { triggerNode } from './trigger-node.js';
import { buildWatchLists, UNWATCHED } from './watch-index.js';
import { StoreForward } from './store-forward/store-forward.js';

const DEFAULT_QUEUE_CAPACITY = 1000;
const DEFAULT_DRAIN_TIMEOUT_MS = 5000;
const DEFAULT_CLOSE_TIMEOUT_MS = 5000;
const DEFAULT_SETUP_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Create the headless engine. It runs one flow document at a time: `deploy` validates and applies
 * it (restarting only what changed), messages flow through bounded queues with backpressure,
 * errors are routed (error port, catch nodes, log), shared connections are supervised (one client
 * per entry, reconnect with backoff, credentials from an encrypted store), and `stop` shuts down
 * gracefully. Node and connection types are handed in; the runtime imports none.
 *
 * @example
 * const runtime = createRuntime({ nodeTypes: [...coreNodes, ...mqttNodes], connectionTypes: [mqttBroker], dataDir: './data' });
 * runtime.on('debug', (e) => console.log(JSON.stringify(e)));
 * const result = await runtime.deploy(JSON.parse(await readFile('flow.json', 'utf8')));
 * if (!result.ok) console.error(result.issues);
 * process.once('SIGTERM', () => void runtime.stop());
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  return new FlowRuntime(options);
}

/**
 * A source: a type with no input ports that watches nothing. It only emits, so it starts last and
 * stops first. (A node with inputs but no wires is not one: a test or the editor may inject into
 * it, and its queue must drain at stop.)
 */
function isSource(node: NodeInstance): boolean {
  return node.inputCount === 0 && node.watchSpec === undefined;
}

/** The ids of `ids` and of every node with a path of wires into one of them (the part of a flow that feeds them). */
function upstreamOf(ids: readonly string[], flow: CompiledFlow): Set<string> {
  const seen = new Set<string>(ids);
  const stack = [...ids];
  while (stack.length !== 0) {
    const incoming = flow.nodes.get(stack.pop()!)?.incoming ?? [];
    for (const edge of incoming) {
      if (seen.has(edge.from.node)) continue;
      seen.add(edge.from.node);
      stack.push(edge.from.node);
    }
  }
  return seen;
}

class FlowRuntime implements Runtime, NodeHost, ErrorRouterHost {
  readonly scheduler: Scheduler;
  sentListeners = 0;
  private readonly registry: NodeRegistry;
  /** Wraps the sink types that declare store-and-forward; holds their buffers' counters. */
  private readonly storeForward: StoreForward;
  private readonly processEnv: Readonly<Record<string, string | undefined>>;
  private readonly logger: RuntimeLogger | undefined;
  private readonly events: EventHub<RuntimeEvents>;
  private readonly contexts: ContextStores;
  private readonly defaultCapacity: number;
  private readonly drainTimeoutMs: number;
  private readonly closeTimeoutMs: number;
  private readonly setupTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly dataDir: string | undefined;
  private readonly credentialStore: CredentialStore;
  private readonly supervisor: ConnectionSupervisor;
  readonly credentials: CredentialsApi;
  private instances = new Map<string, NodeInstance>();
  private compiled: CompiledFlow | undefined;
  /** Deploys and stops run one after another. */
  private chain: Promise<unknown> = Promise.resolve();
  private stopping = false;
  private idleCheck: (() => void) | undefined;

  constructor(options: RuntimeOptions) {
    this.storeForward = new StoreForward(options.dataDir);
    this.registry = createRegistry(this.storeForward.wrapAll(options.nodeTypes), options.connectionTypes ?? []);
    this.processEnv = options.env ?? process.env;
    this.logger = options.logger;
    this.defaultCapacity = options.defaultQueueCapacity ?? DEFAULT_QUEUE_CAPACITY;
    if (!Number.isInteger(this.defaultCapacity) || this.defaultCapacity < 1) {
      throw new RangeError(`createRuntime: defaultQueueCapacity must be an integer ≥ 1, got ${String(options.defaultQueueCapacity)}`);
    }
    this.drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    this.closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    this.setupTimeoutMs = options.setupTimeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    if (!(this.connectTimeoutMs > 0)) throw new RangeError(`createRuntime: connectTimeoutMs must be > 0, got ${String(options.connectTimeoutMs)}`);
    const backoff = options.connectionBackoff ?? {};
    checkBackoffSettings(backoff);
    this.dataDir = options.dataDir;
    this.events = new EventHub<RuntimeEvents>((err, event) => this.listenerFailed(err, String(event)));
    this.scheduler = new Scheduler({ onRunEnd: () => this.idleCheck?.() });
    this.contexts = createContextStores({
      dataDir: options.dataDir,
      onError: (err, scope) => this.writeLog('error', err.message, { code: 'CONTEXT_STORE_FAILED', scope }),
    });
    this.credentialStore = createCredentialStore({ dataDir: options.dataDir, env: this.processEnv });
    this.supervisor = new ConnectionSupervisor({
      credentials: this.credentialStore,
      dataDir: options.dataDir,
      backoff,
      connectTimeoutMs: this.connectTimeoutMs,
      closeTimeoutMs: this.closeTimeoutMs,
      emitConnection: (event) => this.events.emit('connection', event),
      log: (level, message, fields) => this.writeLog(level, message, fields),
    });
    this.credentials = {
      set: (id, values, opts) => this.setCredentials(id, values, opts?.type),
      has: (id) => this.credentialStore.fields(id),
      delete: (id) => this.deleteCredentials(id),
    };
  }

  get document(): FlowDocument | undefined {
    return this.compiled?.document;
  }

  // ---- public API -------------------------------------------------------------------------

  deploy(document: unknown, options: DeployOptions = {}): Promise<DeployResult> {
    return this.serialised(async () => {
      this.events.emit('deploying', { active: true });
      try {
        return await this.applyDeploy(document, options.drainTimeoutMs ?? this.drainTimeoutMs);
      } finally {
        this.events.emit('deploying', { active: false });
      }
    });
  }

  inject(nodeId: string, init: MessageInit, port?: string): boolean {
    const node = this.instances.get(nodeId);
    if (!node) {
      const entry = this.compiled?.document.nodes.find((n) => n.id === nodeId);
      const why = entry ? 'it is disabled (or on a disabled tab)' : 'no node has that id in the running document';
      throw new Error(`inject: node "${nodeId}" is not running: ${why}`);
    }
    const target = port ?? node.defaultInput;
    // The default input always exists; only a port named by the caller needs checking (inject is a hot path).
    if (port !== undefined) {
      const inputs = Object.keys(node.def.inputs);
      if (inputs.length > 0 && !inputs.includes(port)) {
        throw new Error(`inject: node "${nodeId}" (${node.def.type}) has no input port "${port}"; its inputs are: ${inputs.join(', ')}`);
      }
    }
    if (init === null || typeof init !== 'object') throw new TypeError(`inject: the message for node "${nodeId}" must be an object, got ${typeof init}`);
    if (this.stopping || !node.accepting || node.queue.isFull) {
      node.cDropped++;
      return false;
    }
    node.queue.push(toMessage(init), target);
    node.cIn++;
    node.kick();
    return true;
  }

  trigger(nodeId: string): boolean {
    return !this.stopping && triggerNode(this.instances.get(nodeId));
  }

  browse(connectionId: string, request?: BrowseRequest): Promise<ConnectionBrowsePage> {
    return browseConnection(
      { connectionId, known: this.compiled?.connections.has(connectionId) === true, connection: this.supervisor.get(connectionId), defaultTimeoutMs: this.connectTimeoutMs },
      request,
    );
  }

  metrics(): Readonly<Record<string, NodeCounters>> {
    const out: Record<string, NodeCounters> = {};
    for (const [id, node] of this.instances) {
      const buffer = this.storeForward.counters(id);
      out[id] = buffer === undefined ? node.counters() : { ...node.counters(), buffer };
    }
    return out;
  }

  on<E extends keyof RuntimeEvents>(event: E, listener: (payload: RuntimeEvents[E]) => void): () => void {
    const off = this.events.on(event, listener);
    this.sentListeners = this.events.count('sent');
    return () => {
      off();
      this.sentListeners = this.events.count('sent');
    };
  }

  stop(options: { drainTimeoutMs?: number } = {}): Promise<StopReport> {
    return this.serialised(() => this.applyStop(options.drainTimeoutMs ?? this.drainTimeoutMs));
  }

  connections(): readonly ConnectionEvent[] {
    return this.supervisor.states();
  }

  async testConnection(connection: string | ConnectionEntry, options: TestConnectionOptions = {}): Promise<ConnectionTestReport> {
    const refuse = (message: string): ConnectionTestReport => ({ ok: false, message, durationMs: 0 });
    let spec: CompiledConnection;
    if (typeof connection === 'string') {
      const running = this.compiled?.connections.get(connection);
      if (!running) return refuse(`no connection "${connection}" in the running document; pass the entry itself to test one that is not deployed`);
      spec = running;
    } else {
      const entry = connectionEntrySchema.safeParse(connection);
      if (!entry.success) return refuse(`the connection entry is not valid: ${entry.error.issues.map((i) => `${i.path.join('.') || '(entry)'}: ${i.message}`).join('; ')}`);
      const compiled = compileConnection(entry.data, 0, this.compiled?.document ?? {}, this.compileOptions());
      if (!compiled.ok) return refuse(compiled.issues.map((i) => `${i.path.replace(/^\$\.connections\[0\]/, '$')}: ${i.message}`).join('; '));
      spec = compiled.connection;
    }
    const def = spec.def;
    if (!def) return refuse(`"${spec.type}" is declared as a node type of category "connection", not with defineConnection, so it cannot be tested`);
    let credentials: Record<string, unknown>;
    try {
      if (options.credentials !== undefined) credentials = checkCredentials(def, spec.id, options.credentials);
      else {
        const stored = await this.credentialStore.get(spec.id);
        const parsed = def.credentials ? def.credentials.safeParse(stored ?? {}) : { success: true as const, data: {} };
        if (!parsed.success) {
          const fields = [...new Set(parsed.error.issues.map((i) => i.path.map(String).join('.')))].map((f) => `"${f}"`).join(', ');
          return refuse(`credentials of connection "${spec.id}" (${spec.type}) are ${stored ? 'invalid' : 'not set'} (field ${fields}); set them first or pass them to the test`);
        }
        credentials = parsed.data as Record<string, unknown>;
      }
    } catch (err) {
      return refuse(err instanceof Error ? err.message : String(err));
    }
    const report = await testConnection({
      spec,
      credentials,
      timeoutMs: options.timeoutMs ?? def.connectTimeoutMs ?? this.connectTimeoutMs,
      closeTimeoutMs: this.closeTimeoutMs,
      dataDir: this.dataDir,
      log: (level, message, fields) => this.writeLog(level, message, fields),
    });
    this.writeLog(report.ok ? 'info' : 'warn', `connection test of "${spec.id}" (${spec.type}): ${report.ok ? 'ok' : 'failed'}: ${report.message}`, {
      connectionId: spec.id,
      connectionType: spec.type,
      ok: report.ok,
      durationMs: report.durationMs,
    });
    return report;
  }

  // ---- credentials ------------------------------------------------------------------------

  private async setCredentials(id: string, values: Readonly<Record<string, unknown>>, type: string | undefined): Promise<void> {
    const running = this.compiled?.document.connections?.find((c) => c.id === id)?.type;
    if (running !== undefined && type !== undefined && running !== type) {
      throw new CredentialsError('CREDENTIALS_INVALID', `connection "${id}" is a "${running}" in the running document, not a "${type}"`);
    }
    const typeName = running ?? type;
    if (typeName === undefined) {
      throw new CredentialsError('CREDENTIALS_INVALID', `connection "${id}" is not in the running document; pass its type ({ type: "mqtt-broker" }) to store credentials before deploying it`);
    }
    const def = this.registry.connection(typeName);
    if (!def) {
      const known = this.registry.allConnections().map((c) => c.type);
      throw new CredentialsError('CREDENTIALS_INVALID', `unknown connection type "${typeName}"; expected one of: ${known.length > 0 ? known.join(', ') : '(none given to the runtime)'}`);
    }
    await this.credentialStore.put(id, checkCredentials(def, id, values));
    this.writeLog('info', `credentials of connection "${id}" (${typeName}) changed: ${Object.keys(values).join(', ') || 'no fields'}`, { connectionId: id, connectionType: typeName });
    await this.credentialsChanged(id);
  }

  private async deleteCredentials(id: string): Promise<boolean> {
    const removed = await this.credentialStore.remove(id);
    if (removed) {
      this.writeLog('info', `credentials of connection "${id}" deleted`, { connectionId: id });
      await this.credentialsChanged(id);
    }
    return removed;
  }

  /**
   * New secrets count like a changed entry: the running document is compiled again (the
   * connection's signature carries the credentials' revision) and applied, so the connection
   * reconnects and its nodes restart. Nothing happens when no running document has the entry.
   */
  private credentialsChanged(id: string): Promise<void> {
    return this.serialised(async () => {
      const current = this.compiled;
      if (!current?.connections.has(id) || this.stopping) return;
      const compiled = compileFlow(current.document, this.compileOptions());
      if (!compiled.ok) {
        this.writeLog('error', `applying the new credentials of connection "${id}" failed: ${compiled.issues.map((i) => i.message).join('; ')}`, { connectionId: id, code: 'CONNECTION_FAILED' });
        return;
      }
      const diff = diffDeploy(current, compiled.flow);
      await this.applyCompiled(compiled.flow, diff, [], this.drainTimeoutMs);
      this.writeLog('info', `credentials of connection "${id}" applied: ${diff.restarted.length} node(s) restarted`, { connectionId: id, restarted: diff.restarted });
    });
  }

  private compileOptions(): CompileOptions {
    return {
      registry: this.registry,
      processEnv: this.processEnv,
      defaultQueueCapacity: this.defaultCapacity,
      credentialRevision: (id) => this.credentialStore.revision(id),
    };
  }

  // ---- deploy -----------------------------------------------------------------------------

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async applyDeploy(input: unknown, drainTimeoutMs: number): Promise<DeployResult> {
    // Validation parses every config; compiling reuses those parses (and equal configs share one).
    const configs = new ConfigParseCache(this.registry);
    const validated = validate(input, { nodeTypes: configs.info, env: this.processEnv });
    if (!validated.ok || !validated.document) return { ok: false, issues: validated.issues };
    const warnings: ValidationIssue[] = validated.issues.filter((i) => i.severity === 'warning');
    const compiled = compileFlow(validated.document, {
      ...this.compileOptions(),
      parseConfig: (def, config) => configs.parseFor(def.config, config),
      substitutesToItself: (config) => configs.substitutesToItself(config),
    });
    if (!compiled.ok) return { ok: false, issues: [...compiled.issues, ...warnings] };
    const next = compiled.flow;
    const diff = diffDeploy(this.compiled, next);
    await this.applyCompiled(next, diff, warnings, drainTimeoutMs);
    const result = { ok: true as const, started: diff.started, stopped: diff.stopped, restarted: diff.restarted, unchanged: diff.unchanged, warnings };
    this.writeLog('info', `deployed: ${diff.started.length} started, ${diff.restarted.length} restarted, ${diff.stopped.length} stopped, ${diff.unchanged.length} unchanged`, {
      started: diff.started,
      restarted: diff.restarted,
      stopped: diff.stopped,
      connections: diff.connections,
    });
    this.events.emit('deployed', result);
    return result;
  }

  /**
   * Apply a compiled graph: drain the part that changes, swap instances, close what left, hand
   * connections over, start what is new, resume. Setup failures become warnings.
   */
  private async applyCompiled(next: CompiledFlow, diff: DeployDiff, warnings: ValidationIssue[], drainTimeoutMs: number): Promise<void> {
    const paused = await this.drainChangedPart(diff, drainTimeoutMs);
    try {
      await this.swap(next, diff, warnings);
    } finally {
      // Sources that keep running take input again (their onDrain listeners fire); replaced ones are closed.
      for (const node of paused) if (this.instances.get(node.id) === node) node.resume();
    }
  }

  /**
   * Zero-loss deploy, step one: pause the sources that feed a node about to be restarted or
   * removed (their `emit` refuses, so they keep what they read: mqtt-in holds its read gate), then
   * wait, up to `drainTimeoutMs`, until nothing is queued, held or inside `onInput` anywhere
   * between those sources and the changed nodes. Unchanged nodes outside that part keep running.
   * Resolves with the paused sources, to resume after the swap.
   */
  private async drainChangedPart(diff: DeployDiff, drainTimeoutMs: number): Promise<NodeInstance[]> {
    const current = this.compiled;
    if (current === undefined || (diff.restarted.length === 0 && diff.stopped.length === 0)) return [];
    const region = upstreamOf([...diff.restarted, ...diff.stopped], current);
    const nodes: NodeInstance[] = [];
    const paused: NodeInstance[] = [];
    for (const id of region) {
      const node = this.instances.get(id);
      if (node === undefined) continue;
      nodes.push(node);
      if (isSource(node) && !node.paused) {
        node.pause();
        paused.push(node);
      }
    }
    // A paused source's outbox stays put until it resumes; everything else in the part must empty.
    const pendingIn = (n: NodeInstance): number => (n.paused ? n.held.length : n.backlog);
    const idle = () => nodes.every((n) => pendingIn(n) === 0);
    if (drainTimeoutMs <= 0 || idle()) return paused;
    const t0 = performance.now();
    if (!(await this.waitUntil(idle, drainTimeoutMs))) {
      const left: Record<string, number> = {};
      for (const n of nodes) if (pendingIn(n) !== 0) left[n.id] = pendingIn(n);
      this.writeLog('warn', `deploy: the changed part of the flow did not drain within ${drainTimeoutMs} ms; its queued messages are handed to the replacements`, {
        code: 'TIMEOUT',
        drainTimeoutMs,
        remainingByNode: left,
      });
    } else {
      this.writeLog('debug', `deploy: drained the changed part in ${Math.round(performance.now() - t0)} ms`, { paused: paused.map((n) => n.id) });
    }
    return paused;
  }

  /** The synchronous switch and what follows it (close, connections, start). */
  private async swap(next: CompiledFlow, diff: DeployDiff, warnings: ValidationIssue[]): Promise<void> {
    // Everything up to the first await happens synchronously, so no message is routed through a
    // half-built graph: new instances exist, queues moved, every sender re-linked, then old ones close.
    const previous = this.instances;
    const instances = new Map<string, NodeInstance>();
    const toStart: NodeInstance[] = [];
    const toClose: NodeInstance[] = [];
    // Indexed loops and `forEach` rather than `for…of` on the deploy path (here, in `link`, in
    // compileFlow, diffDeploy and validation): this code runs once per deploy, mostly in the
    // interpreter, where every `for…of` step allocates an iterator result (and a Map's an entry
    // array, taken apart by an array iterator). On a cold 5,000-node deploy that was ~5 MB of the
    // ~34 MB allocated, and one young-generation collection more.
    const { unchanged, restarted, started, stopped } = diff;
    for (let i = 0; i < unchanged.length; i++) {
      const id = unchanged[i]!;
      const node = previous.get(id)!;
      node.name = next.nodes.get(id)!.name;
      instances.set(id, node);
    }
    for (let i = 0; i < restarted.length; i++) {
      const id = restarted[i]!;
      const old = previous.get(id)!;
      const node = this.instantiate(id, next);
      node.adoptQueue(old);
      instances.set(id, node);
      toStart.push(node);
      toClose.push(old);
    }
    for (let i = 0; i < started.length; i++) {
      const id = started[i]!;
      const node = this.instantiate(id, next);
      instances.set(id, node);
      toStart.push(node);
    }
    for (let i = 0; i < stopped.length; i++) toClose.push(previous.get(stopped[i]!)!);

    this.instances = instances;
    this.compiled = next;
    this.link(next, previous);
    // Deliveries held for a replaced instance go to its replacement; those of an instance on its
    // way out still reach whoever is still there: messages already sent are not lost to a deploy.
    const resolve = (id: string) => instances.get(id);
    const retarget = (node: NodeInstance): void => {
      if (node.held.length === 0) return;
      node.retargetHeld(resolve);
      if (node.held.length !== 0) node.flushHeld();
    };
    instances.forEach(retarget);
    toClose.forEach(retarget);

    await Promise.all(toClose.map((node) => node.close(this.closeTimeoutMs)));
    for (const node of toClose) {
      // A restarted node's input was handed to its replacement; a removed node's has nowhere to go.
      const dropped = node.dropQueue();
      node.cDropped += dropped;
      if (dropped > 0) this.writeLog('warn', `${dropped} message(s) waiting in node "${node.id}" were dropped when it was removed`, { code: 'QUEUE_FULL' }, node.id);
    }
    for (const id of diff.stopped) this.contexts.removeNode(id);
    // Changed and removed connections close (bounded) before anything starts, so a replacement client never runs beside the old one.
    await this.supervisor.apply(next.connections);

    // Nodes that receive start before the sources that feed them, so first messages find them ready.
    const sources = toStart.filter(isSource);
    const inner = toStart.filter((n) => !isSource(n));
    for (const group of [inner, sources]) {
      // Synchronous setups (most) answer at once; only asynchronous ones are awaited, together.
      const answers = new Array<string | undefined | Promise<string | undefined>>(group.length);
      for (let i = 0; i < group.length; i++) answers[i] = group[i]!.start(this.setupTimeoutMs);
      const failures = answers.some((a) => typeof a === 'object') ? await Promise.all(answers) : (answers as Array<string | undefined>);
      for (let i = 0; i < group.length; i++) {
        const failure = failures[i];
        if (failure === undefined) continue;
        const node = group[i]!;
        const index = next.nodes.get(node.id)!.index;
        warnings.push({ severity: 'warning', code: 'SETUP_FAILED', path: `$.nodes[${index}]`, nodeId: node.id, message: `node "${node.id}" (${node.def.type}) failed to start: ${failure}` });
      }
    }
    // A connection whose last user left in this deploy (and was not handed to a replacement) closes now.
    await this.supervisor.sweep();
  }

  private instantiate(id: string, flow: CompiledFlow): NodeInstance {
    const c = flow.nodes.get(id)!;
    // The compiled node is the instance's spec as it is: no init object per node.
    return new NodeInstance(
      c,
      this,
      this.contexts.forNode(id, c.tab),
      c.connections.length === 0 ? undefined : (owner) => new NodeConnections(owner, c.connections, this.supervisor),
    );
  }

  /** Resolve every edge to instances, and recompute who watches whom. */
  private link(flow: CompiledFlow, previous: ReadonlyMap<string, NodeInstance>): void {
    const instances = this.instances;
    let watched = false;
    // forEach and indexed loops: see applyCompiled.
    instances.forEach((node, id) => {
      const c = flow.nodes.get(id)!;
      if (node.watchSpec !== undefined) watched = true;
      // Edges leaving the first port go into a plain list; a map only once another port has some.
      // A node without edges (a flow's sinks) shares the one empty map.
      let first: Target[] | undefined;
      let outputs: Map<string, Target[]> | undefined;
      const outgoing = c.outgoing;
      for (let i = 0; i < outgoing.length; i++) {
        const edge = outgoing[i]!;
        const target = instances.get(edge.to.node);
        if (!target) continue;
        const to: Target = { node: target, port: edge.to.port };
        if (outputs === undefined && edge.from.port === node.firstPort) {
          // A literal of one for the first (most nodes have one edge): `[]` then push reserves 17 slots.
          if (first === undefined) first = [to];
          else first.push(to);
          continue;
        }
        if (outputs === undefined) {
          outputs = new Map();
          if (first !== undefined) outputs.set(node.firstPort, first);
        }
        let list = outputs.get(edge.from.port);
        if (!list) outputs.set(edge.from.port, (list = []));
        list.push(to);
      }
      if (outputs !== undefined) node.link(outputs);
      else if (first !== undefined) node.linkFirst(first);
      else node.link(NO_OUTPUTS);
    });
    // Instances on their way out keep their old wiring, pointed at replacements where there are
    // any, so what they still send (a late async result) is not lost to a closed instance.
    for (const [id, old] of previous) {
      if (instances.get(id) === old) continue;
      const outputs = new Map<string, Target[]>();
      for (const port of new Set([old.firstPort, 'error', ...Object.keys(old.def.outputs)])) {
        const targets = old.targetsOf(port).map((t) => {
          const replacement = instances.get(t.node.id);
          return replacement && replacement !== t.node ? { node: replacement, port: t.port } : t;
        });
        if (targets.length > 0) outputs.set(port, targets);
      }
      old.link(outputs);
    }
    // Without catch, status or complete nodes, every node's lists are the one empty set.
    const lists = watched ? buildWatchLists([...instances.values()]) : undefined;
    instances.forEach((node) => {
      const l = lists?.get(node) ?? UNWATCHED;
      node.catchers = l.errorCatch;
      node.uncaughtCatchers = l.errorUncaught;
      node.statusWatchers = l.status;
      node.completeWatchers = l.complete;
    });
  }

  // ---- stop -------------------------------------------------------------------------------

  private async applyStop(drainTimeoutMs: number): Promise<StopReport> {
    const t0 = performance.now();
    this.stopping = true;
    try {
      const all = [...this.instances.values()];
      const sources = all.filter(isSource);
      const rest = all.filter((n) => !isSource(n));
      await Promise.all(sources.map((n) => n.close(this.closeTimeoutMs)));
      // What is in the flow once no new message can enter, and what the nodes have handled so far.
      let inFlight = 0;
      let handledBefore = 0;
      for (const node of all) {
        inFlight += this.pendingAtStop(node);
        handledBefore += node.cHandled;
      }
      // Queued input (a store-and-forward sink's included) goes through onInput here, so it is persisted.
      const drained = await this.waitIdle(drainTimeoutMs);
      let messagesDrained = -handledBefore;
      for (const node of all) messagesDrained += node.cHandled;
      let remaining = 0;
      const remainingByNode: Record<string, number> = {};
      const unfinished: Record<string, number> = {};
      for (const node of all) {
        if (node.inflight !== 0) unfinished[node.id] = node.inflight;
        const dropped = node.dropBacklog();
        remaining += dropped;
        if (dropped > 0) remainingByNode[node.id] = dropped;
        if (dropped > 0) this.writeLog('warn', `${dropped} message(s) still waiting in node "${node.id}" were dropped at stop`, { code: 'QUEUE_FULL' }, node.id);
      }
      await Promise.all(rest.map((n) => n.close(this.closeTimeoutMs)));
      await this.supervisor.stop();
      await this.contexts.flush();
      this.instances = new Map();
      this.compiled = undefined;
      const report: StopReport = {
        drained,
        remaining,
        durationMs: performance.now() - t0,
        boundHit: !drained,
        drainTimeoutMs,
        sourcesStopped: sources.map((n) => n.id),
        inFlight,
        messagesDrained,
        remainingByNode,
        unfinished,
      };
      this.writeLog(
        drained ? 'info' : 'warn',
        `stopped in ${Math.round(report.durationMs)} ms: ${sources.length} source(s) stopped, ${messagesDrained} message(s) drained${drained ? '' : `, ${remaining} left when the ${drainTimeoutMs} ms drain bound ran out`}`,
        { event: 'runtime:stopped', ...report, durationMs: Math.round(report.durationMs) },
      );
      return report;
    } finally {
      this.stopping = false;
    }
  }

  /** What `isIdle` still waits for in a node (a closed source's own input queue never drains). */
  private pendingAtStop(node: NodeInstance): number {
    return node.phase === 'closing' || node.phase === 'closed' ? node.outbox.length + node.held.length + node.inflight : node.backlog;
  }

  private isIdle(): boolean {
    if (this.scheduler.readyCount !== 0 || this.scheduler.isRunning) return false;
    for (const node of this.instances.values()) {
      // A closed source's input queue can never drain (it takes no input any more); what it still
      // holds for others (outbox, held deliveries) can, so only that is waited for.
      if (this.pendingAtStop(node) !== 0) return false;
    }
    return true;
  }

  /** Resolves true once nothing is queued, held or in flight anywhere; false when the bound runs out. */
  private waitIdle(timeoutMs: number): Promise<boolean> {
    return this.waitUntil(() => this.isIdle(), timeoutMs);
  }

  /**
   * Resolves true once `done()` holds, checked whenever a run of the message loop ends or an
   * asynchronous onInput settles (deploys and stops are serialised, so one waiter at a time);
   * false when the bound runs out.
   */
  private waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.idleCheck = undefined;
        resolve(ok);
      };
      this.idleCheck = () => {
        if (done()) finish(true);
      };
    });
  }

  // ---- NodeHost / ErrorRouterHost -----------------------------------------------------------

  emitSent(node: NodeInstance, port: string, msg: Message): void {
    this.events.emit('sent', { nodeId: node.id, port, msg });
  }

  raise(node: NodeInstance, err: unknown, msg: Message | undefined, direct: boolean, code?: ErrorCode, context?: string): void {
    try {
      routeError(node, err, msg, { direct, ...(code ? { code } : {}), ...(context ? { context } : {}) }, this);
    } catch (routingError) {
      // Routing itself failed (e.g. an error port send to a port that vanished): still leave a trace.
      this.writeLog('error', `routing an error of node "${node.id}" failed: ${String(routingError)}`, { code: 'NODE_FAILED' }, node.id);
    }
  }

  completed(node: NodeInstance, msg: Message): void {
    for (const w of node.completeWatchers) w.deliverWatched(msg);
  }

  statusChanged(node: NodeInstance, status: NodeStatus | null): void {
    node.status = status;
    this.events.emit('status', { nodeId: node.id, status });
    if (node.statusWatchers.length === 0) return;
    const msg: Message = { _msgid: newMessageId(), status: { ...status, source: node.address } };
    for (const w of node.statusWatchers) w.deliverWatched(msg);
  }

  debug(node: NodeInstance, value: unknown, msg: Message): void {
    if (this.events.count('debug') === 0) return;
    this.events.emit('debug', { nodeId: node.id, nodeName: node.name, tab: node.tab, msgId: msg?._msgid, value, timestamp: Date.now() });
  }

  audit(node: NodeInstance, entry: AuditReport): void {
    this.events.emit('audit', { ...entry, nodeId: node.id, type: node.def.type, tab: node.tab, time: isoTime() });
  }

  log(level: LogEvent['level'], message: string, fields: Record<string, unknown> | undefined, node?: NodeInstance): void {
    this.writeLog(level, message, fields, node?.id, node);
  }

  logFor(level: 'debug' | 'warn' | 'error', message: string, fields: Record<string, unknown>, nodeId: string): void {
    this.writeLog(level, message, fields, nodeId, this.instances.get(nodeId));
  }

  settled(): void {
    this.idleCheck?.();
  }

  emitError(event: RuntimeEvents['error']): void {
    this.events.emit('error', event);
  }

  markFailed(origin: ErrorOrigin, text: string): void {
    this.statusChanged(origin as NodeInstance, { fill: 'red', shape: 'dot', text });
  }

  // ---- logging ----------------------------------------------------------------------------

  private writeLog(level: LogEvent['level'], message: string, fields?: Record<string, unknown>, nodeId?: string, node?: NodeInstance): void {
    const entry: LogEvent = {
      ...fields,
      level,
      message,
      time: isoTime(),
      ...(nodeId === undefined ? {} : { nodeId }),
      ...(node ? { nodeType: node.def.type, ...(node.tab === undefined ? {} : { tab: node.tab }) } : {}),
    };
    if (this.logger) {
      try {
        this.logger.log(entry);
      } catch (err) {
        this.listenerFailed(err, 'logger');
      }
    }
    if (this.events.count('log') !== 0) this.events.emit('log', entry);
  }

  /** A listener or the logger threw: report once to the logger, never back into events (no loops). */
  private listenerFailed(err: unknown, where: string): void {
    if (where === 'logger') return;
    try {
      this.logger?.log({ level: 'error', message: `a runtime '${where}' listener threw: ${err instanceof Error ? err.message : String(err)}`, time: isoTime() });
    } catch {
      // The logger itself is broken; there is nowhere left to report to, and the runtime must go on.
    }
  }
}
