import { testNode } from '@plantwire/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { rateLimit } from './rate-limit.node.js';
import { throttledStatus } from './throttled-status.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

type Out = { output(): Array<{ payload?: unknown; topic?: string }> };
const payloads = (node: Out) => node.output().map((m) => m.payload);

describe('rate-limit', () => {
  it('queue: sends the first N at once and the rest as the sliding window allows, in order', async () => {
    const node = await testNode(rateLimit, { limit: 2, intervalMs: 1000 });
    for (const payload of [1, 2, 3, 4, 5]) await node.input({ payload });
    expect(payloads(node)).toEqual([1, 2]);
    vi.advanceTimersByTime(999);
    expect(payloads(node)).toEqual([1, 2]);
    vi.advanceTimersByTime(1);
    expect(payloads(node)).toEqual([1, 2, 3, 4]);
    vi.advanceTimersByTime(1000);
    expect(payloads(node)).toEqual([1, 2, 3, 4, 5]);
  });

  it('never sends more than N within any window', async () => {
    const node = await testNode(rateLimit, { limit: 3, intervalMs: 100 });
    const sentAt: number[] = [];
    for (let t = 0; t < 1000; t++) {
      if (t % 7 === 0 && t < 140) await node.input({ payload: t });
      while (sentAt.length < node.output().length) sentAt.push(Date.now());
      vi.advanceTimersByTime(1);
    }
    expect(sentAt).toHaveLength(20);
    for (let i = 0; i + 3 < sentAt.length; i++) expect(sentAt[i + 3]! - sentAt[i]!).toBeGreaterThanOrEqual(100);
    // …and it is not slower than it needs to be: the 4th message leaves exactly when the 1st leaves the window.
    expect(sentAt.slice(0, 4)).toEqual([0, 7, 14, 100]);
  });

  it('drop: drops the excess and counts it on the badge', async () => {
    const node = await testNode(rateLimit, { limit: 1, intervalMs: 1000, mode: 'drop' });
    for (const payload of [1, 2, 3]) await node.input({ payload });
    vi.advanceTimersByTime(1000);
    await node.input({ payload: 4 });
    expect(payloads(node)).toEqual([1, 4]);
    expect(node.statuses.at(-1)).toEqual({ fill: 'yellow', shape: 'ring', text: '2 dropped' });
  });

  it('latest-per-topic: keeps only the newest waiting message of each topic, topics in order', async () => {
    const node = await testNode(rateLimit, { limit: 1, intervalMs: 1000, mode: 'latest-per-topic' });
    await node.input({ topic: 'a', payload: 1 });
    await node.input({ topic: 'b', payload: 1 });
    await node.input({ topic: 'c', payload: 1 });
    await node.input({ topic: 'b', payload: 2 });
    await node.input({ topic: 'c', payload: 2 });
    await node.input({ topic: 'b', payload: 3 });
    vi.advanceTimersByTime(3000);
    expect(node.output().map((m) => `${m.topic}${String(m.payload)}`)).toEqual(['a1', 'b3', 'c2']);
  });

  it('perTopic: every topic has its own limit', async () => {
    const node = await testNode(rateLimit, { limit: 1, intervalMs: 1000, mode: 'drop', perTopic: true });
    for (const topic of ['a', 'b', 'a', 'c', 'b']) await node.input({ topic, payload: 0 });
    expect(node.output().map((m) => m.topic)).toEqual(['a', 'b', 'c']);
  });

  it('perTopic with latest-per-topic throttles each tag to its newest value', async () => {
    const node = await testNode(rateLimit, { limit: 1, intervalMs: 1000, mode: 'latest-per-topic', perTopic: true });
    for (const payload of [1, 2, 3]) await node.input({ topic: 'temp', payload });
    await node.input({ topic: 'flow', payload: 9 });
    expect(node.output().map((m) => `${m.topic}${String(m.payload)}`)).toEqual(['temp1', 'flow9']);
    vi.advanceTimersByTime(1000);
    expect(node.output().map((m) => `${m.topic}${String(m.payload)}`)).toEqual(['temp1', 'flow9', 'temp3']);
  });

  it('bounds the waiting messages with maxQueue, counting the overflow', async () => {
    const node = await testNode(rateLimit, { limit: 1, intervalMs: 1000, maxQueue: 2 });
    for (const payload of [1, 2, 3, 4, 5]) await node.input({ payload });
    expect(node.statuses[0]).toEqual({ fill: 'blue', shape: 'ring', text: '1 waiting' });
    vi.advanceTimersByTime(10_000);
    expect(payloads(node)).toEqual([1, 2, 3]);
    expect(node.statuses.at(-1)).toEqual({ fill: 'yellow', shape: 'ring', text: '2 dropped' });
  });

  it('holds waiting messages while downstream refuses, and resumes when it drains', async () => {
    const node = await testNode(rateLimit, { limit: 1, intervalMs: 100 });
    for (const payload of [1, 2, 3, 4]) await node.input({ payload });
    node.setPressure(true);
    vi.advanceTimersByTime(1000);
    expect(payloads(node)).toEqual([1]); // 2 was refused, 3 and 4 wait
    node.setPressure(false);
    vi.advanceTimersByTime(1000);
    expect(payloads(node)).toEqual([1, 3, 4]);
  });

  it('drops what is waiting on close, logging how many', async () => {
    const node = await testNode(rateLimit, { limit: 1, intervalMs: 1000 });
    for (const payload of [1, 2, 3]) await node.input({ payload });
    await node.close();
    vi.advanceTimersByTime(5000);
    expect(payloads(node)).toEqual([1]);
    expect(node.logs).toEqual([expect.objectContaining({ level: 'warn', fields: { dropped: 2 } })]);
  });

  it('forgets idle topics beyond maxTopics', async () => {
    const node = await testNode(rateLimit, { limit: 1, intervalMs: 1000, mode: 'drop', perTopic: true, maxTopics: 2 });
    for (const topic of ['a', 'b', 'c', 'a']) await node.input({ topic, payload: 0 });
    // 'a' was forgotten when 'c' arrived, so its second message counts as its first.
    expect(node.output().map((m) => m.topic)).toEqual(['a', 'b', 'c', 'a']);
  });
});

describe('throttledStatus', () => {
  it('sets the first status at once, collapses a burst into one trailing update and skips repeats', () => {
    const shown: unknown[] = [];
    let timer: (() => void) | undefined;
    const set = throttledStatus({ status: (s) => void shown.push(s), setTimeout: (fn, ms) => { const t = setTimeout(fn, ms); timer = () => clearTimeout(t); return timer; } }, 1000);
    set({ text: '1' });
    set({ text: '2' });
    set({ text: '3' });
    expect(shown).toEqual([{ text: '1' }]);
    vi.advanceTimersByTime(1000);
    expect(shown).toEqual([{ text: '1' }, { text: '3' }]);
    vi.advanceTimersByTime(1000);
    set({ text: '3' });
    expect(shown).toHaveLength(2);
    set(null);
    expect(shown).toEqual([{ text: '1' }, { text: '3' }, null]);
  });
});
