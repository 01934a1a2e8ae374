import type { Ack, TrendPoint, TrendSpec } from '@plantwire/protocol';
import { describe, expect, it } from 'vitest';
import type { LiveSocket } from '../debug/live-socket.js';
import { watchTrend, type TrendWatchState } from './trend-watch.js';

type WatchReply = Ack<{ readonly trendId: string; readonly points: readonly TrendPoint[] }>;
type WatchAck = (err: Error | null, reply: WatchReply) => void;

/** A socket stand-in: the test plays the server by answering the captured `trend:watch` acks. */
function fakeSocket(connected = true) {
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  const watches: Array<{ spec: TrendSpec; ack: WatchAck; timeoutMs: number }> = [];
  const unwatched: string[] = [];
  const socket = {
    connected,
    on(event: string, listener: (...args: unknown[]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return socket;
    },
    off(event: string, listener: (...args: unknown[]) => void) {
      listeners.get(event)?.delete(listener);
      return socket;
    },
    timeout(timeoutMs: number) {
      return {
        emit(event: string, spec: TrendSpec, ack: WatchAck) {
          if (event !== 'trend:watch') throw new Error(`unexpected ${event}`);
          watches.push({ spec, ack, timeoutMs });
        },
      };
    },
    emit(event: string, trendId: string) {
      if (event !== 'trend:unwatch') throw new Error(`unexpected ${event}`);
      unwatched.push(trendId);
    },
    fire(event: string, ...args: unknown[]) {
      for (const listener of listeners.get(event) ?? []) listener(...args);
    },
    listenerCount() {
      let n = 0;
      for (const set of listeners.values()) n += set.size;
      return n;
    },
  };
  return { socket, watches, unwatched, live: socket as unknown as LiveSocket };
}

const spec: TrendSpec = { nodeId: 'boiler', port: 'out', path: 'payload.value' };

function recorder() {
  const batches: Array<readonly TrendPoint[]> = [];
  const gaps: number[] = [];
  const states: TrendWatchState[] = [];
  return { batches, gaps, states, handlers: { points: (p: readonly TrendPoint[]) => batches.push(p), gap: (t: number) => gaps.push(t), state: (s: TrendWatchState) => states.push(s) } };
}

describe('watchTrend', () => {
  it('watches, takes history then matching live batches, and unwatches on stop', () => {
    const { socket, watches, unwatched, live } = fakeSocket();
    const r = recorder();
    const watch = watchTrend(live, spec, r.handlers, { timeoutMs: 1_000 });
    expect(watches).toHaveLength(1);
    expect(watches[0]?.spec).toEqual(spec);
    expect(watches[0]?.timeoutMs).toBe(1_000);
    // A live batch overtaking the ack is kept and applied after the history.
    socket.fire('trend:sampled', { trendId: 't1', points: [{ t: 3, v: 3 }] });
    socket.fire('trend:sampled', { trendId: 'other', points: [{ t: 3, v: 99 }] });
    watches[0]?.ack(null, { ok: true, value: { trendId: 't1', points: [{ t: 1, v: 1 }, { t: 2, v: 2 }] } });
    socket.fire('trend:sampled', { trendId: 't1', points: [{ t: 4, v: 4, q: 'bad' }] });
    socket.fire('trend:sampled', { trendId: 'other', points: [{ t: 5, v: 5 }] });
    expect(r.batches).toEqual([[{ t: 1, v: 1 }, { t: 2, v: 2 }], [{ t: 3, v: 3 }], [{ t: 4, v: 4, q: 'bad' }]]);
    expect(r.states.map((s) => s.status)).toEqual(['watching', 'live']);

    watch.stop();
    watch.stop();
    expect(unwatched).toEqual(['t1']);
    expect(socket.listenerCount()).toBe(0);
  });

  it('reports a refusal and a timeout with their codes, and can retry', () => {
    const { watches, live } = fakeSocket();
    const r = recorder();
    const watch = watchTrend(live, spec, r.handlers);
    watches[0]?.ack(null, { ok: false, code: 'UNKNOWN_NODE', message: 'No node boiler in the running flow.' });
    expect(r.states.at(-1)).toEqual({ status: 'failed', code: 'UNKNOWN_NODE', message: 'No node boiler in the running flow.' });
    watch.retry();
    watches[1]?.ack(new Error('operation has timed out'), undefined as unknown as WatchReply);
    expect(r.states.at(-1)).toMatchObject({ status: 'failed', code: 'TIMEOUT' });
    expect((r.states.at(-1) as { message: string }).message).toContain('boiler:out');
    watch.stop();
  });

  it('unwatches a reply that arrives after stop', () => {
    const { watches, unwatched, live } = fakeSocket();
    const watch = watchTrend(live, spec, recorder().handlers);
    watch.stop();
    expect(unwatched).toEqual([]);
    watches[0]?.ack(null, { ok: true, value: { trendId: 'late', points: [] } });
    expect(unwatched).toEqual(['late']);
  });

  it('marks a gap on disconnect and watches again on reconnect', () => {
    const { socket, watches, unwatched, live } = fakeSocket();
    const r = recorder();
    const watch = watchTrend(live, spec, r.handlers);
    watches[0]?.ack(null, { ok: true, value: { trendId: 't1', points: [] } });
    socket.connected = false;
    socket.fire('disconnect', 'transport close');
    expect(r.gaps).toHaveLength(1);
    expect(r.states.at(-1)?.status).toBe('offline');
    // Old id's batches are ignored once the connection is gone.
    socket.fire('trend:sampled', { trendId: 't1', points: [{ t: 9, v: 9 }] });
    socket.connected = true;
    socket.fire('connect');
    expect(watches).toHaveLength(2);
    watches[1]?.ack(null, { ok: true, value: { trendId: 't2', points: [{ t: 10, v: 10 }] } });
    expect(r.batches.at(-1)).toEqual([{ t: 10, v: 10 }]);
    expect(r.batches.flat().some((p) => p.v === 9)).toBe(false);
    watch.stop();
    expect(unwatched).toEqual(['t2']);
  });

  it('waits for the connection before watching', () => {
    const { socket, watches, live } = fakeSocket(false);
    const r = recorder();
    const watch = watchTrend(live, spec, r.handlers);
    expect(watches).toHaveLength(0);
    expect(r.states).toEqual([{ status: 'offline' }]);
    socket.connected = true;
    socket.fire('connect');
    expect(watches).toHaveLength(1);
    watch.stop();
  });
});
