import { startPlant, type Plant } from '@plantwire/sim';
import { defineNode } from '@plantwire/node-sdk';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { flowDoc, outsideClient, run, whenSubscribed } from '../test-support/harness.js';

let plant: Plant;
let publisher: MqttClient | undefined;
const stops: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  plant = await startPlant({ ports: { mqtt: 0 }, servers: ['mqtt'] });
});
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await publisher?.endAsync(true);
  publisher = undefined;
});
afterAll(async () => {
  await plant.stop();
});

let seq = 0;
/** A connection id unique per test, so probes of earlier tests do not answer. */
const brokerId = () => `plant-${++seq}`;

async function start(nodes: Parameters<typeof flowDoc>[1], wires: Array<[string, string]> = [], extra: Parameters<typeof run>[1] = {}) {
  const id = brokerId();
  const doc = flowDoc(
    [{ id, config: { url: plant.endpoints.mqtt } }],
    [...nodes.map((n) => ({ ...n, config: { broker: id, ...n.config } })), { id: 'probe', type: 'broker-probe', config: { broker: id } }],
    wires,
  );
  const flow = await run(doc, extra);
  stops.push(() => flow.stop());
  return { flow, id };
}

describe('mqtt-in against the simulated plant\'s broker (aedes, MQTT 3.1.1)', () => {
  it('emits {topic, payload, qos, retain} for topics matching a + filter, decoding JSON when it parses', async () => {
    const { flow, id } = await start([{ id: 'in', type: 'mqtt-in', config: { topic: 'test/+/temp', qos: 1 } }]);
    await whenSubscribed(id, 'test/+/temp');
    publisher = await outsideClient(plant.endpoints.mqtt);
    await publisher.publishAsync('test/m1/temp', '{"value":21.5}', { qos: 1 });
    await publisher.publishAsync('test/m1/other', 'not for us', { qos: 1 });
    await publisher.publishAsync('test/m2/temp', 'RUNNING', { qos: 0 });
    const [a, b] = await flow.take('in', 2);
    expect(a).toMatchObject({ topic: 'test/m1/temp', payload: { value: 21.5 }, qos: 1, retain: false });
    expect(b).toMatchObject({ topic: 'test/m2/temp', payload: 'RUNNING', qos: 0, retain: false });
    expect(a).not.toHaveProperty('properties'); // MQTT 3.1.1 has none
    expect(flow.sent('in')).toHaveLength(2);
  });

  it('flags retained messages with msg.retain, and drops them with ignoreRetained', async () => {
    publisher = await outsideClient(plant.endpoints.mqtt);
    await publisher.publishAsync('test/retained/a', 'old', { qos: 1, retain: true });
    const all = await start([{ id: 'all', type: 'mqtt-in', config: { topic: 'test/retained/#' } }]);
    await whenSubscribed(all.id, 'test/retained/#');
    expect(await all.flow.next('all')).toMatchObject({ topic: 'test/retained/a', payload: 'old', retain: true });

    const live = await start([{ id: 'live', type: 'mqtt-in', config: { topic: 'test/retained/+', ignoreRetained: true, payloadFormat: 'text' } }]);
    await whenSubscribed(live.id, 'test/retained/+');
    await publisher.publishAsync('test/retained/a', 'new', { qos: 1 });
    expect(await live.flow.next('live')).toMatchObject({ payload: 'new', retain: false });
    expect(await all.flow.next('all')).toMatchObject({ payload: 'new', retain: false });
    expect(live.flow.sent('live').map((m) => m.payload)).toEqual(['new']);
    await publisher.publishAsync('test/retained/a', '', { qos: 1, retain: true }); // clear it for later tests
  });

  it('payloadFormat json: a malformed payload is a DECODE_FAILED error naming the topic; the flow keeps running', async () => {
    const { flow, id } = await start([{ id: 'in', type: 'mqtt-in', config: { topic: 'test/json', payloadFormat: 'json' } }]);
    await whenSubscribed(id, 'test/json');
    publisher = await outsideClient(plant.endpoints.mqtt);
    await publisher.publishAsync('test/json', '{"broken":', { qos: 1 });
    await publisher.publishAsync('test/json', '{"ok":true}', { qos: 1 });
    expect((await flow.next('in')).payload).toEqual({ ok: true });
    expect(flow.errors).toHaveLength(1);
    expect(flow.errors[0]).toMatchObject({ nodeId: 'in', code: 'DECODE_FAILED' });
    expect(flow.errors[0]!.message).toMatch(/topic "test\/json" is not valid JSON/);
    expect(flow.sent('in')).toHaveLength(1);
  });

  it('payloadFormat bytes gives a Buffer', async () => {
    const { flow, id } = await start([{ id: 'in', type: 'mqtt-in', config: { topic: 'test/bytes', payloadFormat: 'bytes' } }]);
    await whenSubscribed(id, 'test/bytes');
    publisher = await outsideClient(plant.endpoints.mqtt);
    await publisher.publishAsync('test/bytes', Buffer.from([0, 1, 255]), { qos: 1 });
    expect((await flow.next('in')).payload).toEqual(Buffer.from([0, 1, 255]));
  });

  it('refuses an invalid filter at deploy, naming the field', async () => {
    await expect(start([{ id: 'in', type: 'mqtt-in', config: { topic: 'test/#/x' } }])).rejects.toThrow(/in.*topic.*"#" must be the last level/s);
    await expect(start([{ id: 'in', type: 'mqtt-in', config: { topic: '$share//x' } }])).rejects.toThrow(/group .* is empty/);
  });

  it('backpressure: a QoS 1 flood into a slow flow keeps queues bounded, holds reading, and loses nothing', async () => {
    const total = 1500;
    let maxDepth = 0;
    let pausedSeen = false;
    let sampleFlow: Awaited<ReturnType<typeof start>>['flow'] | undefined;
    let sampleId = '';
    const slow = defineNode({
      type: 'slow',
      version: 1,
      category: 'transform',
      summary: 'Finishes each message on a later turn of the event loop.',
      inputs: { in: 'x' },
      outputs: { out: 'x' },
      config: z.object({ broker: z.string() }),
      async onInput(msg) {
        if (sampleFlow) {
          for (const c of Object.values(sampleFlow.metrics())) maxDepth = Math.max(maxDepth, c.queueDepth);
          const { latestClient } = await import('../test-support/harness.js');
          pausedSeen ||= latestClient(sampleId)?.paused === true;
        }
        await new Promise((resolve) => setImmediate(resolve));
        return msg;
      },
    });
    const { flow, id } = await start(
      [
        { id: 'in', type: 'mqtt-in', config: { topic: 'test/flood', qos: 1 }, queue: { capacity: 8 } },
        { id: 'slow', type: 'slow', queue: { capacity: 8 } },
      ],
      [['in', 'slow']],
      { extra: [slow] },
    );
    sampleFlow = flow;
    sampleId = id;
    await whenSubscribed(id, 'test/flood');
    publisher = await outsideClient(plant.endpoints.mqtt);
    await Promise.all(Array.from({ length: total }, (_, i) => publisher!.publishAsync('test/flood', String(i), { qos: 1 })));
    const out = await flow.take('slow', total, { timeoutMs: 15_000 });
    expect(out.map((m) => m.payload)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(flow.sent('in')).toHaveLength(total); // each message exactly once: none lost, none duplicated
    expect(maxDepth).toBeLessThanOrEqual(8);
    expect(pausedSeen).toBe(true);
    // `dropped` counts emit refusals; every refused message was emitted again after the drain.
    expect(flow.metrics()['slow']!.dropped).toBe(0);
    expect(flow.errors).toEqual([]);
  });

  it('reconnects and resubscribes after a broker restart; messages keep flowing', async () => {
    const { flow, id } = await start([{ id: 'in', type: 'mqtt-in', config: { topic: 'test/restart/#', qos: 1 } }]);
    const first = await whenSubscribed(id, 'test/restart/#');
    publisher = await outsideClient(plant.endpoints.mqtt);
    await publisher.publishAsync('test/restart/a', '1', { qos: 1 });
    expect((await flow.next('in')).payload).toBe(1);
    await publisher.endAsync(true);

    await plant.faults.restart('mqtt');
    await flow.waitFor(() => flow.connectionEvents.some((e) => e.state === 'waiting'), { timeoutMs: 5000 });
    const second = await whenSubscribed(id, 'test/restart/#');
    expect(second).not.toBe(first);
    publisher = await outsideClient(plant.endpoints.mqtt);
    for (let i = 2; i <= 5; i++) await publisher.publishAsync('test/restart/a', String(i), { qos: 1 });
    expect((await flow.take('in', 4)).map((m) => m.payload)).toEqual([2, 3, 4, 5]);
    const states = flow.connectionEvents.map((e) => e.state);
    expect(states.slice(states.indexOf('waiting'))).toContain('connected');
  });

  it('closes within a bound, also while holding the read gate under pressure', async () => {
    const gate = defineNode({
      type: 'stuck',
      version: 1,
      category: 'sink',
      summary: 'Takes 30 ms a message (a slow database).',
      inputs: { in: 'x' },
      config: z.object({ broker: z.string() }),
      onInput: (_msg, ctx) => new Promise<void>((resolve) => ctx.setTimeout(resolve, 30)),
    });
    const { flow, id } = await start(
      [
        { id: 'in', type: 'mqtt-in', config: { topic: 'test/stuck', qos: 1 }, queue: { capacity: 2 } },
        { id: 'stuck', type: 'stuck', queue: { capacity: 2 } },
      ],
      [['in', 'stuck']],
      { extra: [gate] },
    );
    const client = await whenSubscribed(id, 'test/stuck');
    publisher = await outsideClient(plant.endpoints.mqtt);
    await Promise.all(Array.from({ length: 50 }, (_, i) => publisher!.publishAsync('test/stuck', String(i), { qos: 1 })));
    const { vi } = await import('vitest');
    await vi.waitFor(() => expect(client.paused).toBe(true), { timeout: 5000, interval: 10 });
    const t0 = performance.now();
    stops.length = 0;
    await flow.stop();
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(client.mqtt.connected).toBe(false);
  });
});
