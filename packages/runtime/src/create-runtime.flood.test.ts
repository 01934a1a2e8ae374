import { defineNode } from '@plantwire/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { Runtime } from './api.js';
import { createRuntime } from './create-runtime.js';
import { collect, flowDoc, pass, received, sourceContexts, probeSource, tick, until, wire } from './fixtures/test-node-types.js';

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.stop({ drainTimeoutMs: 2000 });
  runtime = undefined;
});

/** A consumer far slower than the flood: one message per event-loop turn. */
const slow = defineNode({
  type: 'slow',
  version: 1,
  category: 'transform',
  summary: 'Takes one event-loop turn per message.',
  inputs: { in: 'Anything.' },
  outputs: { out: 'The same message, later.' },
  config: z.object({}),
  onInput: (msg) => new Promise((resolve) => setImmediate(() => resolve(msg))),
});

describe('a flood into a slow flow', () => {
  it('keeps memory bounded and counts every message it could not take', async () => {
    const total = 200_000;
    const payload = 'x'.repeat(1024); // 200 MB if the runtime queued everything
    runtime = createRuntime({ nodeTypes: [probeSource, pass, slow, collect], env: {} });
    const result = await runtime.deploy(
      flowDoc(
        [
          // A device that does not pause: its messages would pile up without a bound.
          { id: 'flood', type: 'probe-source', queue: { capacity: 100, overflow: 'drop-oldest' } },
          { id: 'copy', type: 'pass', queue: { capacity: 100 } },
          { id: 'slow', type: 'slow', queue: { capacity: 100 } },
          { id: 'sink', type: 'collect' },
        ],
        [wire('flood', 'copy'), wire('copy', 'slow'), wire('slow', 'sink')],
      ),
    );
    expect(result.ok).toBe(true);
    const source = sourceContexts.get('flood')!;
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    for (let sent = 0; sent < total; ) {
      // A fresh string per message, as a socket would deliver it.
      for (const end = sent + 5000; sent < end; sent++) source.emit({ payload: payload.slice(0, 1023) + String(sent % 10) });
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      await tick();
    }
    const m = runtime.metrics();
    expect(Math.max(...Object.values(m).map((c) => c.queueDepth))).toBeLessThanOrEqual(100);
    // Generous against GC timing, far below the ~200 MB an unbounded queue would hold.
    expect(heapPeak - heapBefore).toBeLessThan(64 * 1024 * 1024);

    await until(() => received.get('sink')!.length + runtime!.metrics()['flood']!.dropped === total, 'every message delivered or counted', 100_000);
    const after = runtime.metrics();
    expect(after['flood']!.dropped).toBeGreaterThan(0);
    expect(received.get('sink')!.length + after['flood']!.dropped).toBe(total);
  });
});
