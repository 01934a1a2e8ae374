import { defineNode } from '@plantwire/node-sdk';
import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { debug } from '../debug/debug.node.js';
import backpressure from './inject-backpressure.flow.json';
import document from './inject.flow.json';
import { inject } from './inject.node.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

/** A consumer that holds every message until the test lets go: downstream that has stopped taking messages. */
function holdNode() {
  const waiting: Array<() => void> = [];
  let open = false;
  const type = defineNode({
    type: 'test-hold',
    version: 1,
    category: 'sink',
    summary: 'Holds messages until released (test only).',
    inputs: { in: 'Messages to hold.' },
    config: z.object({}),
    onInput: () => (open ? undefined : new Promise<void>((resolve) => waiting.push(resolve))),
  });
  return {
    type,
    release() {
      open = true;
      waiting.splice(0).forEach((resolve) => resolve());
    },
  };
}

describe('inject, in a running flow', () => {
  it('sends at start and then at the interval, with topic and extra properties', async () => {
    flow = await runFlow(document, { nodeTypes: [inject, debug] });
    const sent = await flow.take('tick', 3, { timeoutMs: 2000 });
    for (const msg of sent) expect(msg).toMatchObject({ payload: { setpoint: 21.5 }, topic: 'line1/setpoint', unit: 'degC' });
    expect(new Set(sent.map((m) => m._msgid)).size).toBe(3);
    await flow.waitFor(() => flow!.debug.length >= 3);
    expect(flow.debug[0]).toMatchObject({ nodeId: 'out', msgId: sent[0]!._msgid, value: sent[0] });
    expect(flow.errors).toEqual([]);
  });

  it('skips ticks and shows the count while downstream is full, then resumes', async () => {
    const hold = holdNode();
    flow = await runFlow(backpressure, { nodeTypes: [inject, hold.type] });
    await flow.waitFor(() => flow!.statuses.some((s) => s.nodeId === 'tick' && /downstream full: [1-9]\d* skipped/.test(s.status?.text ?? '')), { timeoutMs: 5000 });
    // Bounded: one in the consumer, one in its queue, one held, one in inject's outbox; the rest were skipped, not queued.
    const before = flow.sent('tick').length;
    expect(before).toBeLessThanOrEqual(4);
    expect(flow.metrics()['tick']!.dropped).toBeGreaterThan(0);

    hold.release();
    await flow.waitFor(() => flow!.statuses.some((s) => s.nodeId === 'tick' && s.status?.fill === 'grey' && /^\d+ skipped$/.test(s.status.text ?? '')), { timeoutMs: 5000 });
    await flow.waitFor(() => flow!.sent('tick').length >= before + 3, { timeoutMs: 5000 });
  });
});
