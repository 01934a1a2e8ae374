import { defineNode } from '@plantwire/node-sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import type { LogEvent, NodeErrorEvent } from './api.js';
import { createRuntime } from './create-runtime.js';
import { fixtureTypes, flowDoc, received, sourceContexts, tick, wire } from './fixtures/test-node-types.js';

afterEach(() => {
  vi.useRealTimers();
});

const closes: string[] = [];
/** Finishes each message on a later turn; records its close. */
const slow = defineNode({
  type: 'slow',
  version: 1,
  category: 'transform',
  summary: 'Async, one turn per message.',
  inputs: { in: 'x' },
  outputs: { out: 'x' },
  config: z.object({}),
  async onInput(msg) {
    await tick();
    return msg;
  },
  close: (ctx) => void closes.push(ctx.id),
});
const source = defineNode({
  type: 'recorded-source',
  version: 1,
  category: 'source',
  summary: 'A source that records its close.',
  outputs: { out: 'x' },
  config: z.object({}),
  setup(ctx) {
    sourceContexts.set(ctx.id, ctx as never);
  },
  close: (ctx) => void closes.push(ctx.id),
});

describe('stop', () => {
  it('closes sources first, lets the queues drain, then closes the rest', async () => {
    closes.length = 0;
    const rt = createRuntime({ nodeTypes: [...fixtureTypes, slow, source], env: {} });
    await rt.deploy(flowDoc([{ id: 'src', type: 'recorded-source' }, { id: 's', type: 'slow' }, { id: 'out', type: 'collect' }], [wire('src', 's'), wire('s', 'out')]));
    const src = sourceContexts.get('src')!;
    for (let i = 0; i < 20; i++) src.emit({ payload: i });
    const report = await rt.stop();
    expect(closes).toEqual(['src', 's']);
    expect(received.get('out')).toHaveLength(20);
    expect(report).toEqual({
      drained: true,
      remaining: 0,
      durationMs: expect.any(Number),
      boundHit: false,
      drainTimeoutMs: 5000,
      sourcesStopped: ['src'],
      inFlight: expect.any(Number),
      messagesDrained: expect.any(Number),
      remainingByNode: {},
      unfinished: {},
    });
    expect(report.inFlight).toBeGreaterThan(0);
    expect(report.messagesDrained).toBeGreaterThanOrEqual(20);
    expect(rt.metrics()).toEqual({});
    expect(rt.document).toBeUndefined();
  });

  it('gives up draining at the bound, and reports (and logs) what was left', async () => {
    const logs: LogEvent[] = [];
    const rt = createRuntime({ nodeTypes: fixtureTypes, env: {}, logger: { log: (e) => logs.push(e) }, closeTimeoutMs: 20 });
    await rt.deploy(flowDoc([{ id: 'g', type: 'gate' }, { id: 'out', type: 'collect' }], [wire('g', 'out')]));
    for (let i = 0; i < 5; i++) rt.inject('g', { payload: i });
    const report = await rt.stop({ drainTimeoutMs: 30 });
    expect(report.drained).toBe(false);
    expect(report.remaining).toBe(4); // one more is in flight in the gate, never finishing
    expect(report.durationMs).toBeGreaterThanOrEqual(30);
    expect(report).toMatchObject({ boundHit: true, drainTimeoutMs: 30, sourcesStopped: [], inFlight: 5, remainingByNode: { g: 4 }, unfinished: { g: 1 } });
    // One structured line says what the stop did.
    const line = logs.filter((l) => l['event'] === 'runtime:stopped');
    expect(line).toEqual([expect.objectContaining({ level: 'warn', boundHit: true, remaining: 4, remainingByNode: { g: 4 }, messagesDrained: report.messagesDrained })]);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', nodeId: 'g', message: '4 message(s) still waiting in node "g" were dropped at stop' }));
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', nodeId: 'g', code: 'TIMEOUT' }));
  });

  it('bounds a close hook that never finishes', async () => {
    const stuck = defineNode({
      type: 'stuck',
      version: 1,
      category: 'sink',
      summary: 'Never closes.',
      inputs: { in: 'x' },
      config: z.object({}),
      close: () => new Promise<void>(() => {}),
    });
    const rt = createRuntime({ nodeTypes: [stuck], env: {}, closeTimeoutMs: 30 });
    const errors: NodeErrorEvent[] = [];
    rt.on('error', (e) => errors.push(e));
    await rt.deploy(flowDoc([{ id: 'x', type: 'stuck' }]));
    const report = await rt.stop();
    expect(report.drained).toBe(true);
    expect(errors).toEqual([expect.objectContaining({ nodeId: 'x', code: 'TIMEOUT', message: 'close failed: close did not finish within 30 ms' })]);
  });

  it('clears the node’s timers and aborts its signal when it closes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    let ticks = 0;
    let abortedAtClose: boolean | undefined;
    let timeoutFired = false;
    const ticker = defineNode({
      type: 'ticker',
      version: 1,
      category: 'source',
      summary: 'Counts interval ticks.',
      outputs: { out: 'x' },
      config: z.object({}),
      setup(ctx) {
        ctx.setInterval(() => ticks++, 1);
        ctx.setTimeout(() => (timeoutFired = true), 1000);
      },
      close(ctx) {
        abortedAtClose = ctx.signal.aborted;
      },
    });
    const rt = createRuntime({ nodeTypes: [ticker], env: {} });
    await rt.deploy(flowDoc([{ id: 't', type: 'ticker' }]));
    vi.advanceTimersByTime(10);
    expect(ticks).toBe(10);
    await rt.stop();
    vi.advanceTimersByTime(2000);
    expect(ticks).toBe(10);
    expect(timeoutFired).toBe(false);
    expect(abortedAtClose).toBe(true);
  });

  it('refuses injected messages while stopping', async () => {
    const rt = createRuntime({ nodeTypes: [...fixtureTypes, slow], env: {} });
    await rt.deploy(flowDoc([{ id: 's', type: 'slow' }]));
    rt.inject('s', { payload: 1 });
    const stopping = rt.stop();
    await tick();
    expect(rt.inject('s', { payload: 2 })).toBe(false);
    expect((await stopping).drained).toBe(true);
  });
});
