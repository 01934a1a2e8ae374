import { complete } from '@plantwire/nodes-core';
import { startPlant, type Plant } from '@plantwire/sim';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../test-support/mosquitto.js';
import { collect, flowDoc, outsideClient, run, whenAllConnected } from '../test-support/harness.js';

let plant: Plant;
let subscriber: MqttClient | undefined;
const stops: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  plant = await startPlant({ ports: { mqtt: 0 }, servers: ['mqtt'] });
});
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await subscriber?.endAsync(true);
  subscriber = undefined;
});
afterAll(async () => {
  await plant.stop();
});

let seq = 0;
async function start(outConfig: Record<string, unknown>, options: { url?: string; withComplete?: boolean } = {}) {
  const id = `out-broker-${++seq}`;
  const nodes = [
    { id: 'out', type: 'mqtt-out', config: { broker: id, ...outConfig } },
    { id: 'probe', type: 'broker-probe', config: { broker: id } },
    ...(options.withComplete ? [{ id: 'done', type: 'complete', config: { nodes: ['out'] } }] : []),
  ];
  const flow = await run(flowDoc([{ id, config: { url: options.url ?? plant.endpoints.mqtt } }], nodes), { extra: [complete] });
  stops.push(() => flow.stop());
  return { flow, id };
}

describe('mqtt-out against the simulated plant\'s broker (aedes, MQTT 3.1.1)', () => {
  it('config wins over msg for topic, qos and retain; msg fills in what the config leaves open', async () => {
    subscriber = await outsideClient(plant.endpoints.mqtt);
    const got = await collect(subscriber, 'out/#');
    const fixed = await start({ topic: 'out/fixed', qos: 1, retain: false });
    const open = await start({});
    await whenAllConnected(fixed.flow);
    await whenAllConnected(open.flow);
    fixed.flow.inject('out', { topic: 'out/ignored', qos: 0, retain: true, payload: 'a' });
    open.flow.inject('out', { topic: 'out/from-msg', qos: 1, retain: true, payload: 'b' });
    await vi.waitFor(() => expect(got).toHaveLength(2), { timeout: 3000, interval: 10 });
    expect(got.map((m) => [m.topic, m.payload]).sort()).toEqual([['out/fixed', 'a'], ['out/from-msg', 'b']]);
    // Only the message-chosen retain stuck: a new subscriber gets it from the retained store.
    const late = await outsideClient(plant.endpoints.mqtt);
    const replay = await collect(late, 'out/#');
    await vi.waitFor(() => expect(replay).toEqual([expect.objectContaining({ topic: 'out/from-msg', payload: 'b', retain: true })]), { timeout: 3000, interval: 10 });
    await late.publishAsync('out/from-msg', '', { retain: true, qos: 1 });
    await late.endAsync(true);
  });

  it('serialises objects as JSON, Buffers raw, numbers and booleans as text', async () => {
    subscriber = await outsideClient(plant.endpoints.mqtt);
    const got: Buffer[] = [];
    subscriber.on('message', (_t, payload) => got.push(payload));
    await subscriber.subscribeAsync('ser/x', { qos: 1 });
    const { flow } = await start({ topic: 'ser/x', qos: 1 });
    await whenAllConnected(flow);
    for (const payload of [{ t: 21.5, ok: true }, Buffer.from([0, 255]), 42, false, 'text']) flow.inject('out', { payload });
    await vi.waitFor(() => expect(got).toHaveLength(5), { timeout: 3000, interval: 10 });
    expect(got.map((b) => b.toString('latin1'))).toEqual(['{"t":21.5,"ok":true}', '\u0000\u00ff', '42', 'false', 'text']);
  });

  it('completes a QoS 1 message only when the broker acknowledged it', async () => {
    const { flow, id } = await start({ topic: 'ack/x', qos: 1 }, { withComplete: true });
    await whenAllConnected(flow);
    const client = (await import('../test-support/harness.js')).latestClient(id)!;
    plant.faults.silence('mqtt', 30_000);
    try {
      flow.inject('out', { payload: 'held' });
      // The PUBLISH left (it waits in mqtt.js's in-flight store) but no PUBACK came: not complete.
      await vi.waitFor(() => expect(Object.keys(client.mqtt.outgoing)).toHaveLength(1), { timeout: 3000, interval: 10 });
      expect(flow.sent('done')).toHaveLength(0);
    } finally {
      plant.faults.resume('mqtt');
    }
    expect((await flow.next('done', { timeoutMs: 5000 })).payload).toBe('held');
    expect(flow.errors).toEqual([]);
  });

  it('raises NOT_CONNECTED naming the connection while the broker is unreachable (buffer off)', async () => {
    const port = await freePort(); // nothing listens there
    const { flow, id } = await start({ topic: 'x/y', buffer: { enabled: false } }, { url: `mqtt://127.0.0.1:${port}` });
    await flow.waitFor(() => flow.connectionEvents.some((e) => e.state === 'waiting'), { timeoutMs: 3000 });
    flow.inject('out', { payload: 1 });
    await flow.waitFor(() => flow.errors.length === 1);
    expect(flow.errors[0]).toMatchObject({ nodeId: 'out', code: 'NOT_CONNECTED' });
    expect(flow.errors[0]!.message).toContain(id);
  });

  it('raises INPUT_INVALID when neither config nor msg gives a usable topic', async () => {
    const { flow } = await start({});
    await whenAllConnected(flow);
    flow.inject('out', { payload: 1 });
    flow.inject('out', { topic: 'a/+/b', payload: 1 });
    flow.inject('out', { topic: 'a/b', qos: 3, payload: 1 });
    await flow.waitFor(() => flow.errors.length === 3);
    expect(flow.errors.map((e) => e.code)).toEqual(['INPUT_INVALID', 'INPUT_INVALID', 'INPUT_INVALID']);
    expect(flow.errors.map((e) => e.message)).toEqual([expect.stringMatching(/no topic/), expect.stringMatching(/wildcards/), expect.stringMatching(/msg.qos must be 0, 1 or 2/)]);
  });

  it('pipelines QoS 1 publishes and keeps their order', async () => {
    subscriber = await outsideClient(plant.endpoints.mqtt);
    const got = await collect(subscriber, 'pipe/x');
    const { flow } = await start({ topic: 'pipe/x', qos: 1 }, { withComplete: true });
    await whenAllConnected(flow);
    for (let i = 0; i < 200; i++) flow.inject('out', { payload: i });
    const done = await flow.take('done', 200, { timeoutMs: 5000 });
    expect(done.map((m) => m.payload)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    await vi.waitFor(() => expect(got).toHaveLength(200), { timeout: 3000, interval: 10 });
    expect(got.map((m) => Number(m.payload))).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });
});
