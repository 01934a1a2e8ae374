import { createServer, connect, type Server, type Socket } from 'node:net';
import { defineNode, type Message } from '@plantwire/node-sdk';
import { startPlant, type Plant } from '@plantwire/sim';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { flowDoc, latestClient, outsideClient, run, whenSubscribed } from '../test-support/harness.js';

/**
 * A TCP proxy between the runtime and the broker that reads the packets the runtime sends (fixed
 * header and remaining length only): the broker-side view of which PUBACKs left, and when.
 */
interface Proxy {
  readonly url: string;
  /** Packets from the runtime's client, in order: `puback:<id>`, `publish:<topic>` or the packet type. */
  readonly seen: string[];
  /** PUBACK message ids, in order. */
  readonly acks: number[];
  /** Cut every connection at once (no DISCONNECT, nothing more acknowledged) and refuse new ones. */
  kill(): Promise<void>;
}

async function startProxy(brokerUrl: string): Promise<Proxy> {
  const { hostname, port } = new URL(brokerUrl);
  const seen: string[] = [];
  const acks: number[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined); // a killed link; the runtime reports its own side
      s.on('close', () => sockets.delete(s));
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    let buffered = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        let length = 0;
        let multiplier = 1;
        let i = 1;
        let byte = 0x80;
        while (byte & 0x80) {
          if (i >= buffered.length) return;
          byte = buffered[i++]!;
          length += (byte & 0x7f) * multiplier;
          multiplier *= 128;
        }
        if (buffered.length < i + length) return;
        const type = buffered[0]! >> 4;
        if (type === 4) {
          const id = buffered.readUInt16BE(i);
          acks.push(id);
          seen.push(`puback:${id}`);
        } else if (type === 3) {
          seen.push(`publish:${buffered.subarray(i + 2, i + 2 + buffered.readUInt16BE(i)).toString()}`);
        } else seen.push(String(type));
        buffered = buffered.subarray(i + length);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `mqtt://127.0.0.1:${address.port}`,
    seen,
    acks,
    kill: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

/** An async sink whose calls finish only when the test says so (`held.get(id)` lists them). */
const held = new Map<string, Array<{ msg: Message; finish: () => void }>>();
const slowSink = defineNode({
  type: 'slow-sink',
  version: 1,
  category: 'sink',
  summary: 'Finishes each message when the test releases it.',
  inputs: { in: 'x' },
  config: z.object({}),
  setup(ctx) {
    held.set(ctx.id, []);
  },
  onInput(msg, ctx) {
    return new Promise<void>((finish) => held.get(ctx.id)!.push({ msg, finish }));
  },
});
/** A sink that records payloads (`got.get(id)`). */
const got = new Map<string, unknown[]>();
const recordSink = defineNode({
  type: 'record-sink',
  version: 1,
  category: 'sink',
  summary: 'Records payloads.',
  inputs: { in: 'x' },
  config: z.object({}),
  setup(ctx) {
    if (!got.has(ctx.id)) got.set(ctx.id, []);
  },
  onInput(msg, ctx) {
    got.get(ctx.id)!.push(msg.payload);
  },
});

/** Async middle node: labels messages with its config (so a redeploy restarts it). */
const labeller = defineNode({
  type: 'labeller',
  version: 1,
  category: 'transform',
  summary: 'Adds config.label.',
  inputs: { in: 'x' },
  outputs: { out: 'x' },
  config: z.object({ label: z.number() }),
  concurrency: 2,
  async onInput(msg, ctx) {
    await new Promise((resolve) => setImmediate(resolve));
    return { ...msg, label: ctx.config.label };
  },
});

let plant: Plant;
let publisher: MqttClient | undefined;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  plant = await startPlant({ ports: { mqtt: 0 }, servers: ['mqtt'] });
});
afterEach(async () => {
  for (const f of held.values()) for (const call of f.splice(0)) call.finish();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await publisher?.endAsync(true);
  publisher = undefined;
});
afterAll(async () => {
  await plant.stop();
});

let seq = 0;
const until = (condition: () => boolean, timeout = 5000) =>
  vi.waitFor(() => {
    if (!condition()) throw new Error('not yet');
  }, { timeout, interval: 5 });

async function start(url: string, nodes: Parameters<typeof flowDoc>[1], wires: Array<[string, string]>, connection: Record<string, unknown> = {}) {
  const id = `ack-${++seq}`;
  const doc = flowDoc(
    [{ id, config: { url, ...connection } }],
    [...nodes.map((n) => (n.type.startsWith('mqtt-') ? { ...n, config: { broker: id, ...n.config } } : n)), { id: 'probe', type: 'broker-probe', config: { broker: id } }],
    wires,
  );
  const flow = await run(doc, { extra: [slowSink, recordSink, labeller] });
  cleanups.push(() => flow.stop());
  return { flow, id };
}

describe('mqtt-in acknowledges after delivery (at least once)', () => {
  it('keeps a PUBACK back until the slow sink finished, and sends PUBACKs in the order the PUBLISHes came', { timeout: 20_000 }, async () => {
    const proxy = await startProxy(plant.endpoints.mqtt);
    cleanups.push(() => proxy.kill());
    const { flow, id } = await start(
      proxy.url,
      [
        { id: 'ina', type: 'mqtt-in', config: { topic: 'ack/a', qos: 1 } },
        { id: 'inb', type: 'mqtt-in', config: { topic: 'ack/b', qos: 1 } },
        { id: 'slow', type: 'slow-sink' },
        { id: 'fast', type: 'record-sink' },
      ],
      [
        ['ina', 'slow'],
        ['inb', 'fast'],
      ],
    );
    await whenSubscribed(id, 'ack/a');
    await whenSubscribed(id, 'ack/b');
    const client = latestClient(id)!;
    const ids: number[] = [];
    client.mqtt.on('message', (_t, _p, packet) => ids.push(packet.messageId!));
    publisher = await outsideClient(plant.endpoints.mqtt);
    await publisher.publishAsync('ack/a', '1', { qos: 1 });
    await publisher.publishAsync('ack/b', '2', { qos: 1 });
    await publisher.publishAsync('ack/a', '3', { qos: 1 });
    await until(() => held.get('slow')!.length === 1 && got.get('fast')!.length === 1 && ids.length === 3);

    // A packet the runtime's client writes now comes after any PUBACK it had written: none had.
    client.mqtt.publish('ack/barrier', 'x', { qos: 0 });
    await until(() => proxy.seen.includes('publish:ack/barrier'));
    expect(proxy.acks).toEqual([]);
    expect(client.pendingAcks).toBe(3); // 2 was handled at once, but its PUBACK waits behind 1's

    held.get('slow')!.shift()!.finish();
    await until(() => proxy.acks.length === 2);
    expect(proxy.acks).toEqual([ids[0], ids[1]]);
    await until(() => held.get('slow')!.length === 1);
    held.get('slow')!.shift()!.finish();
    await until(() => proxy.acks.length === 3);
    expect(proxy.acks).toEqual(ids);
    expect(flow.sent('ina').map((m) => m.payload)).toEqual([1, 3]);
  });

  it('acknowledges on receipt when told to', { timeout: 20_000 }, async () => {
    const proxy = await startProxy(plant.endpoints.mqtt);
    cleanups.push(() => proxy.kill());
    const { id } = await start(proxy.url, [{ id: 'in', type: 'mqtt-in', config: { topic: 'ack/receipt', qos: 1, acknowledge: 'on-receipt' } }, { id: 'slow', type: 'slow-sink' }], [['in', 'slow']]);
    await whenSubscribed(id, 'ack/receipt');
    publisher = await outsideClient(plant.endpoints.mqtt);
    await publisher.publishAsync('ack/receipt', '1', { qos: 1 });
    await until(() => held.get('slow')!.length === 1 && proxy.acks.length === 1);
    expect(latestClient(id)!.pendingAcks).toBe(0);
  });

  it('a deploy that restarts the middle node of a running MQTT flow loses and repeats nothing', { timeout: 30_000 }, async () => {
    const TOTAL = 1000;
    const doc = (label: number) =>
      flowDoc(
        [{ id: 'deploy-broker', config: { url: plant.endpoints.mqtt } }],
        [
          { id: 'in', type: 'mqtt-in', config: { broker: 'deploy-broker', topic: 'ack/deploy', qos: 1, payloadFormat: 'json' }, queue: { capacity: 20 } },
          { id: 'mid', type: 'labeller', config: { label }, queue: { capacity: 20 } },
          { id: 'out', type: 'record-sink' },
          { id: 'probe', type: 'broker-probe', config: { broker: 'deploy-broker' } },
        ],
        [
          ['in', 'mid'],
          ['mid', 'out'],
        ],
      );
    got.delete('out');
    const flow = await run(doc(0), { extra: [slowSink, recordSink, labeller] });
    cleanups.push(() => flow.stop());
    await whenSubscribed('deploy-broker', 'ack/deploy');
    publisher = await outsideClient(plant.endpoints.mqtt);
    const pub = publisher;
    const publishing = (async () => {
      for (let n = 0; n < TOTAL; n++) await pub.publishAsync('ack/deploy', String(n), { qos: 1 });
    })();
    const out = got.get('out')!;
    for (let label = 1; label <= 5; label++) {
      const before = out.length;
      await until(() => out.length >= Math.min(TOTAL, before + 50), 10_000);
      expect(await flow.runtime.deploy(doc(label))).toMatchObject({ ok: true, restarted: ['mid'] });
    }
    await publishing;
    await until(() => out.length >= TOTAL, 15_000);
    expect(out).toHaveLength(TOTAL);
    expect(new Set(out).size).toBe(TOTAL);
    await until(() => latestClient('deploy-broker')!.pendingAcks === 0);
    expect(latestClient('deploy-broker')!.withheld).toBe(0);
  });

  it('a runtime cut off before its sink finished gets the messages again on the next connect (persistent session): none lost', { timeout: 30_000 }, async () => {
    const clientId = `pw-redeliver-${process.pid}-${++seq}`;
    const session = { clientId, cleanStart: false };
    // Subscribe once so the broker keeps the subscription in the session.
    const proxy = await startProxy(plant.endpoints.mqtt);
    const first = await start(proxy.url, [{ id: 'in', type: 'mqtt-in', config: { topic: 'ack/redeliver', qos: 1 } }, { id: 'slow', type: 'slow-sink' }], [['in', 'slow']], session);
    await whenSubscribed(first.id, 'ack/redeliver');
    publisher = await outsideClient(plant.endpoints.mqtt);
    for (const n of [1, 2, 3]) await publisher.publishAsync('ack/redeliver', String(n), { qos: 1 });
    await until(() => held.get('slow')!.length === 1 && first.flow.sent('in').length === 3);
    expect(proxy.acks).toEqual([]);

    // The process dies: the link is cut, nothing was acknowledged, and it is gone for good.
    await proxy.kill();
    // The sink finishing now changes nothing: the connection that would have acknowledged is gone.
    const stopped = first.flow.runtime.stop({ drainTimeoutMs: 0 });
    let done = false;
    void stopped.then(() => (done = true));
    while (!done) {
      for (const call of held.get('slow')!.splice(0)) call.finish();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(proxy.acks).toEqual([]);

    // The restarted runtime, same client id, persistent session: the broker sends 1, 2, 3 again.
    const second = await start(plant.endpoints.mqtt, [{ id: 'in2', type: 'mqtt-in', config: { topic: 'ack/redeliver', qos: 1 } }, { id: 'rec', type: 'record-sink' }], [['in2', 'rec']], session);
    await until(() => (got.get('rec')?.length ?? 0) >= 3, 10_000);
    expect([...new Set(got.get('rec'))].sort()).toEqual([1, 2, 3]);
    await until(() => latestClient(second.id)!.pendingAcks === 0);
  });
});
