import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDebugFeed, type DebugEventSource } from './debug-feed.js';

/** A socket stand-in that records listeners, so a test can emit and see what is subscribed. */
function fakeSource() {
  const listeners = new Map<string, Set<(event: never) => void>>();
  const source = {
    on(event: string, listener: (event: never) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return source;
    },
    off(event: string, listener: (event: never) => void) {
      listeners.get(event)?.delete(listener);
      return source;
    },
    emit(event: string, payload: unknown) {
      for (const listener of listeners.get(event) ?? []) (listener as (event: unknown) => void)(payload);
    },
    count(): number {
      let n = 0;
      for (const set of listeners.values()) n += set.size;
      return n;
    },
  };
  return source;
}

function manualFrames() {
  const pending: Array<() => void> = [];
  return {
    schedule: (callback: () => void) => void pending.push(callback),
    runFrame() {
      const callbacks = pending.splice(0);
      for (const callback of callbacks) callback();
      return callbacks.length;
    },
  };
}

describe('createDebugFeed', () => {
  it('listens only while retained, once however many retain it', () => {
    const source = fakeSource();
    const feed = createDebugFeed(source as DebugEventSource, { schedule: manualFrames().schedule });
    expect(source.count()).toBe(0);
    const releaseA = feed.retain();
    const releaseB = feed.retain();
    expect(source.count()).toBe(4);
    releaseA();
    releaseA();
    expect(source.count()).toBe(4);
    releaseB();
    expect(source.count()).toBe(0);
    source.emit('debug:message', { nodeId: 'a', msgId: '1', value: 1, timestamp: 1 });
    expect(feed.log.size).toBe(0);
  });

  it('applies every event at once and notifies once per frame', () => {
    const source = fakeSource();
    const frames = manualFrames();
    const feed = createDebugFeed(source as DebugEventSource, { schedule: frames.schedule, capacity: 100, minIntervalMs: 0 });
    feed.retain();
    let notified = 0;
    feed.subscribe(() => notified++);
    for (let i = 0; i < 5_000; i++) source.emit('debug:message', { nodeId: 'a', msgId: String(i), value: i, timestamp: i });
    source.emit('debug:skipped', { nodeId: 'a', count: 10, from: 1, to: 2 });
    source.emit('node:error-raised', { nodeId: 'b', type: 'x', code: 'TIMEOUT', message: 'late', handledBy: 'log', timestamp: 3 });
    source.emit('metrics:sampled', { at: 1, nodes: { a: { in: 5_010, out: 0, errors: 0, dropped: 0, queueDepth: 0, queueCapacity: 1, inPerSecond: 0, outPerSecond: 0 } }, ports: {} });
    expect(feed.log.shown('a')).toBe(5_000);
    expect(feed.log.received('a')).toBe(5_010);
    expect(feed.log.size).toBe(100);
    expect(notified).toBe(0);
    const before = feed.version;
    expect(frames.runFrame()).toBe(1);
    expect(notified).toBe(1);
    expect(feed.version).toBe(before + 1);
    expect(frames.runFrame()).toBe(0);
    feed.changed();
    feed.changed();
    expect(frames.runFrame()).toBe(1);
    expect(notified).toBe(2);
  });

  describe('render rate', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('waits out the minimum interval after a render, then asks for a frame', () => {
      vi.useFakeTimers();
      let clock = 1_000;
      const source = fakeSource();
      const frames = manualFrames();
      const feed = createDebugFeed(source as DebugEventSource, { schedule: frames.schedule, minIntervalMs: 100, now: () => clock });
      feed.retain();
      source.emit('debug:message', { nodeId: 'a', msgId: '1', value: 1, timestamp: 1 });
      expect(frames.runFrame()).toBe(1);
      clock += 16;
      source.emit('debug:message', { nodeId: 'a', msgId: '2', value: 2, timestamp: 2 });
      source.emit('debug:message', { nodeId: 'a', msgId: '3', value: 3, timestamp: 3 });
      expect(frames.runFrame()).toBe(0);
      vi.advanceTimersByTime(83);
      expect(frames.runFrame()).toBe(0);
      vi.advanceTimersByTime(1);
      clock += 84;
      expect(frames.runFrame()).toBe(1);
      expect(feed.log.shown('a')).toBe(3);
    });

    it('applies a click at once', () => {
      const feed = createDebugFeed(fakeSource() as DebugEventSource, { schedule: manualFrames().schedule });
      let notified = 0;
      feed.subscribe(() => notified++);
      feed.log.pause();
      feed.changed({ now: true });
      expect(notified).toBe(1);
    });
  });
});
