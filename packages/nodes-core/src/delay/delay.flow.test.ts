import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { debug } from '../debug/debug.node.js';
import document from './delay.flow.json';
import { delay } from './delay.node.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe('delay, in a running flow', () => {
  it('holds messages for their delay and keeps their order, even when a later one asks for less', async () => {
    flow = await runFlow(document, { nodeTypes: [delay, debug] });
    const started = Date.now();
    flow.inject('hold', { _msgid: 'a', payload: 'a' });
    flow.inject('hold', { _msgid: 'b', payload: 'b', delay: 0 });
    flow.inject('hold', { _msgid: 'c', payload: 'c', delay: 60 });
    const out = await flow.take('hold', 3);
    expect(out).toEqual([
      { _msgid: 'a', payload: 'a' },
      { _msgid: 'b', payload: 'b', delay: 0 },
      { _msgid: 'c', payload: 'c', delay: 60 },
    ]);
    // Timers may fire late on a busy machine, never early.
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('logs how many waiting messages were dropped when the flow stops', async () => {
    const running = await runFlow(document, { nodeTypes: [delay, debug] });
    const logs: Array<{ message: string; nodeId?: string | undefined }> = [];
    running.runtime.on('log', (entry) => void logs.push(entry));
    running.inject('hold', { payload: 1, delay: 600000 });
    running.inject('hold', { payload: 2 });
    // Both taken from the input queue: they now wait inside the delay node.
    await running.waitFor(() => running.metrics()['hold']?.in === 2 && running.metrics()['hold']?.queueDepth === 0);
    const report = await running.stop();
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', nodeId: 'hold', message: 'closed with 2 message(s) still delayed; they were dropped' }));
    expect(report.drained).toBe(true);
    expect(running.sent('hold', 'out')).toEqual([]);
  });
});
