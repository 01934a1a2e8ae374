/**
 * The benchmark's counting sink for Plantwire; its Node-RED twin is node-red-nodes/bench-sink.js.
 * Counts what arrives and sends nothing; the load loop reads the counters by node id.
 */
import { defineNode } from '@plantwire/node-sdk';
import * as z from 'zod';
import { countMessage, newSinkCounter, type SinkCounter } from './measure-throughput.js';

/** Sink counters by node id, filled as the runtime sets the sinks up. */
export const sinkCounters = new Map<string, SinkCounter>();

export const benchSink = defineNode({
  type: 'bench-sink',
  version: 1,
  category: 'sink',
  summary: 'Counts messages for the benchmark.',
  inputs: { in: 'Messages to count.' },
  outputs: {},
  config: z.object({}),
  setup(ctx) {
    const counter = newSinkCounter();
    sinkCounters.set(ctx.id, counter);
    return counter;
  },
  onInput(_msg, _ctx, counter) {
    countMessage(counter);
  },
});
