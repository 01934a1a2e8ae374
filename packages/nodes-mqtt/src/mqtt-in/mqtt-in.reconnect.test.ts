/**
 * mqtt-in on a persistent session across a reconnect, against the embedded aedes broker: the
 * broker sends what it kept for the session (unacknowledged in-flight messages, and what was
 * published while the runtime was away) right behind the CONNACK. None of it may be read before
 * the node is attached to the new client again.
 */
import { defineNode } from '@plantwire/node-sdk';
import { startPlant, type Plant } from '@plantwire/sim';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { flowDoc, latestClient, outsideClient, probedClients, run, whenSubscribed } from '../test-support/harness.js';
import { startMosquitto, type Mosquitto } from '../test-support/mosquitto.js';
import { startTcpProxy } from '../test-support/tcp-proxy.js';

/** Payloads the gated sink finished, by node id. */
const finished = new Map<string, unknown[]>();
/** While set, the gated sink's calls wait for it (no PUBACK leaves for them). */
let gate: { promise: Promise<void>; open: () => void } | undefined;
const gatedSink = defineNode({
  type: 'gated-sink',
  version: 1,
  category: 'sink',
  summary: 'Records payloads; holds each call while the test keeps the gate shut.',
  inputs: { in: 'x' },
  config: z.object({}),
  concurrency: 64,
  async onInput(msg, ctx) {
    if (gate) await gate.promise;
    const list = finished.get(ctx.id) ?? [];
    list.push(msg.payload);
    finished.set(ctx.id, list);
  },
});

function shut(): void {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  gate = { promise, open };
}

let plant: Plant;
let mosquitto: Mosquitto;
let publisher: MqttClient | undefined;
const cleanups: Array<() => Promise<unknown>> = [];
let seq = 0;

beforeAll(async () => {
  plant = await startPlant({ ports: { mqtt: 0 }, servers: ['mqtt'] });
  mosquitto = await startMosquitto();
});
afterEach(async () => {
  gate?.open();
  gate = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await publisher?.endAsync(true);
  publisher = undefined;
});
afterAll(async () => {
  await plant.stop();
  await mosquitto.stop();
});

const until = (what: string, condition: () => boolean, timeout = 10_000) =>
  vi.waitFor(
    () => {
      if (!condition()) throw new Error(`not yet: ${what}`);
    },
    { timeout, interval: 5 },
  );

// mosquitto sends what it kept in the same TCP segment as the CONNACK; aedes a little later.
const brokers: Array<[string, () => string]> = [
  ['mosquitto', () => mosquitto.url],
  ['aedes', () => plant.endpoints.mqtt],
];

describe.each(brokers)('mqtt-in on a persistent session across a reconnect (%s)', (_name, brokerUrl) => {
  it.each([1, 2, 3])(
    'gets every message kept for the session while it was away, none lost, every PUBACK released (round %i)',
    async () => {
      const id = `reconnect-${++seq}`;
      const topic = `reconnect/${seq}`;
      // The CONNACK and what the broker sends behind it arrive in one read, as in a busy process.
      const proxy = await startTcpProxy(Number(new URL(brokerUrl()).port), { coalesceMs: 100 });
      cleanups.push(() => proxy.down());
      const doc = flowDoc(
        [{ id, config: { url: proxy.url, clientId: `pw-reconnect-${process.pid}-${seq}`, cleanStart: false, keepalive: 5 } }],
        [
          { id: 'in', type: 'mqtt-in', config: { broker: id, topic, qos: 1, payloadFormat: 'json' } },
          { id: 'sink', type: 'gated-sink' },
          { id: 'probe', type: 'broker-probe', config: { broker: id } },
        ],
        [['in', 'sink']],
      );
      finished.delete('sink');
      const flow = await run(doc, { extra: [gatedSink] });
      cleanups.push(() => flow.stop());
      await whenSubscribed(id, topic);
      publisher = await outsideClient(brokerUrl());
      const connected = () => flow.runtime.connections().find((c) => c.id === id)?.state === 'connected';

      // 1. Twenty messages the flow has in hand when the link goes: read, never acknowledged.
      shut();
      for (let n = 0; n < 20; n++) await publisher.publishAsync(topic, String(n), { qos: 1 });
      await until('20 messages in the flow', () => flow.sent('in').length === 20);
      expect(latestClient(id)!.pendingAcks).toBe(20);
      const before = probedClients.get(id)!.length;
      await proxy.down();
      await until('the connection lost', () => !connected());
      gate!.open();
      gate = undefined;

      // 2. Published while the runtime is away: the broker queues them for the session.
      for (let n = 20; n < 220; n++) await publisher.publishAsync(topic, String(n), { qos: 1 });

      // 3. Back: the broker sends 0-19 again and 20-219 right behind the CONNACK.
      await proxy.up();
      await until('a new client', () => probedClients.get(id)!.length > before && connected());
      const all = Array.from({ length: 220 }, (_, n) => n);
      await until('all 220 values at the sink', () => new Set(finished.get('sink')).size === 220, 15_000);
      expect([...new Set(finished.get('sink'))].sort((a, b) => Number(a) - Number(b))).toEqual(all);
      const client = latestClient(id)!;
      await until('every PUBACK sent', () => client.pendingAcks === 0);
      expect(client.withheld).toBe(0);
      expect(flow.errors).toEqual([]);

      // Nothing left at the broker for the session: a new live message is the next one to arrive.
      const count = finished.get('sink')!.length;
      await publisher.publishAsync(topic, '1000', { qos: 1 });
      await until('the live message', () => finished.get('sink')!.length === count + 1);
      expect(finished.get('sink')!.at(-1)).toBe(1000);
    },
    30_000,
  );
});
