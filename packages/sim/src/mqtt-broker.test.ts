import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlant, type Plant, type PlantFaultEvent } from './start-plant.js';

let plant: Plant;
const clients: MqttClient[] = [];

// aedes speaks MQTT 3.1.1 only (STACK.md G10): every client of the embedded broker uses protocolVersion 4.
async function connect(options: IClientOptions = {}): Promise<MqttClient> {
  const client = await connectAsync(plant.endpoints.mqtt, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000, ...options });
  clients.push(client);
  return client;
}

function nextMessage(client: MqttClient): Promise<{ topic: string; payload: Buffer; retain: boolean }> {
  return new Promise((resolve) => client.once('message', (topic, payload, packet) => resolve({ topic, payload, retain: packet.retain })));
}

function nextClientEvent(client: MqttClient, event: 'close' | 'connect'): Promise<void> {
  return new Promise((resolve) => client.once(event, () => resolve()));
}

function nextEvent(kind: PlantFaultEvent['kind']): Promise<PlantFaultEvent> {
  return new Promise((resolve) => {
    const off = plant.faults.onEvent((event) => {
      if (event.kind !== kind) return;
      off();
      resolve(event);
    });
  });
}

beforeAll(async () => {
  plant = await startPlant({ servers: ['mqtt'], ports: { mqtt: 0 } });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await plant.stop();
});

describe('embedded MQTT broker', () => {
  it('listens on 127.0.0.1', () => {
    expect(plant.endpoints.mqtt).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
  });

  it('carries QoS 0 and QoS 1 messages between MQTT 3.1.1 clients', async () => {
    const sub = await connect();
    const pub = await connect();
    const granted = await sub.subscribeAsync({ 'test/q0': { qos: 0 }, 'test/q1/#': { qos: 1 } });
    expect(granted.map((g) => [g.topic, g.qos])).toEqual([
      ['test/q0', 0],
      ['test/q1/#', 1],
    ]);
    const received: Array<[string, string, number]> = [];
    const both = new Promise<void>((resolve) =>
      sub.on('message', (topic, payload, packet) => {
        received.push([topic, payload.toString(), packet.qos]);
        if (received.length === 2) resolve();
      }),
    );
    await pub.publishAsync('test/q0', 'zero', { qos: 0 });
    await pub.publishAsync('test/q1/a', 'one', { qos: 1 });
    await both;
    expect(received.sort()).toEqual([
      ['test/q0', 'zero', 0],
      ['test/q1/a', 'one', 1],
    ]);
  });

  it('publishes the meter as JSON; the retained energy counter arrives on subscribe', async () => {
    const client = await connect();
    const message = nextMessage(client);
    await client.subscribeAsync('springfield/packaging/line1/meter1/energy', { qos: 0 });
    const { topic, payload, retain } = await message;
    expect(topic).toBe('springfield/packaging/line1/meter1/energy');
    expect(retain).toBe(true);
    const body = JSON.parse(payload.toString()) as { value: number; unit: string; timestamp: string };
    expect(body.unit).toBe('Wh');
    expect(body.value).toBeGreaterThanOrEqual(123_456_000);
    expect(Number.isNaN(Date.parse(body.timestamp))).toBe(false);
  });

  it('refuses MQTT 5 clients (aedes 1.2.0 limitation, STACK.md G10)', async () => {
    await expect(connectAsync(plant.endpoints.mqtt, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5_000 })).rejects.toThrow(/protocol version/i);
  });

  it("silence('mqtt') holds a QoS 1 publish unacknowledged until the broker answers again", async () => {
    const client = await connect();
    const order: string[] = [];
    const resumed = nextEvent('resumed').then(() => order.push('resumed'));
    plant.faults.silence('mqtt', 300);
    expect(plant.faults.isSilent('mqtt')).toBe(true);
    await client.publishAsync('test/held', 'x', { qos: 1 }).then(() => order.push('puback'));
    await resumed;
    expect(order).toEqual(['resumed', 'puback']);
  });

  it('a client connecting during a silence gets its CONNACK only afterwards', async () => {
    const order: string[] = [];
    const resumed = nextEvent('resumed').then(() => order.push('resumed'));
    plant.faults.silence('mqtt', 300);
    await connect().then(() => order.push('connack'));
    await resumed;
    expect(order).toEqual(['resumed', 'connack']);
  });

  it("restart('mqtt') drops clients, which reconnect on the same port", async () => {
    const client = await connect({ reconnectPeriod: 50 });
    const closed = nextClientEvent(client, 'close');
    const reconnected = nextClientEvent(client, 'connect');
    await plant.faults.restart('mqtt');
    await closed;
    await reconnected;
    await client.subscribeAsync('test/after-restart', { qos: 1 });
    const message = nextMessage(client);
    const other = await connect();
    await other.publishAsync('test/after-restart', 'back', { qos: 1 });
    expect((await message).payload.toString()).toBe('back');
  });
});
