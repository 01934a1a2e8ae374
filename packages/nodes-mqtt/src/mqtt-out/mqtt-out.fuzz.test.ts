// Fuzz: mqtt-out fed messages no well-behaved flow would send (cyclic objects, BigInt, symbols,
// functions, typed arrays, huge strings, odd topics and QoS). Each message is published or gives
// a node error with a catalogue code and a message naming what was wrong; nothing crashes and the
// node keeps publishing. Values come from a fixed seed (FUZZ_SEED overrides), printed on failure.
import { startPlant, type Plant } from '@plantwire/sim';
import fc from 'fast-check';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, flowDoc, outsideClient, run, whenAllConnected } from '../test-support/harness.js';

const seed = Number(process.env['FUZZ_SEED'] ?? 20261206);
const COUNT = 300;

let plant: Plant;
let subscriber: MqttClient | undefined;
beforeAll(async () => {
  plant = await startPlant({ ports: { mqtt: 0 }, servers: ['mqtt'] });
});
afterAll(async () => {
  await subscriber?.endAsync(true);
  await plant.stop();
});

const cyclic: Record<string, unknown> = { a: 1 };
cyclic['self'] = cyclic;

const payloadArb = fc.oneof(
  fc.anything({ withBigInt: true, withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withDate: true, withSparseArray: true }),
  fc.constantFrom<unknown>(cyclic, [cyclic], { deep: cyclic }, Symbol('tag'), () => 1, 10n ** 30n, { big: 1n }, NaN, -Infinity, undefined, new Uint16Array([1, 2, 3]), new ArrayBuffer(4), 'x'.repeat(1024 * 1024)),
);
const topicArb = fc.oneof(fc.constantFrom(undefined, '', '#', 'a/+/b', 'a\u0000b', '$SYS/x', 42, { t: 1 }, 'x'.repeat(70_000)), fc.string({ unit: 'binary', maxLength: 30 }));
const qosArb = fc.constantFrom(undefined, 0, 1, 2, 3, -1, '1', null, 1.5);

describe('mqtt-out under fuzzed messages', () => {
  it(`${COUNT} odd messages: published or a clear node error, never a crash`, { timeout: 60_000 }, async () => {
    subscriber = await outsideClient(plant.endpoints.mqtt);
    const got = await collect(subscriber, 'fuzz-out/#');
    const flow = await run(
      flowDoc(
        [{ id: 'broker', config: { url: plant.endpoints.mqtt } }],
        [
          // A fixed topic: only the payload can be wrong.
          { id: 'fixed', type: 'mqtt-out', config: { broker: 'broker', topic: 'fuzz-out/fixed', qos: 1 } },
          // Topic and QoS from the message: those can be wrong too.
          { id: 'open', type: 'mqtt-out', config: { broker: 'broker' } },
        ],
      ),
    );
    try {
      await whenAllConnected(flow);
      const cases = fc.sample(fc.record({ payload: payloadArb, topic: topicArb, qos: qosArb }), { seed, numRuns: COUNT });
      for (const c of cases) {
        flow.inject('fixed', { payload: c.payload });
        flow.inject('open', { payload: c.payload, topic: c.topic, qos: c.qos });
      }
      const handled = (id: string) => flow.metrics()[id]!.in;
      await flow.waitFor(() => handled('fixed') >= COUNT && handled('open') >= COUNT && flow.metrics()['fixed']!.queueDepth === 0 && flow.metrics()['open']!.queueDepth === 0, { timeoutMs: 30_000 }).catch((err: Error) => {
        throw new Error(`seed ${seed}: ${JSON.stringify(flow.metrics())}; logs: ${flow.logs.map((l) => `${l.level} ${l.message}`).join(' | ').slice(0, 3_000)}`, { cause: err });
      });

      for (const e of flow.errors) {
        expect(['ENCODE_FAILED', 'INPUT_INVALID', 'PUBLISH_REFUSED'], `seed ${seed}: ${e.code} ${e.message}`).toContain(e.code);
        // The sink's store-and-forward buffer (on by default) encodes before mqtt-out sees the message.
        expect(e.message, `seed ${seed}`).toMatch(/^(mqtt-out|store-and-forward): /);
        expect(e.message.length, `seed ${seed}: a message, not a dump`).toBeLessThan(1_000);
      }
      // Every fixed-topic message that did not fail arrived.
      const fixedErrors = flow.errors.filter((e) => e.nodeId === 'fixed').length;
      await flow.waitFor(() => got.filter((m) => m.topic === 'fuzz-out/fixed').length >= COUNT - fixedErrors, { timeoutMs: 20_000 });

      // Still publishing, on the first connection: no message made the broker drop it (a publish to
      // $SYS/… did, and store-and-forward replayed it on every reconnect, before topicNameProblem refused it).
      expect(flow.connectionEvents.filter((e) => e.state === 'connected'), `seed ${seed}`).toHaveLength(1);
      flow.inject('fixed', { payload: 'after' });
      await flow.waitFor(() => got.some((m) => m.payload === 'after'), { timeoutMs: 5_000 }).catch((err: Error) => {
        throw new Error(`seed ${seed}: ${JSON.stringify(flow.metrics())}; connection: ${flow.connectionEvents.map((e) => `${e.state} ${(e as { message?: string }).message ?? ''}`).join(' | ').slice(0, 2_000)}; logs: ${flow.logs.filter((l) => !/ENCODE|INPUT_INVALID|mqtt-out:/.test(l.message)).map((l) => `${l.level} ${l.message}`).join(' | ').slice(0, 3_000)}`, { cause: err });
      });
    } finally {
      await flow.stop();
    }
  });
});
