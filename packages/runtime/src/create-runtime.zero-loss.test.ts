import { defineNode, type DeliveryOutcome } from '@plantwire/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { Runtime } from './api.js';
import { createRuntime } from './create-runtime.js';
import { fixtureTypes, flowDoc, gates, received, tick, until, wire } from './fixtures/test-node-types.js';

const TOTAL = 20_000;
const REDEPLOYS = 20;

/** Settle outcomes of the counter source, by outcome. */
const outcomes = new Map<DeliveryOutcome, number>();

/**
 * Emits 0, 1, 2 … TOTAL-1 as fast as the flow takes them, tracked; a refused number is kept and
 * emitted again once the node drains (as mqtt-in does with its read gate).
 */
const counter = defineNode({
  type: 'counter',
  version: 1,
  category: 'source',
  summary: 'Counts up.',
  outputs: { out: 'Sequence numbers.' },
  config: z.object({}),
  setup(ctx) {
    let next = 0;
    const settled = (o: DeliveryOutcome) => outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
    const pump = (): void => {
      // A slice per turn, so deploys and the message loop interleave with the load.
      for (let i = 0; i < 200 && next < TOTAL; i++) {
        if (!ctx.emit({ payload: next }, undefined, settled)) {
          ctx.onDrain(pump);
          return;
        }
        next++;
      }
      if (next < TOTAL) setImmediate(pump);
    };
    setImmediate(pump);
  },
});

/** Async, several calls at once: messages are inside onInput when a deploy comes. */
const slowAdd = defineNode({
  type: 'slow-add',
  version: 1,
  category: 'transform',
  summary: 'Adds config.amount as `amount`, after a turn.',
  inputs: { in: 'x' },
  outputs: { out: 'x' },
  config: z.object({ amount: z.number() }),
  concurrency: 4,
  async onInput(msg, ctx) {
    await tick();
    return { ...msg, amount: ctx.config.amount };
  },
});

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.stop({ drainTimeoutMs: 100 });
  runtime = undefined;
});

describe('zero-loss deploy', () => {
  it(`every message arrives exactly once while a middle node is redeployed ${REDEPLOYS} times under load`, { timeout: 30_000 }, async () => {
    outcomes.clear();
    runtime = createRuntime({ nodeTypes: [...fixtureTypes, counter, slowAdd], env: {}, drainTimeoutMs: 2000 });
    const doc = (amount: number) =>
      flowDoc(
        [
          { id: 'src', type: 'counter' },
          { id: 'mid', type: 'slow-add', config: { amount }, queue: { capacity: 50 } },
          { id: 'sink', type: 'collect' },
        ],
        [wire('src', 'mid'), wire('mid', 'sink')],
      );
    expect(await runtime.deploy(doc(0))).toMatchObject({ ok: true });
    const sink = received.get('sink')!;
    const deadline = Date.now() + 20_000;
    for (let i = 1; i <= REDEPLOYS; i++) {
      // Spread the deploys over the run: wait for some traffic between them.
      const before = sink.length;
      await until(() => sink.length >= Math.min(TOTAL, before + 300) || Date.now() > deadline, 'traffic between deploys', 200_000);
      const r = await runtime.deploy(doc(i));
      expect(r).toMatchObject({ ok: true, restarted: ['mid'], unchanged: ['sink', 'src'] });
    }
    await until(() => sink.length >= TOTAL || Date.now() > deadline, 'every message at the sink', 1_000_000);
    await until(() => (outcomes.get('delivered') ?? 0) >= TOTAL || Date.now() > deadline, 'every message settled', 100_000);

    const seen = new Map<number, number>();
    for (const m of sink) seen.set(m.payload as number, (seen.get(m.payload as number) ?? 0) + 1);
    expect(sink).toHaveLength(TOTAL);
    expect(seen.size).toBe(TOTAL);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(Object.fromEntries(outcomes)).toEqual({ delivered: TOTAL });
    // The new config was in effect by the end: messages went through 21 instances of the middle node.
    expect(new Set(sink.map((m) => m['amount'])).size).toBeGreaterThan(REDEPLOYS / 2);
    expect(sink.at(-1)!['amount']).toBe(REDEPLOYS);
    const m = runtime.metrics();
    expect(m['mid']!.dropped + m['sink']!.dropped).toBe(0);
  });

  it('a removed node first handles the input waiting for it', async () => {
    runtime = createRuntime({ nodeTypes: fixtureTypes, env: {}, drainTimeoutMs: 5000 });
    const withGate = flowDoc([{ id: 'src', type: 'probe-source' }, { id: 'g', type: 'gate' }, { id: 'sink', type: 'collect' }], [wire('src', 'g'), wire('g', 'sink')]);
    expect(await runtime.deploy(withGate)).toMatchObject({ ok: true });
    for (let i = 0; i < 4; i++) runtime.inject('g', { payload: i });
    await until(() => gates.get('g')!.pending.length === 1);
    // The sink restarts too (its incoming wires change): what the gate hands on before the swap lands here.
    const sinkBefore = received.get('sink')!;
    const redeploy = runtime.deploy(flowDoc([{ id: 'src', type: 'probe-source' }, { id: 'sink', type: 'collect' }], [wire('src', 'sink')]));
    for (let i = 0; i < 4; i++) {
      await until(() => gates.get('g')!.pending.length === 1);
      gates.get('g')!.release();
    }
    expect(await redeploy).toMatchObject({ ok: true, stopped: ['g'] });
    expect(sinkBefore.map((m) => m.payload)).toEqual([0, 1, 2, 3]);
    expect(runtime.metrics()['sink']!.dropped).toBe(0);
  });
});
