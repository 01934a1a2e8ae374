import type { ValidationIssue } from '@plantwire/flow';
import { newMessageId, type AnyConnectionType, type AnyNodeType, type Message, type MessageInit } from '@plantwire/node-sdk';
import { createRuntime, type RuntimeOptions, type DebugEvent, type LogEvent, type NodeCounters, type NodeErrorEvent, type Runtime, type StatusEvent, type StopReport } from '@plantwire/runtime';

/** Options of {@link runFlow}. */
export interface RunFlowOptions {
  /** The node types the flow uses (the runtime knows no others). */
  readonly nodeTypes: readonly AnyNodeType[];
  /** Variables for `${NAME}` substitution under the document's and tabs' own. Default: none, so a test never depends on the machine's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Where context is persisted; default memory-only. */
  readonly dataDir?: string;
  readonly defaultQueueCapacity?: number;
  /** The connection types the flow's `connections` entries use (the runtime knows no others). */
  readonly connectionTypes?: readonly AnyConnectionType[];
  /** Reconnect backoff of supervised connections; tests shorten it. Default the runtime's. */
  readonly connectionBackoff?: RuntimeOptions['connectionBackoff'];
  /** How long a connection's `connect` may take. Default the runtime's. */
  readonly connectTimeoutMs?: number;
  /**
   * Secrets by connection entry id, stored in the runtime's credential store before the flow is
   * deployed (the entry's type is read from the document's `connections`).
   */
  readonly credentials?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** A bound on how long to wait. */
export interface WaitOptions {
  /** Default 2000 ms. */
  readonly timeoutMs?: number;
}

/** Which port to read, and how long to wait. */
export interface NextOptions extends WaitOptions {
  /** Default: the node type's first output port (`out` for a type with none). */
  readonly port?: string;
}

/** A flow running in a test: inject messages, read what left each port, wait on events. */
export interface FlowUnderTest {
  /** Put a message (deep-frozen) on a node's input port (default: its first). False when the queue refused it. */
  inject(nodeId: string, msg: MessageInit, port?: string): boolean;
  /**
   * The next message that left the node's port since `runFlow` started: each node/port has its own
   * cursor. Resolves at once when one is already buffered; rejects with a readable error on timeout.
   */
  next(nodeId: string, options?: NextOptions): Promise<Message>;
  /** The next `count` messages from the node's port (same cursor as `next`). */
  take(nodeId: string, count: number, options?: NextOptions): Promise<Message[]>;
  /** Every message that left the node's port so far (default: its first output), whatever the cursor. */
  sent(nodeId: string, port?: string): Message[];
  /** Every runtime 'error' event so far. */
  readonly errors: readonly NodeErrorEvent[];
  /** Every 'debug' event so far. */
  readonly debug: readonly DebugEvent[];
  /** Every 'status' event so far. */
  readonly statuses: readonly StatusEvent[];
  /** Every 'log' event so far. */
  readonly logs: readonly LogEvent[];
  /** Resolves once `condition()` is true, re-checked on every runtime event; rejects on timeout. */
  waitFor(condition: () => boolean, options?: WaitOptions): Promise<void>;
  metrics(): Readonly<Record<string, NodeCounters>>;
  readonly runtime: Runtime;
  /** Stop the runtime (sources first, drain, close). Safe to call twice. */
  stop(): Promise<StopReport>;
}

const DEFAULT_TIMEOUT_MS = 2000;

/**
 * Run a flow document in a real, headless runtime for a test. Throws a readable Error listing
 * every validation issue when the document is invalid. Every message that leaves a node is
 * deep-frozen before the next node sees it, and injected messages are frozen too, so a node that
 * mutates its input fails loudly.
 *
 * @example
 * const flow = await runFlow(document, { nodeTypes: [inject, change, debug] });
 * flow.inject('scale', { payload: 5 });
 * expect((await flow.next('scale')).payload).toBe(50);
 * await flow.stop();
 */
export async function runFlow(document: unknown, options: RunFlowOptions): Promise<FlowUnderTest> {
  const runtime = createRuntime({
    nodeTypes: options.nodeTypes,
    env: options.env ?? {},
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.defaultQueueCapacity === undefined ? {} : { defaultQueueCapacity: options.defaultQueueCapacity }),
    ...(options.connectionTypes === undefined ? {} : { connectionTypes: options.connectionTypes }),
    ...(options.connectionBackoff === undefined ? {} : { connectionBackoff: options.connectionBackoff }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
  });
  const types = new Map(options.nodeTypes.map((t) => [t.type, t]));
  const sentByPort = new Map<string, Message[]>();
  const cursors = new Map<string, number>();
  const errors: NodeErrorEvent[] = [];
  const debug: DebugEvent[] = [];
  const statuses: StatusEvent[] = [];
  const logs: LogEvent[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const check of [...waiters]) check();
  };
  const key = (nodeId: string, port: string) => `${nodeId}\u0000${port}`;
  const listOf = (nodeId: string, port: string): Message[] => {
    let list = sentByPort.get(key(nodeId, port));
    if (!list) sentByPort.set(key(nodeId, port), (list = []));
    return list;
  };

  const unsubscribe = [
    runtime.on('sent', ({ nodeId, port, msg }) => {
      freezeMessage(msg);
      listOf(nodeId, port).push(msg);
      notify();
    }),
    runtime.on('error', (e) => {
      errors.push(e);
      notify();
    }),
    runtime.on('debug', (e) => {
      debug.push(e);
      notify();
    }),
    runtime.on('status', (e) => {
      statuses.push(e);
      notify();
    }),
    runtime.on('log', (e) => {
      logs.push(e);
      notify();
    }),
    runtime.on('deployed', notify),
  ];

  for (const [connectionId, values] of Object.entries(options.credentials ?? {})) {
    const entries = (document as { connections?: Array<{ id?: unknown; type?: unknown }> } | null)?.connections;
    const type = Array.isArray(entries) ? entries.find((c) => c?.id === connectionId)?.type : undefined;
    if (typeof type !== 'string') throw new Error(`runFlow: credentials given for "${connectionId}", but the document has no connection entry with that id`);
    await runtime.credentials.set(connectionId, values, { type });
  }
  const result = await runtime.deploy(document);
  if (!result.ok) {
    await runtime.stop();
    for (const off of unsubscribe) off();
    throw new Error(`runFlow: the flow document is invalid:\n${formatIssues(result.issues)}`);
  }

  const nodeEntry = (nodeId: string) => {
    const entry = runtime.document?.nodes.find((n) => n.id === nodeId);
    if (!entry) {
      const ids = runtime.document?.nodes.map((n) => n.id).join(', ') ?? '';
      throw new Error(`runFlow: the flow has no node "${nodeId}"; its nodes are: ${ids}`);
    }
    return entry;
  };
  const defaultPort = (nodeId: string): string => {
    const type = types.get(nodeEntry(nodeId).type);
    return Object.keys(type?.outputs ?? {})[0] ?? 'out';
  };
  const errorSummary = () =>
    errors.length === 0 ? 'no node errors' : `node errors so far:\n${errors.map((e) => `  - ${e.nodeId} ${e.code}: ${e.message}`).join('\n')}`;

  /** Resolve when `ready()` returns a value, re-checked on every event; reject after `timeoutMs` with `explain()`. */
  function until<T>(ready: () => T | undefined, timeoutMs: number, explain: (lastError: unknown) => string): Promise<T> {
    let lastError: unknown;
    const attempt = (): T | undefined => {
      try {
        return ready();
      } catch (err) {
        lastError = err;
        return undefined;
      }
    };
    const now = attempt();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        waiters.delete(check);
      };
      const check = () => {
        const value = attempt();
        if (value === undefined) return;
        done();
        resolve(value);
      };
      // Counters (metrics) change without an event; a light poll covers conditions on them.
      const poll = setInterval(check, 10);
      const timer = setTimeout(() => {
        done();
        reject(new Error(explain(lastError)));
      }, timeoutMs);
      waiters.add(check);
    });
  }

  function take(nodeId: string, count: number, opts: NextOptions = {}): Promise<Message[]> {
    const port = opts.port ?? defaultPort(nodeId);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const list = listOf(nodeId, port);
    const k = key(nodeId, port);
    const start = cursors.get(k) ?? 0;
    // Claim the messages now, so two pending `next` calls on one port get consecutive messages.
    cursors.set(k, start + count);
    return until(
      () => (list.length >= start + count ? list.slice(start, start + count) : undefined),
      timeoutMs,
      () => {
        cursors.set(k, Math.min(cursors.get(k) ?? 0, start));
        const otherPorts = [...sentByPort.entries()].filter(([k2, l]) => k2.startsWith(`${nodeId}\u0000`) && k2 !== k && l.length > 0).map(([k2, l]) => `${k2.split('\u0000')[1]} (${l.length})`);
        return (
          `runFlow: expected ${count === 1 ? 'a message' : `${count} messages`} from node "${nodeId}" port "${port}" within ${timeoutMs} ms, ` +
          `but ${list.length - start} arrived after the ${start} already read (${list.length} in all on that port)` +
          `${otherPorts.length > 0 ? `; other ports of the node sent: ${otherPorts.join(', ')}` : ''}; ${errorSummary()}`
        );
      },
    );
  }

  let stopped: Promise<StopReport> | undefined;
  return {
    inject(nodeId, msg, port) {
      nodeEntry(nodeId);
      const withId = typeof msg._msgid === 'string' ? msg : { ...msg, _msgid: newMessageId() };
      return runtime.inject(nodeId, freezeMessage(withId), port);
    },
    next: async (nodeId, opts) => (await take(nodeId, 1, opts))[0]!,
    take,
    sent(nodeId, port) {
      return [...listOf(nodeId, port ?? defaultPort(nodeId))];
    },
    errors,
    debug,
    statuses,
    logs,
    async waitFor(condition, opts = {}) {
      const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      await until(
        () => (condition() ? true : undefined),
        timeoutMs,
        (lastError) => `runFlow.waitFor: the condition did not become true within ${timeoutMs} ms${lastError === undefined ? '' : ` (it last threw: ${String(lastError)})`}; ${errorSummary()}`,
      );
    },
    metrics: () => runtime.metrics(),
    runtime,
    stop() {
      stopped ??= runtime.stop().finally(() => {
        for (const off of unsubscribe) off();
        waiters.clear();
      });
      return stopped;
    },
  };
}

function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `  - ${i.severity} ${i.code} at ${i.path}${i.nodeId ? ` (node "${i.nodeId}")` : ''}: ${i.message}`).join('\n');
}

/**
 * Deep-freeze a message so a node that mutates its input throws. Typed arrays and Buffers are
 * left as they are (JavaScript cannot freeze their contents).
 */
export function freezeMessage<T>(value: T): T {
  // Iterative: a payload nested tens of thousands deep (a device can send one) must not overflow
  // the stack here, which would drop the message from `sent` without a word.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === null || typeof next !== 'object' || Object.isFrozen(next)) continue;
    if (ArrayBuffer.isView(next) || next instanceof ArrayBuffer) continue;
    Object.freeze(next);
    for (const key of Object.keys(next)) stack.push((next as Record<string, unknown>)[key]);
  }
  return value;
}
