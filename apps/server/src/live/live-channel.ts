import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'socket.io';
import type {
  ClientToServerEvents,
  FlowsDeployedEvent,
  MetricsSampledEvent,
  NodeCountersSample,
  NodeStatus,
  PortCountersSample,
  ServerToClientEvents,
  TrendSpec,
} from '@plantwire/protocol';
import type { NodeCounters } from '@plantwire/runtime';
import { isAllowedHost } from '../http/is-allowed-host.js';
import type { Session } from '../auth/session-store.js';
import type { ServerContext } from '../server-context.js';
import { createDebugGate, type DebugGate } from './debug-gate.js';
import { createTrendStore, MAX_TRENDS } from './trend-store.js';
import { truncateValue } from './truncate-value.js';

/** A client whose socket holds more than this many unsent packets gets nothing new until it drains (counted as skipped). */
export const MAX_BUFFERED_PACKETS = 256;
/** …or more than this many bytes in its websocket's send buffer. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** Errors forwarded per client per second; more are dropped (they are also in the server log). */
const ERRORS_PER_SECOND = 20;
/** Trends one client may watch at once. */
const MAX_WATCHES_PER_CLIENT = 20;
/** Status badges are coalesced per node and sent at most this often. */
const STATUS_FLUSH_MS = 200;

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { session?: Session }>;

interface Client {
  readonly socket: LiveSocket;
  readonly gate: DebugGate;
  readonly errors: DebugGate;
  readonly watches: Set<string>;
}

export interface LiveChannelOptions {
  readonly debugRatePerClient: number;
  readonly allowedHosts: readonly string[] | undefined;
  /** Sampling period of metrics, skipped reports and trends. Default 1000 ms. */
  readonly tickMs?: number;
}

/** The socket.io side of the server. */
export interface LiveChannel {
  broadcastDeployed(event: FlowsDeployedEvent): void;
  clientCount(): number;
  /** Stop timers, runtime subscriptions and close every socket. */
  close(): Promise<void>;
}

/** True when a client's transport is backed up: sending more would queue in server memory. */
function isBackedUp(socket: LiveSocket): boolean {
  const conn = socket.conn as unknown as { writeBuffer?: unknown[]; transport?: { socket?: { bufferedAmount?: number } } };
  return (conn.writeBuffer?.length ?? 0) > MAX_BUFFERED_PACKETS || (conn.transport?.socket?.bufferedAmount ?? 0) > MAX_BUFFERED_BYTES;
}

function isTrendSpec(spec: unknown): spec is TrendSpec {
  const s = spec as Partial<TrendSpec> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.nodeId === 'string' &&
    typeof s.port === 'string' &&
    typeof s.path === 'string' &&
    s.path.length <= 200 &&
    (s.topic === undefined || (typeof s.topic === 'string' && s.topic.length <= 1024))
  );
}

/**
 * Attach socket.io to the HTTP server: auth on the handshake (`auth.token`), then debug messages
 * through a per-client token bucket with `debug:skipped` reports, coalesced status badges,
 * `metrics:sampled` and trends once a tick, and nothing queued for a client that does not read.
 */
export function createLiveChannel(httpServer: HttpServer, ctx: ServerContext, options: LiveChannelOptions): LiveChannel {
  const tickMs = options.tickMs ?? 1000;
  const io = new ctx.http.SocketServer<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { session?: Session }>(httpServer, {
    serveClient: false,
    // Client requests are tiny (a trend spec); a large frame is an attack or a bug.
    maxHttpBufferSize: 64 * 1024,
    allowRequest: (req, done) => done(null, options.allowedHosts === undefined || isAllowedHost(req.headers.host, options.allowedHosts)),
  });
  const clients = new Map<string, Client>();
  const statuses = new Map<string, NodeStatus | null>();
  const pendingStatuses = new Map<string, NodeStatus | null>();
  const portTotals = new Map<string, number>();
  const trends = createTrendStore();
  let previous: { at: number; counters: Readonly<Record<string, NodeCounters>>; ports: Map<string, number> } | undefined;

  io.use((socket, next) => {
    if (ctx.users === undefined) return next();
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const session = ctx.sessions.get(typeof token === 'string' ? token : undefined);
    if (!session) {
      const error = new Error('UNAUTHORIZED: the live channel needs a session token: io(url, {auth: {token}}) after POST /api/auth/login') as Error & { data?: unknown };
      error.data = { code: 'UNAUTHORIZED' };
      return next(error);
    }
    socket.data.session = session;
    next();
  });

  // 'sent' fires for every message in the runtime: listened to only while someone looks.
  let unsubscribeSent: (() => void) | undefined;
  const updateSentSubscription = () => {
    const wanted = clients.size > 0;
    if (wanted && !unsubscribeSent) {
      unsubscribeSent = ctx.runtime.on('sent', ({ nodeId, port, msg }) => {
        const key = `${nodeId}:${port}`;
        portTotals.set(key, (portTotals.get(key) ?? 0) + 1);
        trends.observe(nodeId, port, msg, Date.now());
      });
    } else if (!wanted && unsubscribeSent) {
      unsubscribeSent();
      unsubscribeSent = undefined;
    }
  };

  io.on('connection', (socket) => {
    const client: Client = { socket, gate: createDebugGate(options.debugRatePerClient), errors: createDebugGate(ERRORS_PER_SECOND), watches: new Set() };
    clients.set(socket.id, client);
    updateSentSubscription();

    socket.on('node:statuses', (ack) => {
      if (typeof ack !== 'function') return;
      ack({ ok: true, value: Object.fromEntries(statuses) });
    });
    socket.on('trend:watch', (spec, ack) => {
      if (typeof ack !== 'function') return;
      if (!isTrendSpec(spec)) return ack({ ok: false, code: 'BAD_REQUEST', message: 'trend:watch needs {nodeId, port, path} strings and an optional topic string' });
      if (client.watches.size >= MAX_WATCHES_PER_CLIENT) return ack({ ok: false, code: 'RATE_LIMITED', message: `a client may watch at most ${MAX_WATCHES_PER_CLIENT} trends; unwatch one first` });
      // Only the fields a trend is made of are kept: a client's extra keys never reach the store.
      const { nodeId, port, path, topic } = spec;
      const watched = trends.watch(topic === undefined ? { nodeId, port, path } : { nodeId, port, path, topic });
      if (!watched) return ack({ ok: false, code: 'RATE_LIMITED', message: `the server keeps at most ${MAX_TRENDS} trends` });
      if (client.watches.has(watched.trendId)) trends.unwatch(watched.trendId); // one count per client
      client.watches.add(watched.trendId);
      void socket.join(`trend:${watched.trendId}`);
      ack({ ok: true, value: watched });
    });
    socket.on('trend:unwatch', (trendId) => {
      if (typeof trendId !== 'string' || !client.watches.delete(trendId)) return;
      trends.unwatch(trendId);
      void socket.leave(`trend:${trendId}`);
    });
    socket.on('disconnect', () => {
      for (const id of client.watches) trends.unwatch(id);
      clients.delete(socket.id);
      updateSentSubscription();
    });
  });

  const offRevoked = ctx.sessions.onRevoked((session) => {
    for (const { socket } of clients.values()) if (socket.data.session?.key === session.key) socket.disconnect(true);
  });

  const off = [
    ctx.runtime.on('debug', (event) => {
      if (clients.size === 0) return;
      // Cut once per message, only when some client takes it.
      let payload: ReturnType<typeof truncateValue> | undefined;
      for (const { socket, gate } of clients.values()) {
        if (!gate.admit(event.nodeId, event.timestamp)) continue;
        if (isBackedUp(socket)) {
          gate.skip(event.nodeId, event.timestamp);
          continue;
        }
        const skipped = gate.takeSkipped(event.nodeId);
        if (skipped) socket.emit('debug:skipped', skipped);
        payload ??= truncateValue(event.value);
        socket.emit('debug:message', {
          nodeId: event.nodeId,
          ...(event.nodeName === undefined ? {} : { nodeName: event.nodeName }),
          msgId: event.msgId,
          value: payload.value,
          ...(payload.truncated ? { truncated: true } : {}),
          timestamp: event.timestamp,
        });
      }
    }),
    ctx.runtime.on('error', (event) => {
      const timestamp = Date.now();
      for (const { socket, errors } of clients.values()) {
        if (!errors.admit(event.nodeId, timestamp) || isBackedUp(socket)) continue;
        socket.emit('node:error-raised', { nodeId: event.nodeId, type: event.type, msgId: event.msgId, code: event.code, message: event.message, handledBy: event.handledBy, timestamp });
      }
    }),
    ctx.runtime.on('status', ({ nodeId, status }) => {
      statuses.set(nodeId, status);
      pendingStatuses.set(nodeId, status);
    }),
    ctx.runtime.on('connection', (event) => {
      for (const { socket } of clients.values()) {
        if (isBackedUp(socket)) continue;
        socket.emit('connection:state-changed', { id: event.id, type: event.type, state: event.state, reason: event.reason, attempt: event.attempt, nextRetryMs: event.nextRetryMs });
      }
    }),
    ctx.runtime.on('deployed', (result) => {
      for (const id of [...result.stopped, ...result.restarted]) {
        statuses.delete(id);
        for (const key of [...portTotals.keys()]) if (key.startsWith(`${id}:`)) portTotals.delete(key);
      }
      trends.dropNodes(result.stopped);
    }),
  ];

  const statusTimer = setInterval(() => {
    if (pendingStatuses.size === 0) return;
    const batch = [...pendingStatuses];
    pendingStatuses.clear();
    for (const { socket } of clients.values()) {
      if (isBackedUp(socket)) continue;
      for (const [nodeId, status] of batch) socket.emit('node:status-changed', { nodeId, status });
    }
  }, STATUS_FLUSH_MS);
  statusTimer.unref();

  const tick = () => {
    const now = Date.now();
    for (const { socket, gate, errors } of clients.values()) {
      // Errors over the budget are not reported (the protocol has no event for that; they are in the log).
      errors.flush();
      if (isBackedUp(socket)) continue;
      for (const skipped of gate.flush()) socket.emit('debug:skipped', skipped);
    }
    for (const { trendId, points } of trends.tick(now)) io.to(`trend:${trendId}`).emit('trend:sampled', { trendId, points });
    if (clients.size === 0) {
      previous = undefined;
      return;
    }
    const counters = ctx.runtime.metrics();
    const seconds = previous ? Math.max(0.001, (now - previous.at) / 1000) : undefined;
    const nodes: Record<string, NodeCountersSample> = {};
    for (const [id, c] of Object.entries(counters)) {
      const before = previous?.counters[id];
      const rate = (a: number, b: number | undefined) => (seconds === undefined || b === undefined || a < b ? 0 : Math.round(((a - b) / seconds) * 10) / 10);
      nodes[id] = { in: c.in, out: c.out, errors: c.errors, dropped: c.dropped, queueDepth: c.queueDepth, queueCapacity: c.queueCapacity, inPerSecond: rate(c.in, before?.in), outPerSecond: rate(c.out, before?.out) };
    }
    const ports: Record<string, PortCountersSample> = {};
    for (const [key, total] of portTotals) {
      const before = previous?.ports.get(key);
      ports[key] = { total, perSecond: seconds === undefined || before === undefined || total < before ? 0 : Math.round(((total - before) / seconds) * 10) / 10 };
    }
    previous = { at: now, counters, ports: new Map(portTotals) };
    const event: MetricsSampledEvent = { at: now, nodes, ports };
    for (const { socket } of clients.values()) if (!isBackedUp(socket)) socket.emit('metrics:sampled', event);
    // Sessions expire while connected too.
    if (ctx.users !== undefined) for (const { socket } of clients.values()) if ((socket.data.session?.expiresAt ?? 0) <= now) socket.disconnect(true);
  };
  const tickTimer = setInterval(tick, tickMs);
  tickTimer.unref();

  return {
    broadcastDeployed(event) {
      for (const { socket } of clients.values()) socket.emit('flows:deployed', event);
    },
    clientCount: () => clients.size,
    async close() {
      clearInterval(statusTimer);
      clearInterval(tickTimer);
      offRevoked();
      for (const o of off) o();
      unsubscribeSent?.();
      unsubscribeSent = undefined;
      io.disconnectSockets(true);
      // io.close() would also close the HTTP server; the caller does that after draining the runtime.
      io.engine.close();
    },
  };
}
