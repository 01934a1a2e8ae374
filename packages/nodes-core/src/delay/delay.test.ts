import { testNode } from '@plantwire/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { delay } from './delay.node.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const payloads = (node: { output(): Array<{ payload?: unknown }> }) => node.output().map((m) => m.payload);

describe('delay', () => {
  it('holds each message for delayMs, then sends it unchanged', async () => {
    const node = await testNode(delay, { delayMs: 100 });
    expect(await node.input({ _msgid: 'a', payload: 1 })).toEqual([]);
    vi.advanceTimersByTime(99);
    expect(node.output()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(node.output()).toEqual([{ _msgid: 'a', payload: 1 }]);
  });

  it('keeps each message\'s own delay measured from its arrival', async () => {
    const node = await testNode(delay, { delayMs: 100 });
    await node.input({ payload: 1 });
    vi.advanceTimersByTime(30);
    await node.input({ payload: 2 });
    vi.advanceTimersByTime(70);
    expect(payloads(node)).toEqual([1]);
    vi.advanceTimersByTime(29);
    expect(payloads(node)).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(payloads(node)).toEqual([1, 2]);
  });

  it('uses msg.delay when allowed, and keeps the order of arrival', async () => {
    const node = await testNode(delay, { delayMs: 1000, allowMessageDelay: true });
    await node.input({ payload: 'slow', delay: 500 });
    await node.input({ payload: 'fast', delay: 10 });
    await node.input({ payload: 'default' });
    vi.advanceTimersByTime(499);
    expect(payloads(node)).toEqual([]);
    vi.advanceTimersByTime(1);
    // "fast" was due at 10 ms but never overtakes "slow".
    expect(payloads(node)).toEqual(['slow', 'fast']);
    vi.advanceTimersByTime(500);
    expect(payloads(node)).toEqual(['slow', 'fast', 'default']);
  });

  it('ignores msg.delay unless allowed', async () => {
    const node = await testNode(delay, { delayMs: 50 });
    await node.input({ payload: 1, delay: 5000 });
    vi.advanceTimersByTime(50);
    expect(payloads(node)).toEqual([1]);
  });

  it('raises INPUT_INVALID for a bad msg.delay', async () => {
    const node = await testNode(delay, { allowMessageDelay: true });
    await expect(node.input({ payload: 1, delay: -5 })).rejects.toMatchObject({ code: 'INPUT_INVALID', details: { property: 'delay', value: -5 } });
    await expect(node.input({ payload: 1, delay: '10' })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });

  it('drops and counts messages beyond maxPending, shown on the status badge', async () => {
    const node = await testNode(delay, { delayMs: 100, maxPending: 2 });
    for (const payload of [1, 2, 3, 4]) await node.input({ payload });
    expect(node.statuses).toEqual([{ fill: 'yellow', shape: 'ring', text: 'queue full (2): 1 dropped' }]);
    vi.advanceTimersByTime(1000); // the badge is throttled; the latest count follows
    expect(node.statuses.at(-1)).toEqual({ fill: 'yellow', shape: 'ring', text: 'queue full (2): 2 dropped' });
    expect(payloads(node)).toEqual([1, 2]);
    await node.input({ payload: 5 });
    vi.advanceTimersByTime(100);
    expect(payloads(node)).toEqual([1, 2, 5]);
  });

  it('msg.flush sends everything waiting at once; msg.reset drops it', async () => {
    const node = await testNode(delay, { delayMs: 1000 });
    await node.input({ payload: 1 });
    await node.input({ payload: 2 });
    const flushed = await node.input({ flush: true });
    expect(flushed.map((s) => s.msg.payload)).toEqual([1, 2]);
    await node.input({ payload: 3 });
    expect(await node.input({ reset: true })).toEqual([]);
    vi.advanceTimersByTime(5000);
    expect(payloads(node)).toEqual([1, 2]);
    expect(node.logs).toContainEqual(expect.objectContaining({ level: 'info', fields: { dropped: 1 } }));
  });

  it('holds due messages while downstream refuses, and resumes when it drains', async () => {
    const node = await testNode(delay, { delayMs: 10 });
    for (const payload of [1, 2, 3]) await node.input({ payload });
    node.setPressure(true);
    vi.advanceTimersByTime(10);
    // The first release was refused (the runtime counts it as dropped); the others stay queued.
    expect(node.output()).toEqual([]);
    vi.advanceTimersByTime(1000);
    node.setPressure(false);
    expect(payloads(node)).toEqual([2, 3]);
  });

  it('passes a message straight through when the delay is 0 and nothing waits', async () => {
    const node = await testNode(delay, { delayMs: 0 });
    expect((await node.input({ payload: 1 })).map((s) => s.msg.payload)).toEqual([1]);
  });

  it('drops what is pending on close, logging how many', async () => {
    const node = await testNode(delay, { delayMs: 100 });
    await node.input({ payload: 1 });
    await node.input({ payload: 2 });
    await node.close();
    vi.advanceTimersByTime(1000);
    expect(node.output()).toEqual([]);
    expect(node.logs).toEqual([expect.objectContaining({ level: 'warn', fields: { dropped: 2 } })]);
  });

  it('rejects a negative delay and unknown keys in config', () => {
    expect(delay.config.safeParse({ delayMs: -1 }).success).toBe(false);
    expect(delay.config.safeParse({ delay: 5 }).success).toBe(false);
    expect(delay.config.parse({})).toEqual({ delayMs: 1000, allowMessageDelay: false, maxPending: 1000 });
  });
});
