import { testNode } from '@plantwire/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { debug } from './debug.node.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('debug', () => {
  it('prints the payload by default, with the message it came from', async () => {
    const node = await testNode(debug, {});
    await node.input({ _msgid: 'm1', payload: { temperature: 21 }, topic: 't' });
    expect(node.debug).toEqual([{ value: { temperature: 21 }, msg: { _msgid: 'm1', payload: { temperature: 21 }, topic: 't' } }]);
    expect(node.sent).toEqual([]);
  });

  it('prints a nested property, undefined when missing, or the whole message', async () => {
    const nested = await testNode(debug, { property: 'payload.tags[1].value' });
    await nested.input({ payload: { tags: [{ value: 1 }, { value: 2 }] } });
    await nested.input({ payload: 'no tags' });
    expect(nested.debug.map((d) => d.value)).toEqual([2, undefined]);

    const whole = await testNode(debug, { property: 'msg' });
    await whole.input({ _msgid: 'm2', payload: 1, topic: 'x' });
    expect(whole.debug[0]!.value).toEqual({ _msgid: 'm2', payload: 1, topic: 'x' });
  });

  it('prints nothing when inactive', async () => {
    const node = await testNode(debug, { active: false });
    await node.input({ payload: 1 });
    expect(node.debug).toEqual([]);
  });

  it('shows a message count in the status, refreshed at most every 250 ms', async () => {
    vi.useFakeTimers();
    const node = await testNode(debug, { status: 'count' });
    for (let i = 0; i < 5; i++) await node.input({ payload: i });
    expect(node.statuses).toEqual([{ fill: 'grey', shape: 'dot', text: '1' }]);
    await vi.advanceTimersByTimeAsync(250);
    expect(node.statuses.at(-1)).toEqual({ fill: 'grey', shape: 'dot', text: '5' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(node.statuses).toHaveLength(2);
    await node.close();
  });

  it('shows the last value, shortened, in the status', async () => {
    vi.useFakeTimers();
    const node = await testNode(debug, { status: 'value', property: 'payload' });
    await node.input({ payload: { text: 'a rather long value that will not fit under a node' } });
    expect(node.statuses[0]!.text).toHaveLength(32);
    expect(node.statuses[0]!.text).toMatch(/^\{"text":"a rather.*…$/);
    await node.close();
  });

  it('rejects a bad property path at config time', () => {
    const result = debug.config.safeParse({ property: 'payload..x' });
    expect(result.error?.issues[0]).toMatchObject({ path: ['property'], message: expect.stringContaining('position 8') });
  });
});
