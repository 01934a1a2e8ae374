import { NodeError, type Message } from '@plantwire/node-sdk';
import { describe, expect, it } from 'vitest';
import type { NodeErrorEvent } from './api.js';
import { MAX_ERROR_HOPS, describeThrown, routeError, type ErrorOrigin, type ErrorRouterHost, type ErrorWatcher } from './error-router.js';

function setup(options: { portWired?: boolean; catchers?: number; uncaught?: number } = {}) {
  const portSent: Array<{ msg: Message; direct: boolean }> = [];
  const caught: Array<{ by: number; msg: Message }> = [];
  const watcher = (by: number): ErrorWatcher => ({ deliverWatched: (msg) => void caught.push({ by, msg }) });
  const origin: ErrorOrigin = {
    address: { id: 'n1', type: 'fail', name: 'Failing', tab: 't1' },
    errorPortWired: options.portWired ?? false,
    catchers: Array.from({ length: options.catchers ?? 0 }, (_, i) => watcher(i)),
    uncaughtCatchers: Array.from({ length: options.uncaught ?? 0 }, (_, i) => watcher(100 + i)),
    sendErrorPort: (msg, direct) => void portSent.push({ msg, direct }),
  };
  const events: NodeErrorEvent[] = [];
  const logs: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const failed: string[] = [];
  const host: ErrorRouterHost = {
    emitError: (e) => void events.push(e),
    logFor: (level, message, fields) => void logs.push({ level, message, fields }),
    markFailed: (_origin, text) => void failed.push(text),
  };
  return { origin, host, portSent, caught, events, logs, failed };
}

const msg: Message = { _msgid: 'm1', payload: 7 };

describe('routeError', () => {
  it('sends to the wired error port: the failed message plus error {message, code, source, count}', () => {
    const t = setup({ portWired: true, catchers: 1 });
    const event = routeError(t.origin, new NodeError('DECODE_FAILED', 'bad JSON'), msg, { direct: true }, t.host);
    expect(t.portSent).toEqual([
      { direct: true, msg: { _msgid: 'm1', payload: 7, error: { message: 'bad JSON', code: 'DECODE_FAILED', source: { id: 'n1', type: 'fail', name: 'Failing', tab: 't1' }, count: 1 } } },
    ]);
    expect(t.caught).toEqual([]); // the port takes precedence over catch nodes
    expect(event).toEqual({ nodeId: 'n1', type: 'fail', tab: 't1', msgId: 'm1', code: 'DECODE_FAILED', message: 'bad JSON', handledBy: 'port' });
    expect(t.events).toEqual([event]);
    expect(msg).toEqual({ _msgid: 'm1', payload: 7 }); // not mutated
  });

  it('goes to every catch node in scope, and to uncaught-only ones only when no other covers the node', () => {
    const both = setup({ catchers: 2, uncaught: 1 });
    routeError(both.origin, new Error('boom'), msg, { direct: false }, both.host);
    expect(both.caught.map((c) => c.by)).toEqual([0, 1]);
    expect(both.events[0]!.handledBy).toBe('catch');
    expect(both.events[0]!.code).toBe('NODE_FAILED');

    const onlyUncaught = setup({ uncaught: 1 });
    routeError(onlyUncaught.origin, new Error('boom'), msg, { direct: false }, onlyUncaught.host);
    expect(onlyUncaught.caught.map((c) => c.by)).toEqual([100]);
  });

  it('with nowhere to go, logs an error and marks the node failed (red badge)', () => {
    const t = setup();
    routeError(t.origin, 'a string was thrown', undefined, { direct: false, code: 'SETUP_FAILED', context: 'setup failed' }, t.host);
    expect(t.events[0]).toMatchObject({ code: 'SETUP_FAILED', message: 'setup failed: a string was thrown', handledBy: 'log', msgId: undefined });
    expect(t.logs[0]).toMatchObject({ level: 'error', message: 'setup failed: a string was thrown', fields: { code: 'SETUP_FAILED' } });
    expect(t.failed).toEqual(['setup failed: a string was thrown']);
  });

  it('gives a message-less error a new message with payload undefined', () => {
    const t = setup({ catchers: 1 });
    routeError(t.origin, new Error('timer failed'), undefined, { direct: false }, t.host);
    expect(t.caught[0]!.msg).toMatchObject({ _msgid: expect.any(String), payload: undefined, error: { message: 'timer failed', count: 1 } });
  });

  it(`breaks an error loop after ${MAX_ERROR_HOPS} trips with an ERROR_LOOP log entry`, () => {
    const t = setup({ catchers: 1 });
    let current: Message = msg;
    for (let i = 0; i < MAX_ERROR_HOPS; i++) {
      routeError(t.origin, new Error('again'), current, { direct: true }, t.host);
      current = t.caught.at(-1)!.msg;
    }
    expect(t.caught).toHaveLength(MAX_ERROR_HOPS);
    expect((current['error'] as { count: number }).count).toBe(MAX_ERROR_HOPS);
    const event = routeError(t.origin, new Error('again'), current, { direct: true }, t.host);
    expect(t.caught).toHaveLength(MAX_ERROR_HOPS); // not routed again
    expect(event).toMatchObject({ code: 'ERROR_LOOP', handledBy: 'log', msgId: 'm1' });
    expect(t.logs.at(-1)).toMatchObject({ level: 'error', message: expect.stringContaining('error loop broken'), fields: { code: 'ERROR_LOOP' } });
  });

  it('describes anything thrown readably', () => {
    expect(describeThrown(new NodeError('TIMEOUT', 'too slow', { cause: new Error('socket') })).fields).toMatchObject({ cause: 'socket' });
    expect(describeThrown({ weird: 1 }).message).toBe('a non-Error value was thrown: {"weird":1}');
    expect(describeThrown(undefined).message).toBe('a non-Error value was thrown: undefined');
  });
});
