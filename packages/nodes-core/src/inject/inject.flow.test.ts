import { defineNode } from '@plantwire/node-sdk';
import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { debug } from '../debug/debug.node.js';
import backpressure from './inject-backpressure.flow.json';
import document from './inject.flow.json';
import manual from './inject-trigger.flow.json';
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
    expect(flow.metrics()['tick']!.refused).toBeGreaterThan(0);

    hold.release();
    await flow.waitFor(() => flow!.statuses.some((s) => s.nodeId === 'tick' && s.status?.fill === 'grey' && /^\d+ skipped$/.test(s.status.text ?? '')), { timeoutMs: 5000 });
    await flow.waitFor(() => flow!.sent('tick').length >= before + 3, { timeoutMs: 5000 });
  });
});

describe('inject now (runtime.trigger)', () => {
  it('sends its typed payload exactly once per trigger, and nothing without one', async () => {
    flow = await runFlow(manual, { nodeTypes: [inject, debug] });
    const ids = ['number', 'text', 'json', 'env', 'date', 'none'];
    for (const id of ids) expect(flow.sent(id)).toEqual([]);
    for (const id of ids) {
      // The message leaves synchronously inside trigger (nothing waits downstream): one more per call, no more.
      expect(flow.runtime.trigger(id)).toBe(true);
      expect(flow.sent(id)).toHaveLength(1);
      expect(flow.runtime.trigger(id)).toBe(true);
      expect(flow.sent(id)).toHaveLength(2);
    }
    expect(flow.sent('number').map((m) => [m.payload, m.topic])).toEqual([[42, 'n'], [42, 'n']]);
    expect(flow.sent('text')[0]).toMatchObject({ payload: 'start', unit: 'degC' });
    expect(flow.sent('json')[0]!.payload).toEqual({ setpoint: 21.5 });
    expect(Object.isFrozen(flow.sent('json')[0]!.payload)).toBe(true);
    expect(flow.sent('env')[0]!.payload).toBe('line-7');
    expect(Date.parse(flow.sent('date')[0]!.payload as string)).toBeGreaterThan(Date.now() - 60_000);
    expect(flow.sent('none')[0]).not.toHaveProperty('payload');
    expect(new Set(ids.flatMap((id) => flow!.sent(id).map((m) => m._msgid))).size).toBe(12);
    await flow.waitFor(() => flow!.debug.length === 12);
    expect(flow.errors).toEqual([]);
  });

  it('is false for a node that is not an inject, or not running', async () => {
    flow = await runFlow(manual, { nodeTypes: [inject, debug] });
    expect(flow.runtime.trigger('out')).toBe(false);
    expect(flow.runtime.trigger('no-such-node')).toBe(false);
    expect(flow.sent('number')).toEqual([]);
    await flow.stop();
    expect(flow.runtime.trigger('number')).toBe(false);
  });

  it('under backpressure skips and counts a trigger as it would a tick, then sends again after the drain', async () => {
    const hold = holdNode();
    // The backpressure flow, without its schedule: only triggers send.
    const doc = { ...backpressure, nodes: backpressure.nodes.map((n) => (n.id === 'tick' ? { ...n, config: { payload: { type: 'number', value: 1 } } } : n)) };
    flow = await runFlow(doc, { nodeTypes: [inject, hold.type] });
    const skippedText = () => flow!.statuses.filter((s) => s.nodeId === 'tick').at(-1)?.status?.text ?? '';
    // Bounded: one in the consumer, one in its queue, one held, one in inject's outbox; a trigger after that is refused.
    // (Triggered back to back: the consumer has not even taken the first one yet.)
    for (let i = 0; i < 10 && !/downstream full/.test(skippedText()); i++) expect(flow.runtime.trigger('tick')).toBe(true);
    expect(skippedText()).toBe('downstream full: 1 skipped');
    expect(flow.metrics()['tick']!.refused).toBe(1);
    const delivered = flow.sent('tick').length;
    expect(delivered).toBeLessThanOrEqual(4);
    // While paused, a trigger is skipped without even trying: as a tick would be.
    expect(flow.runtime.trigger('tick')).toBe(true);
    expect(skippedText()).toBe('downstream full: 2 skipped');
    expect(flow.sent('tick')).toHaveLength(delivered);

    hold.release();
    await flow.waitFor(() => skippedText() === '2 skipped');
    expect(flow.runtime.trigger('tick')).toBe(true);
    await flow.waitFor(() => flow!.sent('tick').length > delivered);
  });
});
