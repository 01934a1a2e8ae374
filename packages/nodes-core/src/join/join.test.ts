import { Buffer } from 'node:buffer';
import { toMessage, type Message, type MessageInit } from '@plantwire/node-sdk';
import { testNode } from '@plantwire/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { split } from '../split/split.node.js';
import { join } from './join.node.js';

afterEach(() => {
  vi.useRealTimers();
});

/** Split a message with a split node of `config`, then feed the parts to an auto join in `order`. */
async function roundTrip(msg: MessageInit, splitConfig: Record<string, unknown> = {}, order?: (n: number) => number[]) {
  const splitter = await testNode(split, splitConfig);
  const parts = (await splitter.input(msg)).map((s) => s.msg);
  const joiner = await testNode(join, {});
  for (const i of order ? order(parts.length) : parts.keys()) await joiner.input(parts[i]!);
  return joiner.output();
}

describe('join: auto mode rebuilds what split split', () => {
  it('arrays, in index order whatever the arrival order', async () => {
    const out = await roundTrip({ payload: [1, 2, 3, 4], topic: 't' }, {}, (n) => [...Array(n).keys()].reverse());
    expect(out).toEqual([{ _msgid: expect.any(String), payload: [1, 2, 3, 4], topic: 't' }]);
  });

  it('arrays split into chunks', async () => {
    expect((await roundTrip({ payload: [1, 2, 3, 4, 5] }, { arrayChunkSize: 2 }))[0]?.payload).toEqual([1, 2, 3, 4, 5]);
  });

  it('objects, strings and nested properties', async () => {
    expect((await roundTrip({ payload: { a: 1, b: { c: 2 } } }))[0]?.payload).toEqual({ a: 1, b: { c: 2 } });
    expect((await roundTrip({ payload: 'x,y,,z' }, { separator: ',' }))[0]?.payload).toBe('x,y,,z');
    expect((await roundTrip({ payload: { rows: [1, 2], table: 't' } }, { property: 'payload.rows' }))[0]?.payload).toEqual({ rows: [1, 2], table: 't' });
  });

  it('binary data', async () => {
    const splitter = await testNode(split, { bufferChunkSize: 3 });
    const joiner = await testNode(join, {});
    // Buffers cannot be frozen, so both nodes are called directly with their contexts.
    const parts = (await split.onInput!(toMessage({ payload: Buffer.from('hello world') }), splitter.ctx, splitter.state as never, 'in')) as MessageInit[];
    let out: unknown;
    for (const part of parts) out = await join.onInput!(toMessage(part), joiner.ctx, joiner.state as never, 'in');
    expect((out as Message).payload).toEqual(Buffer.from('hello world'));
  });

  it('unwinds nested splits one level at a time', async () => {
    const outer = await testNode(split, {});
    const inner = await testNode(split, {});
    const innerJoin = await testNode(join, {});
    const outerJoin = await testNode(join, {});
    for (const { msg } of await outer.input({ payload: [['a', 'b'], ['c']] })) {
      for (const { msg: part } of await inner.input(msg)) {
        for (const { msg: row } of await innerJoin.input(part)) await outerJoin.input(row);
      }
    }
    expect(innerJoin.output().map((m) => m.payload)).toEqual([['a', 'b'], ['c']]);
    expect(outerJoin.output().map((m) => m.payload)).toEqual([[['a', 'b'], ['c']]]);
    expect(outerJoin.output()[0]?.parts).toBeUndefined();
  });

  it('keeps groups apart by parts.id', async () => {
    const node = await testNode(join, {});
    await node.input({ payload: 'a0', parts: { id: 'a', index: 0, count: 2 } });
    await node.input({ payload: 'b1', parts: { id: 'b', index: 1, count: 2 } });
    await node.input({ payload: 'a1', parts: { id: 'a', index: 1, count: 2 } });
    await node.input({ payload: 'b0', parts: { id: 'b', index: 0, count: 2 } });
    expect(node.output().map((m) => m.payload)).toEqual([['a0', 'a1'], ['b0', 'b1']]);
  });

  it('raises INPUT_INVALID for a message without parts', async () => {
    const node = await testNode(join, {});
    await expect(node.input({ payload: 1 })).rejects.toMatchObject({ code: 'INPUT_INVALID', message: expect.stringContaining('msg.parts') });
  });

  it('sends the oldest group incomplete when more than maxGroups are open', async () => {
    const node = await testNode(join, { maxGroups: 2 });
    await node.input({ payload: 'a0', parts: { id: 'a', index: 0, count: 2 } });
    await node.input({ payload: 'b0', parts: { id: 'b', index: 0, count: 2 } });
    await node.input({ payload: 'c0', parts: { id: 'c', index: 0, count: 2 } });
    expect(node.output().map((m) => m.payload)).toEqual([['a0']]);
    expect(node.logs).toEqual([expect.objectContaining({ level: 'warn', fields: { group: 'a', received: 1, expected: 2 } })]);
  });

  it('sends an incomplete group after timeoutMs', async () => {
    vi.useFakeTimers();
    const node = await testNode(join, { timeoutMs: 500 });
    await node.input({ payload: 'a0', parts: { id: 'a', index: 0, count: 3 } });
    await node.input({ payload: 'a2', parts: { id: 'a', index: 2, count: 3 } });
    vi.advanceTimersByTime(499);
    expect(node.output()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(node.output().map((m) => m.payload)).toEqual([['a0', 'a2']]);
  });
});

describe('join: manual mode', () => {
  it('builds an array after count messages, keeping the last message\'s other properties', async () => {
    const node = await testNode(join, { mode: 'manual', count: 3 });
    await node.input({ payload: 1, topic: 'a' });
    await node.input({ payload: 2, topic: 'b' });
    const [out] = await node.input({ payload: 3, topic: 'c', unit: 'bar' });
    expect(out?.msg).toEqual({ _msgid: expect.any(String), payload: [1, 2, 3], topic: 'c', unit: 'bar' });
    await node.input({ payload: 4 });
    expect(node.output()).toHaveLength(1);
  });

  it('builds an object keyed by topic', async () => {
    const node = await testNode(join, { mode: 'manual', build: 'object', count: 2 });
    await node.input({ topic: 'temperature', payload: 21 });
    await node.input({ topic: 'pressure', payload: 1.1 });
    expect(node.output()[0]?.payload).toEqual({ temperature: 21, pressure: 1.1 });
    await expect(node.input({ payload: 5 })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });

  it('builds a string with the joiner, and a merged object', async () => {
    const text = await testNode(join, { mode: 'manual', build: 'string', joiner: ', ', count: 3 });
    for (const payload of ['a', 2, { b: 1 }]) await text.input({ payload });
    expect(text.output()[0]?.payload).toBe('a, 2, {"b":1}');
    const merged = await testNode(join, { mode: 'manual', build: 'merged', count: 2 });
    await merged.input({ payload: { a: 1, b: 1 } });
    await expect(merged.input({ payload: 7 })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await merged.input({ payload: { b: 2 } });
    expect(merged.output()[0]?.payload).toEqual({ a: 1, b: 2 });
  });

  it('sends on msg.complete, including its value when it has one', async () => {
    const node = await testNode(join, { mode: 'manual' });
    await node.input({ payload: 1 });
    await node.input({ payload: 2, complete: true });
    await node.input({ payload: 3 });
    await node.input({ complete: true });
    expect(await node.input({ complete: true })).toEqual([]);
    expect(node.output().map((m) => m.payload)).toEqual([[1, 2], [3]]);
    expect(node.output()[0]).not.toHaveProperty('complete');
  });

  it('drops the group on msg.reset', async () => {
    const node = await testNode(join, { mode: 'manual', count: 2 });
    await node.input({ payload: 1 });
    await node.input({ reset: true });
    await node.input({ payload: 2 });
    await node.input({ payload: 3 });
    expect(node.output().map((m) => m.payload)).toEqual([[2, 3]]);
  });

  it('sends a group that reaches maxGroupSize at once', async () => {
    const node = await testNode(join, { mode: 'manual', maxGroupSize: 2 });
    for (const payload of [1, 2, 3]) await node.input({ payload });
    expect(node.output().map((m) => m.payload)).toEqual([[1, 2]]);
  });

  it('drops open groups on close, logging how many messages', async () => {
    const node = await testNode(join, { mode: 'manual' });
    await node.input({ payload: 1 });
    await node.close();
    expect(node.logs).toEqual([expect.objectContaining({ level: 'warn', fields: { groups: 1, dropped: 1 } })]);
  });
});
