import { readFileSync } from 'node:fs';
import { change, json } from '@plantwire/nodes-core';
import { startPlant, type Plant } from '@plantwire/sim';
import { runFlow, type FlowUnderTest } from '@plantwire/testing';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mqttConnections, mqttNodes } from './index.js';
import { outsideClient } from './test-support/harness.js';

const document = JSON.parse(readFileSync(new URL('./mqtt-round-trip.flow.json', import.meta.url), 'utf8')) as unknown;

describe('mqtt-round-trip.flow.json against the simulated plant', () => {
  let plant: Plant;
  let flow: FlowUnderTest;
  let device: MqttClient;

  beforeAll(async () => {
    plant = await startPlant({ ports: { mqtt: 0 }, servers: ['mqtt'] });
    flow = await runFlow(document, {
      nodeTypes: [...mqttNodes, json, change],
      connectionTypes: mqttConnections,
      env: { MQTT_URL: plant.endpoints.mqtt },
      connectionBackoff: { initialMs: 20, maxMs: 200 },
    });
    device = await outsideClient(plant.endpoints.mqtt);
  });
  afterAll(async () => {
    await flow?.stop();
    await device?.endAsync(true);
    await plant?.stop();
  });

  it('mqtt-in → json → change → mqtt-out: the stamped reading comes back over the broker', async () => {
    // Retained, so the reading is delivered whether it arrives before or after the flow subscribed.
    await device.publishAsync('roundtrip/in/m1', '{"temp":21.5}', { qos: 1, retain: true });
    const back = await flow.next('readback', { timeoutMs: 5000 });
    expect(back).toMatchObject({ topic: 'roundtrip/out', payload: { temp: 21.5, checked: true }, qos: 1 });
    expect(flow.errors).toEqual([]);
  });

  it('a reading that is not JSON is an error of the json node; the flow keeps running', async () => {
    await device.publishAsync('roundtrip/in/m2', 'not json', { qos: 1 });
    await flow.waitFor(() => flow.errors.length === 1, { timeoutMs: 5000 });
    expect(flow.errors[0]).toMatchObject({ nodeId: 'parse', code: 'DECODE_FAILED' });
    await device.publishAsync('roundtrip/in/m3', '{"temp":30}', { qos: 1 });
    const back = await flow.next('readback', { timeoutMs: 5000 });
    expect(back.payload).toEqual({ temp: 30, checked: true });
  });
});
