import {
  toMessage,
  type AnyNodeType,
  type AuditReport,
  type ConnectionHandle,
  type ContextStore,
  type Message,
  type MessageInit,
  type NodeContext,
  type NodeStatus,
} from '@plantwire/node-sdk';

/** Deep-freeze a value so a node that mutates its input fails loudly in tests. */
export function deepFreeze<T>(value: T): T {
  // Typed arrays and Buffers cannot be frozen; their contents are left as they are.
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

function memoryStore(): ContextStore {
  const data = new Map<string, unknown>();
  return {
    get: (k) => data.get(k),
    set: (k, v) => void data.set(k, v),
    delete: (k) => void data.delete(k),
    keys: () => [...data.keys()],
  };
}

/** What a node did during a unit test. */
export interface NodeRecording {
  /** Every message sent, on any port, in order (returned from onInput, send or emit). */
  readonly sent: Array<{ port: string; msg: Message }>;
  readonly statuses: Array<NodeStatus | null>;
  readonly errors: Array<{ err: unknown; msg?: Message | undefined }>;
  readonly debug: Array<{ value: unknown; msg: Message }>;
  readonly logs: Array<{ level: string; message: string; fields?: Record<string, unknown> | undefined }>;
  /** Every `ctx.audit` report, in order. */
  readonly audits: AuditReport[];
}

/** A node instance under unit test, without the runtime: messages in, recordings out. */
export interface TestNode<State> extends NodeRecording {
  readonly ctx: NodeContext<any>;
  readonly state: State;
  /** Send one message to an input port (default: the first), frozen; resolves with what the node sent during this call. */
  input(msg: MessageInit, port?: string): Promise<Array<{ port: string; msg: Message }>>;
  /** Messages sent on one port so far. */
  output(port?: string): Message[];
  /** Close the node as the runtime would. */
  close(): Promise<void>;
  /** Whether emit() should report pressure (false) — lets a test drive backpressure behaviour. */
  setPressure(blocked: boolean): void;
}

export interface TestNodeOptions {
  readonly id?: string;
  readonly env?: Record<string, string | undefined>;
  readonly now?: () => number;
  /**
   * Fake clients by connection id, for a node that uses `ctx.connection(id)`: each handle is
   * `connected` with the given client (onConnected listeners are called with it on a microtask).
   * Supervision itself (reconnects, backoff) is tested with `runFlow` and a real connection type.
   */
  readonly connections?: Readonly<Record<string, unknown>>;
}

/** A handle that is connected from the start with a test's fake client. */
function fakeHandle(id: string, client: unknown): ConnectionHandle<unknown> {
  return {
    id,
    type: 'test',
    state: 'connected',
    client,
    reason: undefined,
    onConnected(listener) {
      queueMicrotask(() => void listener(client));
      return () => undefined;
    },
    onDisconnected: () => () => undefined,
    onStateChange: () => () => undefined,
    whenConnected: async () => client,
    requireClient: () => client,
  };
}

/**
 * Start one node of a type with a raw config (parsed by its schema, so defaults apply), for unit
 * tests of node logic. Inbound messages are frozen so a mutation throws. Flow-level behaviour
 * (queues, routing, catch) is tested with `runFlow` instead.
 */
export async function testNode<T extends AnyNodeType>(nodeType: T, config: Record<string, unknown> = {}, options: TestNodeOptions = {}): Promise<TestNode<unknown>> {
  const sent: Array<{ port: string; msg: Message }> = [];
  const statuses: Array<NodeStatus | null> = [];
  const errors: Array<{ err: unknown; msg?: Message | undefined }> = [];
  const debug: Array<{ value: unknown; msg: Message }> = [];
  const logs: NodeRecording['logs'] = [];
  const audits: AuditReport[] = [];
  const firstOutput = Object.keys(nodeType.outputs)[0] ?? 'out';
  const firstInput = Object.keys(nodeType.inputs)[0] ?? 'in';
  const abort = new AbortController();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const drainListeners: Array<() => void> = [];
  let blocked = false;
  const record = (msg: MessageInit, port = firstOutput) => {
    sent.push({ port, msg: deepFreeze(toMessage(msg)) });
  };
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => void logs.push({ level, message, fields });
  const ctx: NodeContext<any> = {
    id: options.id ?? `${nodeType.type}-under-test`,
    type: nodeType.type,
    name: undefined,
    tab: undefined,
    config: nodeType.config.parse(config),
    emit(msg, port) {
      if (blocked) return false;
      record(msg, port);
      return true;
    },
    send: record,
    onDrain: (listener) => void drainListeners.push(listener),
    status: (s) => void statuses.push(s),
    error: (err, msg) => void errors.push({ err, msg }),
    debug: (value, msg) => void debug.push({ value, msg }),
    audit: (entry) => void audits.push(entry),
    log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    context: { node: memoryStore(), flow: memoryStore(), global: memoryStore() },
    env: (name) => options.env?.[name],
    signal: abort.signal,
    setTimeout(fn, ms) {
      const t = setTimeout(() => { timers.delete(t); fn(); }, ms);
      timers.add(t);
      return () => { clearTimeout(t); timers.delete(t); };
    },
    setInterval(fn, ms) {
      const t = setInterval(fn, ms);
      timers.add(t);
      return () => { clearInterval(t); timers.delete(t); };
    },
    connection<Client>(id: string) {
      if (!options.connections || !Object.hasOwn(options.connections, id)) {
        throw new Error(`testNode: the node asked for connection "${id}"; pass a fake client for it in options.connections`);
      }
      return fakeHandle(id, options.connections[id]) as ConnectionHandle<Client>;
    },
  };
  const state = nodeType.setup ? await nodeType.setup(ctx) : undefined;
  return {
    ctx, state, sent, statuses, errors, debug, logs, audits,
    async input(init, port = firstInput) {
      const before = sent.length;
      const msg = deepFreeze(toMessage(init));
      const result = await nodeType.onInput?.(msg, ctx, state, port);
      if (result != null) {
        for (const m of Array.isArray(result) ? result : [result]) record(m as MessageInit);
      }
      return sent.slice(before);
    },
    output: (port = firstOutput) => sent.filter((s) => s.port === port).map((s) => s.msg),
    async close() {
      abort.abort();
      for (const t of timers) { clearTimeout(t); clearInterval(t); }
      timers.clear();
      await nodeType.close?.(ctx, state);
    },
    setPressure(value) {
      blocked = value;
      if (!value) drainListeners.splice(0).forEach((l) => l());
    },
  };
}
