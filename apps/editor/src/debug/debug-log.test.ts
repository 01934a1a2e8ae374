import type { DebugMessageEvent, MetricsSampledEvent, NodeCountersSample } from '@plantwire/protocol';
import { describe, expect, it } from 'vitest';
import { createDebugLog, entryPreview, PREVIEW_CHARS, type DebugEntry } from './debug-log.js';

const message = (nodeId: string, value: unknown, timestamp = 1_000, msgId = `m${timestamp}`): DebugMessageEvent =>
  Object.freeze({ nodeId, nodeName: `name-${nodeId}`, msgId, value, timestamp });

const counters = (input: number): NodeCountersSample => ({
  in: input,
  out: 0,
  errors: 0,
  dropped: 0,
  queueDepth: 0,
  queueCapacity: 100,
  inPerSecond: 0,
  outPerSecond: 0,
});

const metrics = (nodes: Record<string, number>, at = 0): MetricsSampledEvent => ({
  at,
  nodes: Object.fromEntries(Object.entries(nodes).map(([id, n]) => [id, counters(n)])),
  ports: {},
});

const kinds = (entries: readonly DebugEntry[]): string[] => entries.map((e) => (e.kind === 'skipped' ? `skipped:${e.count}` : `${e.kind}:${e.nodeId}`));

describe('createDebugLog', () => {
  it('keeps messages, errors and skipped markers in arrival order', () => {
    const log = createDebugLog();
    log.addMessage(message('a', 1, 1));
    log.addError({ nodeId: 'b', type: 'modbus-read', code: 'TIMEOUT', message: 'no reply from 127.0.0.1:5020', handledBy: 'log', timestamp: 2 });
    log.addSkipped({ nodeId: 'a', count: 40, from: 2, to: 3 });
    log.addMessage(message('a', 2, 4));
    expect(kinds(log.view())).toEqual(['message:a', 'error:b', 'skipped:40', 'message:a']);
    expect(log.shown('a')).toBe(2);
    expect(log.skipped('a')).toBe(40);
    expect(log.nodeIds()).toEqual(['a', 'b']);
  });

  it('evicts the oldest entries beyond its capacity and counts them', () => {
    const log = createDebugLog({ capacity: 3 });
    for (let i = 1; i <= 5; i++) log.addMessage(message('a', i, i));
    const values = log.view().map((e) => (e.kind === 'message' ? e.value : undefined));
    expect(values).toEqual([3, 4, 5]);
    expect(log.evicted).toBe(2);
    expect(log.shown('a')).toBe(5);
  });

  it('merges consecutive skipped markers of one node into one entry', () => {
    const log = createDebugLog({ capacity: 10 });
    log.addSkipped({ nodeId: 'a', count: 5, from: 10, to: 20 });
    log.addSkipped({ nodeId: 'a', count: 7, from: 20, to: 30 });
    log.addSkipped({ nodeId: 'b', count: 1, from: 25, to: 25 });
    const view = log.view();
    expect(view).toHaveLength(2);
    expect(view[0]).toMatchObject({ kind: 'skipped', nodeId: 'a', count: 12, from: 10, to: 30 });
    expect(log.size).toBe(2);
  });

  it('filters by node and by text in the value preview, the node name and error text', () => {
    const log = createDebugLog();
    log.addMessage(message('boiler', { temperature: 71.5, quality: 'good' }, 1));
    log.addMessage(message('pump', { rpm: 1450 }, 2));
    log.addError({ nodeId: 'pump', type: 'modbus-read', code: 'NOT_CONNECTED', message: 'PLC down', handledBy: 'catch', timestamp: 3 });
    log.addSkipped({ nodeId: 'boiler', count: 3, from: 3, to: 4 });

    expect(kinds(log.view({ nodeIds: new Set(['pump']) }))).toEqual(['message:pump', 'error:pump']);
    expect(kinds(log.view({ text: 'TEMPERATURE' }))).toEqual(['message:boiler', 'skipped:3']);
    // Markers stay visible under a text filter: a match may be among the skipped messages.
    expect(kinds(log.view({ text: 'not_connected' }))).toEqual(['error:pump', 'skipped:3']);
    expect(kinds(log.view({ text: 'name-pump' }))).toEqual(['message:pump', 'skipped:3']);
    expect(kinds(log.view({ text: '  ' }))).toHaveLength(4);
  });

  it('shows skipped markers that filtering brings together as one', () => {
    const log = createDebugLog();
    log.addSkipped({ nodeId: 'a', count: 2, from: 1, to: 2 });
    log.addMessage(message('b', 'x', 3));
    log.addSkipped({ nodeId: 'a', count: 3, from: 3, to: 4 });
    const view = log.view({ nodeIds: new Set(['a']) });
    expect(view).toHaveLength(1);
    expect(view[0]).toMatchObject({ kind: 'skipped', count: 5, from: 1, to: 4 });
  });

  it('holds arrivals while paused and shows them on resume, with a marker for what did not fit', () => {
    const log = createDebugLog({ capacity: 4 });
    log.addMessage(message('a', 'before', 1));
    log.pause();
    for (let i = 0; i < 10; i++) log.addMessage(message('a', `held-${i}`, 10 + i));
    expect(log.paused).toBe(true);
    expect(log.heldCount).toBe(10);
    // The visible log does not move while paused.
    expect(log.view().map((e) => (e.kind === 'message' ? e.value : e.kind))).toEqual(['before']);

    log.resume();
    expect(log.paused).toBe(false);
    expect(log.heldCount).toBe(0);
    const view = log.view();
    expect(view.map((e) => (e.kind === 'message' ? e.value : `${e.kind}:${e.kind === 'skipped' ? e.count : ''}`))).toEqual([
      'skipped:7',
      'held-7',
      'held-8',
      'held-9',
    ]);
    expect(view[0]).toMatchObject({ kind: 'skipped', reason: 'paused', nodeId: undefined, from: 10, to: 16 });
    expect(log.shown('a')).toBe(11);
  });

  it('keeps the last entry per node for the canvas, also while paused and after clear', () => {
    const log = createDebugLog();
    log.addMessage(message('a', 1, 1));
    log.pause();
    log.addMessage(message('a', 2, 2));
    expect(log.lastFor('a')).toMatchObject({ kind: 'message', value: 2 });
    log.addError({ nodeId: 'a', type: 'debug', code: 'X', message: 'boom', handledBy: 'log', timestamp: 3 });
    expect(log.lastFor('a')).toMatchObject({ kind: 'error', code: 'X' });
    log.clear();
    expect(log.view()).toEqual([]);
    expect(log.lastFor('a')?.kind).toBe('error');
    expect(log.lastFor('nope')).toBeUndefined();
  });

  it('clear empties log and hold buffer and resets shown and skipped counts but not received', () => {
    const log = createDebugLog();
    log.addMessage(message('a', 1));
    log.addSkipped({ nodeId: 'a', count: 9, from: 1, to: 2 });
    log.setMetrics(metrics({ a: 10 }));
    log.pause();
    log.addMessage(message('a', 2));
    log.clear();
    log.resume();
    expect(log.view()).toEqual([]);
    expect(log.shown('a')).toBe(0);
    expect(log.skipped('a')).toBe(0);
    expect(log.received('a')).toBe(10);
    expect(log.evicted).toBe(0);
  });

  it('takes exact received counts from the latest metrics sample', () => {
    const log = createDebugLog();
    expect(log.received('dbg')).toBeUndefined();
    const before = log.version;
    log.setMetrics(metrics({ dbg: 12_345, other: 1 }));
    expect(log.version).toBeGreaterThan(before);
    expect(log.received('dbg')).toBe(12_345);
    log.setMetrics(metrics({ dbg: 300_000 }));
    expect(log.received('dbg')).toBe(300_000);
    expect(log.received('other')).toBeUndefined();
  });

  it('caches a length-capped preview per entry, computed only when asked', () => {
    const log = createDebugLog();
    const huge = { values: Array.from({ length: 100_000 }, (_, i) => ({ i, quality: 'good' })) };
    log.addMessage(message('a', huge));
    const [entry] = log.view();
    if (!entry) throw new Error('expected one entry');
    const preview = entryPreview(entry);
    expect(preview.length).toBeLessThanOrEqual(PREVIEW_CHARS + 1);
    expect(preview.startsWith('{values: [{i: 0, quality: "good"}')).toBe(true);
    expect(entryPreview(entry)).toBe(preview);
  });

  it('survives a flood of 100,000 events with its size bounded and its counts exact', () => {
    const capacity = 1_000;
    const log = createDebugLog({ capacity });
    const sent = new Map<string, number>();
    const skippedSent = new Map<string, number>();
    let maxSize = 0;
    const started = performance.now();
    for (let i = 0; i < 100_000; i++) {
      const nodeId = `dbg-${i % 3}`;
      if (i % 10 === 9) {
        log.addSkipped({ nodeId, count: 97, from: i, to: i + 1 });
        skippedSent.set(nodeId, (skippedSent.get(nodeId) ?? 0) + 97);
      } else if (i % 1000 === 500) {
        log.addError({ nodeId, type: 'debug', code: 'TIMEOUT', message: `#${i}`, handledBy: 'log', timestamp: i });
      } else {
        log.addMessage(message(nodeId, { value: i, quality: 'good', text: 'x'.repeat(200) }, i, `m${i}`));
        sent.set(nodeId, (sent.get(nodeId) ?? 0) + 1);
      }
      if (i === 50_000) log.pause();
      if (i === 70_000) log.resume();
      if (i % 1000 === 0) log.setMetrics(metrics({ 'dbg-0': i * 100 }, i));
      maxSize = Math.max(maxSize, log.size);
    }
    log.setMetrics(metrics({ 'dbg-0': 10_000_000 }, 100_000));
    const elapsed = performance.now() - started;

    expect(maxSize).toBeLessThanOrEqual(capacity);
    expect(log.view().length).toBeLessThanOrEqual(capacity);
    expect(log.heldCount).toBe(0);
    for (const [nodeId, n] of sent) expect(log.shown(nodeId)).toBe(n);
    for (const [nodeId, n] of skippedSent) expect(log.skipped(nodeId)).toBe(n);
    expect(log.received('dbg-0')).toBe(10_000_000);
    // The buffer holds what is newest: the very last message is there.
    expect(log.view().at(-2)).toMatchObject({ kind: 'message', msgId: 'm99998' });
    expect(log.view().at(-1)).toMatchObject({ kind: 'skipped', nodeId: 'dbg-0', count: 97, to: 100_000 });
    // Constant work per event: 100,000 arrivals are far from a frame budget each.
    expect(elapsed).toBeLessThan(5_000);
  });
});
