import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { debug } from '../debug/debug.node.js';
import document from './function.tabs.flow.json';
import { functionNode } from './function.node.js';
import { sandboxStats } from './sandbox-pool.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe('function, one worker per tab', () => {
  it('a busy loop on tab A stalls nothing on tab B; workers start only when needed', { timeout: 30_000 }, async () => {
    const before = sandboxStats().workers;
    const running = (flow = await runFlow(document, { nodeTypes: [functionNode, debug] }));
    // Deployed, but no message yet: no worker (tab C has no function node at all).
    expect(sandboxStats().workers).toBe(before);

    let n = 0;
    const ask = async (): Promise<number> => {
      const t0 = performance.now();
      running.inject('steady', { payload: n++ });
      await running.next('steady', { timeoutMs: 10_000 });
      return performance.now() - t0;
    };
    running.inject('hog', { payload: 'warm' });
    await running.next('hog', { timeoutMs: 10_000 });
    const normal: number[] = [];
    for (let i = 0; i < 5; i++) normal.push(await ask());
    expect(sandboxStats().workers).toBe(before + 2);

    running.inject('hog', { payload: 'hang' });
    const during: number[] = [];
    const t0 = performance.now();
    while (performance.now() - t0 < 1000 && during.length < 100) during.push(await ask());
    // The hog is still looping (its limit is 4 s), so every answer above came while it did.
    expect(running.errors).toEqual([]);
    // Sharing its worker, each answer would have waited up to 4 s for the hog to be stopped.
    expect(Math.max(...during)).toBeLessThan(Math.max(500, 5 * Math.max(...normal)));

    await running.waitFor(() => running.errors.length > 0, { timeoutMs: 15_000 });
    expect(running.errors).toEqual([expect.objectContaining({ nodeId: 'hog', code: 'FUNCTION_TIMEOUT' })]);
    running.inject('hog', { payload: 'after' });
    expect((await running.next('hog', { timeoutMs: 10_000 })).payload).toBe('after');
  });
});
