import { testNode } from '@plantwire/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { batch } from './batch.node.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('batch', () => {
  it('count: sends an array payload every count messages, with the shared topic', async () => {
    const node = await testNode(batch, { count: 3 });
    for (const payload of [1, 2, 3, 4, 5, 6, 7]) await node.input({ payload, topic: 'line1/temp' });
    expect(node.output()).toEqual([
      { _msgid: expect.any(String), topic: 'line1/temp', payload: [1, 2, 3] },
      { _msgid: expect.any(String), topic: 'line1/temp', payload: [4, 5, 6] },
    ]);
  });

  it('leaves the topic out when the messages had different topics', async () => {
    const node = await testNode(batch, { count: 2 });
    await node.input({ payload: 1, topic: 'a' });
    await node.input({ payload: 2, topic: 'b' });
    expect(node.output()[0]).toEqual({ _msgid: expect.any(String), payload: [1, 2] });
  });

  it('count with overlap: a sliding window', async () => {
    const node = await testNode(batch, { count: 3, overlap: 1 });
    for (const payload of [1, 2, 3, 4, 5, 6, 7]) await node.input({ payload });
    expect(node.output().map((m) => m.payload)).toEqual([[1, 2, 3], [3, 4, 5], [5, 6, 7]]);
  });

  it('count with maxWaitMs: sends an incomplete batch that long after its first message', async () => {
    const node = await testNode(batch, { count: 10, maxWaitMs: 1000 });
    await node.input({ payload: 1 });
    vi.advanceTimersByTime(500);
    await node.input({ payload: 2 });
    vi.advanceTimersByTime(499);
    expect(node.output()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(node.output().map((m) => m.payload)).toEqual([[1, 2]]);
    vi.advanceTimersByTime(5000);
    expect(node.output()).toHaveLength(1);
  });

  it('interval: sends what arrived each interval, nothing when nothing arrived', async () => {
    const node = await testNode(batch, { mode: 'interval', intervalMs: 1000 });
    await node.input({ payload: 'a' });
    await node.input({ payload: 'b' });
    vi.advanceTimersByTime(1000);
    vi.advanceTimersByTime(1000);
    await node.input({ payload: 'c' });
    vi.advanceTimersByTime(1000);
    expect(node.output().map((m) => m.payload)).toEqual([['a', 'b'], ['c']]);
  });

  it('interval with emitEmpty: an empty array as heartbeat', async () => {
    const node = await testNode(batch, { mode: 'interval', intervalMs: 1000, emitEmpty: true });
    vi.advanceTimersByTime(2000);
    expect(node.output().map((m) => m.payload)).toEqual([[], []]);
  });

  it('interval: a batch reaching maxSize is sent at once', async () => {
    const node = await testNode(batch, { mode: 'interval', intervalMs: 1000, maxSize: 2 });
    for (const payload of [1, 2, 3]) await node.input({ payload });
    expect(node.output().map((m) => m.payload)).toEqual([[1, 2]]);
    vi.advanceTimersByTime(1000);
    expect(node.output().map((m) => m.payload)).toEqual([[1, 2], [3]]);
  });

  it('stops sending after close, logging the dropped batch', async () => {
    const node = await testNode(batch, { mode: 'interval', intervalMs: 1000 });
    await node.input({ payload: 1 });
    await node.close();
    vi.advanceTimersByTime(5000);
    expect(node.output()).toEqual([]);
    expect(node.logs).toEqual([expect.objectContaining({ level: 'warn', fields: { dropped: 1 } })]);
  });

  it('rejects an overlap not less than count, at the overlap field', () => {
    const result = batch.config.safeParse({ count: 3, overlap: 3 });
    expect(result.error?.issues[0]).toMatchObject({ path: ['overlap'], message: 'overlap must be less than count (3)' });
  });
});
