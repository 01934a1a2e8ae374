/**
 * The socket side of a live trend, free of React: `trend:watch` (ack: id + history), the matching
 * `trend:sampled` batches, `trend:unwatch` when done, and a fresh watch after a reconnect (the
 * server forgets watches with their connection). A disconnect breaks the line with a gap.
 */
import type { TrendPoint, TrendSampledEvent, TrendSpec } from '@plantwire/protocol';
import type { LiveSocket } from '../debug/live-socket.js';

export type TrendWatchState =
  | { readonly status: 'watching' }
  | { readonly status: 'live'; readonly trendId: string }
  | { readonly status: 'offline' }
  | { readonly status: 'failed'; readonly code: string; readonly message: string };

export interface TrendWatchHandlers {
  /** History (on every successful watch) and live batches, in arrival order. */
  points(points: readonly TrendPoint[]): void;
  /** The live channel dropped at `t`: nothing is known until the next watch answers. */
  gap(t: number): void;
  state(state: TrendWatchState): void;
}

export interface TrendWatch {
  /** Stops the trend: unsubscribes and tells the server. Safe to call twice. */
  stop(): void;
  /** Asks again after a failure. */
  retry(): void;
}

/** How long the server has to answer `trend:watch`. */
export const TREND_WATCH_TIMEOUT_MS = 5_000;
/** Live batches kept while the ack is on its way (they may overtake it); more would be stale anyway. */
const EARLY_BATCHES = 20;

export function watchTrend(socket: LiveSocket, spec: TrendSpec, handlers: TrendWatchHandlers, options: { readonly timeoutMs?: number } = {}): TrendWatch {
  const timeoutMs = options.timeoutMs ?? TREND_WATCH_TIMEOUT_MS;
  let trendId: string | undefined;
  let attempt = 0;
  let stopped = false;
  let early: TrendSampledEvent[] = [];

  const onSampled = (event: TrendSampledEvent): void => {
    if (trendId === undefined) {
      early.push(event);
      if (early.length > EARLY_BATCHES) early.shift();
    } else if (event.trendId === trendId) handlers.points(event.points);
  };

  const watch = (): void => {
    const mine = ++attempt;
    trendId = undefined;
    early = [];
    handlers.state({ status: 'watching' });
    socket.timeout(timeoutMs).emit('trend:watch', spec, (err, reply) => {
      const stale = stopped || mine !== attempt;
      if (stale) {
        // A watch that was superseded or cancelled while in flight must not stay open on the server.
        if (!err && reply.ok) socket.emit('trend:unwatch', reply.value.trendId);
        return;
      }
      if (err) {
        handlers.state({ status: 'failed', code: 'TIMEOUT', message: `The server did not answer trend:watch for ${spec.nodeId}:${spec.port} within ${timeoutMs} ms.` });
        return;
      }
      if (!reply.ok) {
        handlers.state({ status: 'failed', code: reply.code, message: reply.message });
        return;
      }
      trendId = reply.value.trendId;
      handlers.points(reply.value.points);
      for (const event of early) if (event.trendId === trendId) handlers.points(event.points);
      early = [];
      handlers.state({ status: 'live', trendId });
    });
  };

  const onConnect = (): void => watch();
  const onDisconnect = (): void => {
    trendId = undefined;
    attempt++;
    handlers.gap(Date.now());
    handlers.state({ status: 'offline' });
  };

  socket.on('trend:sampled', onSampled);
  socket.on('connect', onConnect);
  socket.on('disconnect', onDisconnect);
  if (socket.connected) watch();
  else handlers.state({ status: 'offline' });

  return {
    stop() {
      if (stopped) return;
      stopped = true;
      socket.off('trend:sampled', onSampled);
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      if (trendId !== undefined && socket.connected) socket.emit('trend:unwatch', trendId);
      trendId = undefined;
    },
    retry() {
      if (!stopped && socket.connected) watch();
    },
  };
}
