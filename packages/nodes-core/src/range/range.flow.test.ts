import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { debug } from '../debug/debug.node.js';
import { inject } from '../inject/inject.node.js';
import document from './range.flow.json';
import { range } from './range.node.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe('range, in a running flow', () => {
  it('scales the injected count to percent and clamps out-of-range counts', async () => {
    flow = await runFlow(document, { nodeTypes: [inject, range, debug] });
    expect(await flow.next('scale', { timeoutMs: 2000 })).toMatchObject({ payload: 50, topic: 'ai0' });
    flow.inject('scale', { payload: 32767 });
    expect((await flow.next('scale', { timeoutMs: 2000 })).payload).toBe(100);
    await flow.waitFor(() => flow!.debug.length === 2);
    expect(flow.debug.map((d) => d.value)).toEqual([50, 100]);
  });

  it('scales a tag value and keeps its quality and time', async () => {
    flow = await runFlow(document, { nodeTypes: [inject, range, debug] });
    await flow.next('scale', { timeoutMs: 2000 });
    flow.inject('scale', { payload: { value: 6912, quality: 'uncertain', sourceTime: '2024-03-01T10:00:00.000Z' } });
    expect((await flow.next('scale', { timeoutMs: 2000 })).payload).toEqual({ value: 25, quality: 'uncertain', sourceTime: '2024-03-01T10:00:00.000Z' });
  });

  it('raises INPUT_INVALID for a reading that is not a number', async () => {
    flow = await runFlow(document, { nodeTypes: [inject, range, debug] });
    await flow.next('scale', { timeoutMs: 2000 });
    flow.inject('scale', { _msgid: 'text', payload: 'OVERRANGE' });
    await flow.waitFor(() => flow!.errors.length === 1, { timeoutMs: 2000 });
    expect(flow.errors[0]).toMatchObject({ nodeId: 'scale', msgId: 'text', code: 'INPUT_INVALID', message: 'cannot scale payload: expected a finite number, got the text "OVERRANGE"' });
  });
});
