import { defineNode } from '@plantwire/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { Runtime } from './api.js';
import { createRuntime } from './create-runtime.js';
import { fixtureTypes, flowDoc, gates, received, until, wire } from './fixtures/test-node-types.js';

/** What each running `ticker` did on its triggers: the result of every emit, by node id. */
const emits = new Map<string, boolean[]>();

/** A source that only sends when triggered: a counter, through ctx.emit like a tick. */
const ticker = defineNode({
  type: 'ticker',
  version: 1,
  category: 'source',
  summary: 'Sends a counter on each trigger.',
  outputs: { out: 'The counter.' },
  config: z.object({ fail: z.boolean().default(false) }),
  setup(ctx) {
    emits.set(ctx.id, []);
    return { n: 0 };
  },
  onTrigger(ctx, state) {
    if (ctx.config.fail) throw new Error('the trigger broke');
    emits.get(ctx.id)!.push(ctx.emit({ payload: ++state.n }));
  },
});

/** Triggerable, but its setup fails: a failed node is not running. */
const brokenTicker = defineNode({
  type: 'broken-ticker',
  version: 1,
  category: 'source',
  summary: 'Fails to start.',
  outputs: { out: 'Nothing.' },
  config: z.object({}),
  setup() {
    throw new Error('no hardware');
  },
  onTrigger() {
    throw new Error('must not be called');
  },
});

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.stop({ drainTimeoutMs: 50 });
  runtime = undefined;
});

async function start(doc: Record<string, unknown>): Promise<Runtime> {
  runtime = createRuntime({ nodeTypes: [...fixtureTypes, ticker, brokenTicker], env: {}, closeTimeoutMs: 50 });
  const result = await runtime.deploy(doc);
  if (!result.ok) throw new Error(JSON.stringify(result.issues, null, 2));
  return runtime;
}

const payloads = (id: string) => received.get(id)!.map((m) => m.payload);

describe('runtime.trigger', () => {
  it('fires the node once per trigger, through its own emit', async () => {
    const rt = await start(flowDoc([{ id: 't', type: 'ticker' }, { id: 'out', type: 'collect' }], [wire('t', 'out')]));
    expect(received.get('out')).toEqual([]);
    expect([rt.trigger('t'), rt.trigger('t'), rt.trigger('t')]).toEqual([true, true, true]);
    await until(() => received.get('out')!.length === 3);
    expect(payloads('out')).toEqual([1, 2, 3]);
    expect(rt.metrics()['t']!.out).toBe(3);
  });

  it('is false for unknown, disabled, failed, non-triggerable and stopped nodes, and calls nothing', async () => {
    const rt = await start(
      flowDoc(
        [
          { id: 't', type: 'ticker' },
          { id: 'off', type: 'ticker', disabled: true },
          { id: 'broken', type: 'broken-ticker' },
          { id: 'p', type: 'pass' },
          { id: 'out', type: 'collect' },
        ],
        [wire('t', 'out'), wire('off', 'out'), wire('p', 'out')],
      ),
    );
    expect(rt.trigger('nope')).toBe(false);
    expect(rt.trigger('off')).toBe(false);
    expect(rt.trigger('broken')).toBe(false);
    expect(rt.trigger('p')).toBe(false);
    expect(emits.has('off')).toBe(false);
    await rt.stop({ drainTimeoutMs: 50 });
    expect(rt.trigger('t')).toBe(false);
    expect(emits.get('t')).toEqual([]);
  });

  it('respects backpressure like a tick: a refused emit is false to the node and counted as refused', async () => {
    const rt = await start(
      flowDoc([{ id: 't', type: 'ticker', queue: { capacity: 2 } }, { id: 'slow', type: 'gate', queue: { capacity: 1 } }, { id: 'out', type: 'collect' }], [wire('t', 'slow'), wire('slow', 'out')]),
    );
    // 1 → slow's queue, 2 → held, 3 and 4 → t's outbox, 5 refused (same arithmetic as ctx.emit's own test).
    for (let i = 0; i < 5; i++) expect(rt.trigger('t')).toBe(true);
    expect(emits.get('t')).toEqual([true, true, true, true, false]);
    expect(rt.metrics()['t']).toMatchObject({ refused: 1, dropped: 0 });
    for (let i = 0; i < 4; i++) {
      await until(() => gates.get('slow')!.pending.length === 1);
      gates.get('slow')!.release();
    }
    await until(() => received.get('out')!.length === 4);
    expect(payloads('out')).toEqual([1, 2, 3, 4]);
  });

  it('routes a throw of onTrigger as an error of the node, addressed to it', async () => {
    const rt = await start(flowDoc([{ id: 't', type: 'ticker', config: { fail: true } }, { id: 'c', type: 'catcher' }, { id: 'out', type: 'collect' }], [wire('c', 'out')]));
    const errors: Array<{ nodeId: string; message: string }> = [];
    rt.on('error', (e) => void errors.push(e));
    expect(rt.trigger('t')).toBe(true);
    await until(() => received.get('out')!.length === 1);
    expect(errors).toMatchObject([{ nodeId: 't', message: expect.stringContaining('the trigger broke') }]);
    expect(received.get('out')![0]).toMatchObject({ error: { message: expect.stringContaining('the trigger broke'), source: { id: 't', type: 'ticker' } } });
    expect(rt.metrics()['t']!.errors).toBe(1);
  });
});
