import { defineNode, type DeliveryOutcome } from '@plantwire/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { NodeErrorEvent as RuntimeErrorEvent, Runtime } from './api.js';
import { createRuntime } from './create-runtime.js';
import { fixtureTypes, flowDoc, gates, received, sourceContexts, tick, until, wire } from './fixtures/test-node-types.js';

/** Drops messages whose payload is odd (returns nothing for them). */
const evenOnly = defineNode({
  type: 'even-only',
  version: 1,
  category: 'transform',
  summary: 'Filters out odd payloads.',
  inputs: { in: 'Numbers.' },
  outputs: { out: 'Even numbers.' },
  config: z.object({}),
  onInput: (msg) => ((msg.payload as number) % 2 === 0 ? msg : undefined),
});

/** Async: awaits a turn, then `ctx.send`s a copy before returning nothing. */
const sendLater = defineNode({
  type: 'send-later',
  version: 1,
  category: 'transform',
  summary: 'Sends after an await.',
  inputs: { in: 'x' },
  outputs: { out: 'x' },
  config: z.object({}),
  async onInput(msg, ctx) {
    await tick();
    ctx.send({ ...msg, later: true });
  },
});

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.stop({ drainTimeoutMs: 50 });
  runtime = undefined;
});

async function start(nodes: Array<Record<string, unknown>>, wires: ReturnType<typeof wire>[]): Promise<Runtime> {
  runtime = createRuntime({ nodeTypes: [...fixtureTypes, evenOnly, sendLater], env: {}, closeTimeoutMs: 100 });
  const r = await runtime.deploy(flowDoc(nodes, wires));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return runtime;
}

/** Emit from the probe source `id` with a settle callback; the outcomes land in the returned list. */
function emitTracked(id: string, payload: unknown, outcomes: DeliveryOutcome[], port?: string): boolean {
  return sourceContexts.get(id)!.emit({ payload }, port, (o) => outcomes.push(o));
}

describe('tracked delivery (ctx.emit with onSettled)', () => {
  it('settles once, after every branch of a fan-out and every derived message has been handled', async () => {
    await start(
      [{ id: 'src', type: 'probe-source' }, { id: 'g', type: 'gate' }, { id: 'p', type: 'pass' }, { id: 'a', type: 'collect' }, { id: 'b', type: 'collect' }],
      [wire('src', 'g'), wire('src', 'p'), wire('g', 'a'), wire('p', 'b')],
    );
    const outcomes: DeliveryOutcome[] = [];
    expect(emitTracked('src', 1, outcomes)).toBe(true);
    await until(() => received.get('b')!.length === 1 && gates.get('g')!.pending.length === 1);
    expect(outcomes).toEqual([]); // the gate branch still runs
    gates.get('g')!.release();
    await until(() => outcomes.length === 1);
    expect(received.get('a')).toHaveLength(1);
    expect(outcomes).toEqual(['delivered']);
    for (let i = 0; i < 5; i++) await tick();
    expect(outcomes).toEqual(['delivered']); // exactly once
  });

  it('counts a message a node filters out, or one sent to an unwired port, as delivered (never inside emit)', async () => {
    await start([{ id: 'src', type: 'probe-source' }, { id: 'f', type: 'even-only' }, { id: 'a', type: 'collect' }], [wire('src', 'f'), wire('f', 'a')]);
    const outcomes: DeliveryOutcome[] = [];
    emitTracked('src', 1, outcomes);
    emitTracked('src', 2, outcomes);
    emitTracked('src', 3, outcomes, 'alt'); // nothing wired to alt
    expect(outcomes).toEqual([]); // not from inside emit, even when nothing holds the message
    await until(() => outcomes.length === 3);
    expect(outcomes).toEqual(['delivered', 'delivered', 'delivered']);
    expect(received.get('a')!.map((m) => m.payload)).toEqual([2]);
  });

  it('settles as failed when a branch throws, after the error was routed', async () => {
    const rt = await start([{ id: 'src', type: 'probe-source' }, { id: 'x', type: 'fail' }, { id: 'a', type: 'collect' }], [wire('src', 'x'), wire('src', 'a')]);
    const errors: RuntimeErrorEvent[] = [];
    rt.on('error', (e) => errors.push(e));
    const outcomes: DeliveryOutcome[] = [];
    emitTracked('src', 1, outcomes);
    await until(() => outcomes.length === 1);
    expect(outcomes).toEqual(['failed']);
    expect(errors).toEqual([expect.objectContaining({ nodeId: 'x', handledBy: 'log' })]);
    expect(received.get('a')).toHaveLength(1);
  });

  it('waits for a message sent with ctx.send after an await, and for what it leads to', async () => {
    await start(
      [{ id: 'src', type: 'probe-source' }, { id: 'l', type: 'send-later' }, { id: 'g', type: 'gate' }, { id: 'a', type: 'collect' }],
      [wire('src', 'l'), wire('l', 'g'), wire('g', 'a')],
    );
    const outcomes: DeliveryOutcome[] = [];
    emitTracked('src', 1, outcomes);
    await until(() => gates.get('g')!.pending.length === 1);
    for (let i = 0; i < 5; i++) await tick();
    expect(outcomes).toEqual([]);
    gates.get('g')!.release();
    await until(() => outcomes.length === 1);
    expect(outcomes).toEqual(['delivered']);
    expect(received.get('a')!.map((m) => m['later'])).toEqual([true]);
  });

  it('a refused emit never settles; a message dropped by a deploy settles as dropped', async () => {
    const rt = await start(
      [{ id: 'src', type: 'probe-source', queue: { capacity: 1 } }, { id: 'g', type: 'gate', queue: { capacity: 1 } }, { id: 'a', type: 'collect' }],
      [wire('src', 'g'), wire('g', 'a')],
    );
    const outcomes: DeliveryOutcome[] = [];
    const taken = [1, 2, 3, 4, 5].map((n) => emitTracked('src', n, outcomes));
    // 1 reaches the gate's queue, 2 waits held by the source, 3 in its outbox (capacity 1); 4 and 5 are refused.
    expect(taken).toEqual([true, true, true, false, false]);
    await until(() => gates.get('g')!.pending.length === 1);
    // Remove the gate without draining: what waits for it is dropped, and says so.
    const r = await rt.deploy(flowDoc([{ id: 'src', type: 'probe-source', queue: { capacity: 1 } }, { id: 'a', type: 'collect' }], [wire('src', 'a')]), { drainTimeoutMs: 0 });
    expect(r).toMatchObject({ ok: true, stopped: ['g'] });
    await until(() => outcomes.length === 2);
    expect(outcomes).toEqual(['dropped', 'dropped']);
    expect(outcomes).toHaveLength(2); // the one inside the gate's onInput never finished; 4 and 5 never settle
  });

  it('a throwing onSettled is an error of the emitting node', async () => {
    const rt = await start([{ id: 'src', type: 'probe-source' }, { id: 'a', type: 'collect' }], [wire('src', 'a')]);
    const errors: RuntimeErrorEvent[] = [];
    rt.on('error', (e) => errors.push(e));
    sourceContexts.get('src')!.emit({ payload: 1 }, undefined, () => {
      throw new Error('ack failed');
    });
    await until(() => errors.length === 1);
    expect(errors[0]).toMatchObject({ nodeId: 'src', message: 'onSettled callback: ack failed' });
  });
});
