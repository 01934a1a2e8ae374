// Fuzz: random payloads published to a real broker (the simulated plant's aedes) reach four
// mqtt-in nodes, one per payload format. Each publish gives each node exactly one outcome: a
// message decoded as decodePayload says, or (json only) a DECODE_FAILED error naming the topic and
// the node; the runtime keeps running. Payloads come from a fixed seed (FUZZ_SEED overrides),
// printed in every assertion message.
import { debug } from '@plantwire/nodes-core';
import { startPlant, type Plant } from '@plantwire/sim';
import fc from 'fast-check';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePayload, type PayloadFormat } from '../shared/payload.js';
import { flowDoc, outsideClient, run, whenSubscribed } from '../test-support/harness.js';
import { payloadBytesArb } from '../test-support/payload-arbitraries.js';

const seed = Number(process.env['FUZZ_SEED'] ?? 20261206);
const FORMATS: readonly PayloadFormat[] = ['auto', 'json', 'text', 'bytes'];
const COUNT = 300;

let plant: Plant;
let publisher: MqttClient | undefined;
beforeAll(async () => {
  plant = await startPlant({ ports: { mqtt: 0 }, servers: ['mqtt'] });
});
afterAll(async () => {
  await publisher?.endAsync(true);
  await plant.stop();
});

describe('mqtt-in under fuzzed payloads', () => {
  it(`${COUNT} random payloads (and a 1 MB one) through every payload format: a message or DECODE_FAILED, never a crash`, { timeout: 60_000 }, async () => {
    const payloads = [...fc.sample(payloadBytesArb, { seed, numRuns: COUNT }), Buffer.alloc(1024 * 1024, 0xff), Buffer.alloc(0)];
    const doc = flowDoc(
      [{ id: 'broker', config: { url: plant.endpoints.mqtt } }],
      [
        ...FORMATS.map((format) => ({ id: `in-${format}`, type: 'mqtt-in', config: { broker: 'broker', topic: 'fuzz/#', qos: 1, payloadFormat: format } })),
        // whenSubscribed reaches the shared client through this probe.
        { id: 'probe', type: 'broker-probe', config: { broker: 'broker' } },
        // Downstream of the decoded payloads, so odd values also pass through a core node.
        { id: 'print', type: 'debug', config: {} },
      ],
      [['in-auto', 'print']],
    );
    const flow = await run(doc, { extra: [debug] });
    try {
      await whenSubscribed('broker', 'fuzz/#');
      publisher = await outsideClient(plant.endpoints.mqtt);
      for (const [i, bytes] of payloads.entries()) await publisher.publishAsync(`fuzz/${i}`, bytes, { qos: 1 });

      const outcomes = (nodeId: string) => flow.sent(nodeId).length + flow.errors.filter((e) => e.nodeId === nodeId).length;
      await flow.waitFor(() => FORMATS.every((f) => outcomes(`in-${f}`) >= payloads.length), { timeoutMs: 30_000 }).catch((err: Error) => {
        const missing = FORMATS.map((f) => {
          const seen = new Set([...flow.sent(`in-${f}`).map((m) => m['topic']), ...flow.errors.filter((e) => e.nodeId === `in-${f}`).map((e) => /topic "([^"]+)"/.exec(e.message)?.[1])]);
          return `in-${f}: no outcome for ${payloads.flatMap((_, i) => (seen.has(`fuzz/${i}`) ? [] : [`#${i}`])).join(' ')}`;
        });
        throw new Error(`seed ${seed}: ${missing.join('; ')}; logs: ${flow.logs.filter((l) => l.level !== 'debug').map((l) => l.message).join(' | ').slice(0, 2_000)}`, { cause: err });
      });

      for (const format of FORMATS) {
        const nodeId = `in-${format}`;
        const byTopic = new Map(flow.sent(nodeId).map((m) => [m['topic'] as string, m]));
        const errors = new Map(flow.errors.filter((e) => e.nodeId === nodeId).map((e) => [/topic "([^"]+)"/.exec(e.message)?.[1], e]));
        expect(byTopic.size + errors.size, `seed ${seed}, ${nodeId}: one outcome per publish`).toBe(payloads.length);
        payloads.forEach((bytes, i) => {
          const topic = `fuzz/${i}`;
          const expected = decodePayload(bytes, format);
          const where = `seed ${seed}, ${nodeId}, payload #${i} (${bytes.subarray(0, 40).toString('hex')})`;
          if (expected.ok) {
            const msg = byTopic.get(topic);
            expect(msg, where).toBeDefined();
            // Deeply nested payloads are compared by shape only: a deep equality would overflow the test's stack.
            if (bytes.length < 2_000) expect(msg!['payload'], where).toEqual(expected.value);
          } else {
            const error = errors.get(topic);
            expect(error, where).toMatchObject({ code: 'DECODE_FAILED', type: 'mqtt-in' });
            expect(error!.message, where).toContain(`topic "${topic}"`);
          }
        });
      }

      await flow.waitFor(() => flow.debug.length >= payloads.length, { timeoutMs: 10_000 });
      expect(flow.errors.filter((e) => e.nodeId === 'print'), `seed ${seed}`).toEqual([]);

      // Still running: a well-formed publish after all of that arrives at every node.
      const before = flow.sent('in-json').length;
      await publisher.publishAsync('fuzz/after', '{"ok":true}', { qos: 1 });
      await flow.waitFor(() => flow.sent('in-json').length > before, { timeoutMs: 5_000 });
      expect(flow.sent('in-json').at(-1)).toMatchObject({ topic: 'fuzz/after', payload: { ok: true } });
    } finally {
      await flow.stop();
    }
  });
});
