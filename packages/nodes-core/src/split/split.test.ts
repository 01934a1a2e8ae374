import { Buffer } from 'node:buffer';
import { toMessage, type Message } from '@plantwire/node-sdk';
import { testNode } from '@plantwire/testing';
import { describe, expect, it } from 'vitest';
import { split } from './split.node.js';

describe('split', () => {
  it('sends one message per array element with Node-RED compatible parts', async () => {
    const node = await testNode(split, {});
    const out = await node.input({ _msgid: 'orig', payload: [10, 20, 30], topic: 'line1' });
    expect(out.map((s) => s.msg)).toEqual([
      { _msgid: expect.any(String), topic: 'line1', payload: 10, parts: { id: 'orig', index: 0, count: 3, type: 'array' } },
      { _msgid: expect.any(String), topic: 'line1', payload: 20, parts: { id: 'orig', index: 1, count: 3, type: 'array' } },
      { _msgid: expect.any(String), topic: 'line1', payload: 30, parts: { id: 'orig', index: 2, count: 3, type: 'array' } },
    ]);
    // Each part is a message of its own.
    expect(new Set(out.map((s) => s.msg._msgid)).size).toBe(3);
    expect(out.map((s) => s.msg._msgid)).not.toContain('orig');
  });

  it('splits arrays into chunks', async () => {
    const node = await testNode(split, { arrayChunkSize: 2 });
    const out = await node.input({ payload: [1, 2, 3, 4, 5] });
    expect(out.map((s) => s.msg.payload)).toEqual([[1, 2], [3, 4], [5]]);
    expect(out[0]?.msg.parts).toMatchObject({ count: 3, len: 2, type: 'array' });
  });

  it('sends one message per key of an object, optionally copying the key to a property', async () => {
    const node = await testNode(split, { keyProperty: 'topic' });
    const out = await node.input({ _msgid: 'o', payload: { temperature: 21.5, pressure: 1.2 } });
    expect(out.map((s) => [s.msg.topic, s.msg.payload, s.msg.parts])).toEqual([
      ['temperature', 21.5, { id: 'o', index: 0, count: 2, type: 'object', key: 'temperature' }],
      ['pressure', 1.2, { id: 'o', index: 1, count: 2, type: 'object', key: 'pressure' }],
    ]);
  });

  it('splits strings at the separator', async () => {
    const lines = await (await testNode(split, {})).input({ payload: 'a\nb\nc' });
    expect(lines.map((s) => s.msg.payload)).toEqual(['a', 'b', 'c']);
    expect(lines[0]?.msg.parts).toMatchObject({ type: 'string', ch: '\n', count: 3 });
    const fields = await (await testNode(split, { separator: ';' })).input({ payload: 'x;y' });
    expect(fields.map((s) => s.msg.payload)).toEqual(['x', 'y']);
  });

  it('splits binary data into fixed-length chunks', async () => {
    const node = await testNode(split, { bufferChunkSize: 2 });
    // testNode freezes inputs, which a Buffer cannot be; call the node directly with its context.
    const msg: Message = toMessage({ payload: Buffer.from([1, 2, 3, 4, 5]) });
    const out = (await split.onInput!(msg, node.ctx, node.state as never, 'in')) as Message[];
    expect(out.map((m) => [...(m.payload as Buffer)])).toEqual([[1, 2], [3, 4], [5]]);
    expect(out[2]?.parts).toMatchObject({ index: 2, count: 3, type: 'buffer', len: 2 });
  });

  it('splits a nested property, and keeps earlier parts nested so joins unwind level by level', async () => {
    const node = await testNode(split, { property: 'payload.rows' });
    const outer = { id: 'outer', index: 1, count: 4, type: 'array' };
    const out = await node.input({ _msgid: 'm', payload: { rows: ['r1', 'r2'], table: 't' }, parts: outer });
    expect(out.map((s) => s.msg.payload)).toEqual([{ rows: 'r1', table: 't' }, { rows: 'r2', table: 't' }]);
    expect(out[1]?.msg.parts).toEqual({ id: 'm', property: 'payload.rows', parts: outer, index: 1, count: 2, type: 'array' });
  });

  it('passes a value it cannot split through unchanged, and sends nothing for an empty array', async () => {
    const node = await testNode(split, {});
    expect((await node.input({ _msgid: 'n', payload: 42 })).map((s) => s.msg)).toEqual([{ _msgid: 'n', payload: 42 }]);
    expect(await node.input({ payload: [] })).toEqual([]);
  });

  it('rejects a bad key property path in config', () => {
    expect(split.config.safeParse({ keyProperty: 'a..b' }).success).toBe(false);
    expect(split.config.safeParse({ arrayChunkSize: 0 }).success).toBe(false);
  });
});
