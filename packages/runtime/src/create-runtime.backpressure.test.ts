import { defineNode, type MessageInit } from '@plantwire/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { Runtime } from './api.js';
import { createRuntime } from './create-runtime.js';
import { fixtureTypes, flowDoc, gates, received, sourceContexts, tick, until, wire } from './fixtures/test-node-types.js';

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.stop({ drainTimeoutMs: 50 });
  runtime = undefined;
});

async function start(doc: Record<string, unknown>, extraTypes: Parameters<typeof createRuntime>[0]['nodeTypes'] = []) {
  // A short close bound: some tests end with an async call that never finishes.
  runtime = createRuntime({ nodeTypes: [...fixtureTypes, ...extraTypes], env: {}, closeTimeoutMs: 50 });
  const result = await runtime.deploy(doc);
  if (!result.ok) throw new Error(JSON.stringify(result.issues, null, 2));
  return runtime;
}

const payloads = (id: string) => received.get(id)!.map((m) => m.payload);
const maxDepthOf = (rt: Runtime) => Math.max(...Object.values(rt.metrics()).map((m) => m.queueDepth));

describe('backpressure', () => {
  it('keeps every queue within its capacity when a fast source feeds a slow async node, and counts what the source had refused', async () => {
    const rt = await start(
      flowDoc(
        [
          { id: 'src', type: 'probe-source', queue: { capacity: 5 } },
          { id: 'mid', type: 'pass', queue: { capacity: 5 } },
          { id: 'slow', type: 'gate', queue: { capacity: 5 } },
          { id: 'out', type: 'collect' },
        ],
        [wire('src', 'mid'), wire('mid', 'slow'), wire('slow', 'out')],
      ),
    );
    const src = sourceContexts.get('src')!;
    const results = Array.from({ length: 100 }, (_, i) => src.emit({ payload: i }));
    // 5 fill mid's queue, 1 is held for it, 5 wait in the source's outbox; the rest are refused.
    expect(results.filter(Boolean)).toHaveLength(11);
    expect(results.slice(0, 11).every(Boolean)).toBe(true);
    // Refused, not dropped: the source still has them (counted apart, docs/runtime.md).
    expect(rt.metrics()['src']).toMatchObject({ refused: 89, dropped: 0 });

    // Let the pressure settle: slow takes one message in, everything upstream fills and stops.
    await until(() => gates.get('slow')?.pending.length === 1);
    await tick();
    const m = rt.metrics();
    expect(m['slow']!.queueDepth).toBe(5);
    expect(m['mid']!.queueDepth).toBe(4);
    expect(maxDepthOf(rt)).toBeLessThanOrEqual(5);

    let maxDepth = 0;
    while (received.get('out')!.length < 11) {
      await until(() => (gates.get('slow')!.pending.length > 0) || received.get('out')!.length === 11, 'the slow node');
      if (gates.get('slow')!.pending.length > 0) gates.get('slow')!.release();
      await tick();
      maxDepth = Math.max(maxDepth, maxDepthOf(rt));
    }
    expect(maxDepth).toBeLessThanOrEqual(5);
    expect(payloads('out')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Object.fromEntries(Object.entries(rt.metrics()).map(([id, c]) => [id, [c.refused, c.dropped]]))).toEqual({ src: [89, 0], mid: [0, 0], slow: [0, 0], out: [0, 0] });
  });

  it('lets a source that pauses on false and resumes on onDrain deliver everything, in order, with bounded queues', async () => {
    const total = 300;
    let refusals = 0;
    let maxDepth = 0;
    const pump = defineNode({
      type: 'pump',
      version: 1,
      category: 'source',
      summary: 'Emits `total` messages, pausing under pressure.',
      outputs: { out: 'Numbers.' },
      config: z.object({}),
      setup(ctx) {
        let next = 0;
        const run = (): void => {
          while (next < total) {
            if (!ctx.emit({ payload: next })) {
              refusals++;
              ctx.onDrain(run); // the refused message is emitted again after the drain
              return;
            }
            next++;
          }
        };
        setImmediate(run);
      },
    });
    const slow = defineNode({
      type: 'slow',
      version: 1,
      category: 'transform',
      summary: 'Finishes each message on a later turn of the event loop.',
      inputs: { in: 'x' },
      outputs: { out: 'x' },
      config: z.object({}),
      async onInput(msg) {
        maxDepth = Math.max(maxDepth, maxDepthOf(runtime!));
        await tick();
        return msg;
      },
    });
    const rt = await start(
      flowDoc(
        [
          { id: 'pump', type: 'pump', queue: { capacity: 4 } },
          { id: 'mid', type: 'pass', queue: { capacity: 4 } },
          { id: 'slow', type: 'slow', queue: { capacity: 4 } },
          { id: 'out', type: 'collect' },
        ],
        [wire('pump', 'mid'), wire('mid', 'slow'), wire('slow', 'out')],
      ),
      [pump, slow],
    );
    await until(() => received.get('out')!.length === total, 'every message');
    expect(payloads('out')).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(maxDepth).toBeLessThanOrEqual(4);
    expect(refusals).toBeGreaterThan(0);
    expect(rt.metrics()['pump']).toMatchObject({ refused: refusals, dropped: 0 });
  });

  it('block: emit refuses (false, counted) once the outbox is full, and onDrain fires when the pressure has gone', async () => {
    const rt = await start(
      flowDoc([{ id: 'src', type: 'probe-source', queue: { capacity: 2 } }, { id: 'slow', type: 'gate', queue: { capacity: 1 } }, { id: 'out', type: 'collect' }], [wire('src', 'slow'), wire('slow', 'out')]),
    );
    const src = sourceContexts.get('src')!;
    // 1 → slow's queue, 2 → held, 3 and 4 → outbox, 5 refused.
    expect([1, 2, 3, 4, 5].map((payload) => src.emit({ payload }))).toEqual([true, true, true, true, false]);
    let drained = 0;
    src.onDrain(() => drained++);
    expect(rt.metrics()['src']).toMatchObject({ refused: 1, dropped: 0 });
    for (let i = 0; i < 4; i++) {
      await until(() => gates.get('slow')!.pending.length === 1);
      gates.get('slow')!.release();
    }
    await until(() => received.get('out')!.length === 4);
    expect(payloads('out')).toEqual([1, 2, 3, 4]);
    expect(drained).toBe(1);
    expect(src.emit({ payload: 6 })).toBe(true);
  });

  it('drop-oldest: under pressure the oldest waiting message is dropped and counted', async () => {
    const rt = await start(
      flowDoc(
        [{ id: 'src', type: 'probe-source', queue: { capacity: 3, overflow: 'drop-oldest' } }, { id: 'slow', type: 'gate', queue: { capacity: 1 } }, { id: 'out', type: 'collect' }],
        [wire('src', 'slow'), wire('slow', 'out')],
      ),
    );
    const src = sourceContexts.get('src')!;
    const results = Array.from({ length: 10 }, (_, i) => src.emit({ payload: i + 1 }));
    // 1 queued at slow, 2 held, 3..5 in the outbox; 6..10 each push out the oldest waiting one.
    // Every message is taken (true): an older one gives way, so the source never sends one twice.
    expect(results).toEqual(Array.from({ length: 10 }, () => true));
    expect(rt.metrics()['src']!.dropped).toBe(5);
    while (received.get('out')!.length < 5) {
      await until(() => gates.get('slow')!.pending.length === 1 || received.get('out')!.length === 5);
      if (gates.get('slow')!.pending.length === 1) gates.get('slow')!.release();
    }
    expect(payloads('out')).toEqual([1, 2, 8, 9, 10]);
  });

  it('keep-latest-per-topic: a waiting message is replaced by a newer one with the same topic (counted)', async () => {
    const rt = await start(
      flowDoc(
        [{ id: 'src', type: 'probe-source', queue: { capacity: 3, overflow: 'keep-latest-per-topic' } }, { id: 'slow', type: 'gate', queue: { capacity: 1 } }, { id: 'out', type: 'collect' }],
        [wire('src', 'slow'), wire('slow', 'out')],
      ),
    );
    const src = sourceContexts.get('src')!;
    const emit = (topic: string, payload: number) => src.emit({ topic, payload } as MessageInit);
    expect([emit('x', 0), emit('x', 1)]).toEqual([true, true]); // queued at slow, held
    expect([emit('a', 1), emit('b', 1), emit('a', 2), emit('b', 2), emit('a', 3)]).toEqual([true, true, true, true, true]);
    expect(rt.metrics()['src']!.dropped).toBe(3);
    // A full outbox with a new topic drops the oldest waiting message.
    expect([emit('c', 1), emit('d', 1)]).toEqual([true, true]);
    expect(rt.metrics()['src']!.dropped).toBe(4);
    while (received.get('out')!.length < 5) {
      await until(() => gates.get('slow')!.pending.length === 1 || received.get('out')!.length === 5);
      if (gates.get('slow')!.pending.length === 1) gates.get('slow')!.release();
    }
    expect(received.get('out')!.map((m) => `${m.topic}${m.payload}`)).toEqual(['x0', 'x1', 'b2', 'c1', 'd1']);
  });

  it('runtime.inject obeys the target queue capacity: false and a counted drop when full', async () => {
    const rt = await start(flowDoc([{ id: 'p', type: 'pass', queue: { capacity: 3 } }, { id: 'out', type: 'collect' }], [wire('p', 'out')]));
    expect([1, 2, 3, 4].map((payload) => rt.inject('p', { payload }))).toEqual([true, true, true, false]);
    expect(rt.metrics()['p']).toMatchObject({ in: 3, dropped: 1, queueDepth: 3, queueCapacity: 3 });
    await until(() => received.get('out')!.length === 3);
    expect(rt.inject('p', { payload: 5 })).toBe(true);
  });

  it('runs at most `concurrency` async calls at once and still sends results in input order', async () => {
    const rt = await start(flowDoc([{ id: 'g', type: 'gate3' }, { id: 'out', type: 'collect' }], [wire('g', 'out')]));
    for (let i = 1; i <= 5; i++) rt.inject('g', { payload: i });
    const gate = () => gates.get('g')!;
    await until(() => gate().pending.length === 3);
    await tick();
    expect(gate().started).toBe(3);
    // Finish the third and second first: nothing may leave before the first.
    const [first, second, third] = gate().pending.splice(0, 3);
    third!.resolve(third!.msg);
    second!.resolve(second!.msg);
    await tick();
    await tick();
    expect(received.get('out')).toEqual([]);
    first!.resolve(first!.msg);
    await until(() => received.get('out')!.length === 3);
    expect(payloads('out')).toEqual([1, 2, 3]);
    await until(() => gate().started === 5);
    while (gate().pending.length > 0) gate().release();
    await until(() => received.get('out')!.length === 5);
    expect(payloads('out')).toEqual([1, 2, 3, 4, 5]);
    expect(gate().maxInFlight).toBeLessThanOrEqual(3);
    expect(rt.metrics()['g']!.processingTimeMs).toBeGreaterThan(0);
  });
});
