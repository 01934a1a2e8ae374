import { join } from 'node:path';
import type { Message, TagValue } from '@plantwire/node-sdk';
import { change, debug } from '@plantwire/nodes-core';
import { runFlow, type FlowUnderTest } from '@plantwire/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opcuaConnections, opcuaNodes } from '../index.js';
import type { OpcuaEndpointClient } from '../opcua-endpoint/opcua-endpoint-client.js';
import { connectEndpoint, startOpcuaPlant } from '../opcua-test-support.js';
import document from './opcua-subscribe.flow.json';

/** Server_ServerDiagnostics_ServerDiagnosticsSummary_CurrentSubscriptionCount (OPC UA Part 5): counted by the server itself. */
const CURRENT_SUBSCRIPTION_COUNT = 'ns=0;i=2285';
const TOPIC = 'line1/machine1/temperature';

describe('opcua-subscribe → change → debug against the simulated plant', () => {
  let env: Awaited<ReturnType<typeof startOpcuaPlant>>;
  let flow: FlowUnderTest;
  /** A second client that subscribes to nothing: it reads the server's own subscription count. */
  let observer: OpcuaEndpointClient;

  const serverSubscriptions = async (): Promise<number> => Number((await observer.read([CURRENT_SUBSCRIPTION_COUNT]))[0]!.value.value);
  // The observer shares the runtime connection's PKI folder: one client key pair generated per file, not two.
  const observerDir = () => join(env.dir, 'runtime', 'connections', 'plant-opcua');
  const temperatures = (): Message[] => flow.sent('with-unit').filter((m) => m.topic === TOPIC);

  beforeAll(async () => {
    env = await startOpcuaPlant();
    flow = await runFlow(document, {
      nodeTypes: [...opcuaNodes, change, debug],
      connectionTypes: opcuaConnections,
      env: { OPCUA_URL: env.plant.endpoints.opcua },
      dataDir: join(env.dir, 'runtime'),
      connectionBackoff: { initialMs: 50, maxMs: 250 },
    });
    observer = (await connectEndpoint({ endpointUrl: env.plant.endpoints.opcua }, { dataDir: observerDir() })).client;
  }, 60_000);
  afterAll(async () => {
    await flow?.stop();
    await observer?.dispose();
    await env?.close();
  });

  it('sends the changing Temperature as TagValues with quality and timestamps, through change to debug', async () => {
    const [first, second, third] = await flow.take('with-unit', 3, { timeoutMs: 5000 });
    for (const msg of [first!, second!, third!]) {
      expect(msg.topic).toBe(TOPIC);
      expect(msg.nodeId).toBe('ns=1;s=Line1.Machine1.Temperature');
      expect(msg.unit).toBe('degC');
      const tag = msg.payload as TagValue<number>;
      expect(tag.quality).toBe('good');
      expect(tag.reason).toBeUndefined();
      expect(tag.value).toBeTypeOf('number');
      expect(Date.parse(tag.sourceTime)).toBeGreaterThan(Date.now() - 60_000);
      expect(Date.parse(tag.serverTime!)).toBeGreaterThanOrEqual(Date.parse(tag.sourceTime) - 1000);
    }
    // Values change (sine + noise), and every publish brings a new sample.
    const values = new Set([first, second, third].map((m) => (m!.payload as TagValue).value));
    expect(values.size).toBeGreaterThan(1);
    await flow.waitFor(() => flow.debug.length >= 3);
    expect(flow.debug[0]!.value).toMatchObject({ topic: TOPIC, unit: 'degC' });
  });

  it('reports the bad node id as an error of the node, naming it and the status, while the good item keeps working', async () => {
    await flow.waitFor(() => flow.errors.some((e) => e.code === 'SUBSCRIBE_REFUSED'), { timeoutMs: 5000 });
    const refused = flow.errors.filter((e) => e.code === 'SUBSCRIBE_REFUSED');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ nodeId: 'temperature', message: expect.stringMatching(/refused to monitor "ns=1;s=Line1\.Machine1\.NoSuchTag": BadNodeIdUnknown/) });
    const before = temperatures().length;
    await flow.waitFor(() => temperatures().length > before + 1, { timeoutMs: 5000 });
    expect(flow.sent('with-unit').some((m) => m.topic === 'line1/machine1/missing')).toBe(false);
  });

  it('writes the Setpoint with the payload coerced to the variable type, and reads it back', async () => {
    flow.inject('setpoint-write', { payload: '68.25' });
    const read = await flow.next('setpoint-read', { timeoutMs: 5000 });
    expect(read.topic).toBe('ns=1;s=Line1.Machine1.Setpoint');
    expect(read.payload).toMatchObject({ value: 68.25, quality: 'good' });
    expect(env.plant.tags()['Line1/Machine1/Setpoint']).toBe(68.25);
  });

  it('turns a refused write into WRITE_REFUSED with the status name, and a payload of the wrong type into INPUT_INVALID', async () => {
    const errorsBefore = flow.errors.length;
    flow.inject('setpoint-write', { payload: 999 });
    flow.inject('setpoint-write', { payload: 'warm' });
    await flow.waitFor(() => flow.errors.length >= errorsBefore + 2, { timeoutMs: 5000 });
    const [refused, invalid] = flow.errors.slice(errorsBefore);
    expect(refused).toMatchObject({ nodeId: 'setpoint-write', code: 'WRITE_REFUSED', message: expect.stringContaining('"ns=1;s=Line1.Machine1.Setpoint": BadOutOfRange') });
    expect(invalid).toMatchObject({ nodeId: 'setpoint-write', code: 'INPUT_INVALID', message: expect.stringContaining('(Double)') });
    expect(env.plant.tags()['Line1/Machine1/Setpoint']).toBe(68.25);
  });

  it('has exactly one live subscription on the server, and again exactly one after the server restarts', async () => {
    expect(await serverSubscriptions()).toBe(1);

    await env.plant.faults.restart('opcua');
    // The observer's session died with the server as well: reconnect it.
    await observer.dispose();
    observer = (await connectEndpoint({ endpointUrl: env.plant.endpoints.opcua }, { dataDir: observerDir() })).client;

    const before = temperatures().length;
    await flow.waitFor(() => temperatures().length >= before + 10, { timeoutMs: 15_000 });
    expect(await serverSubscriptions()).toBe(1);

    // No duplicate deliveries: each sample (source timestamp) of the item arrives once.
    const after = temperatures().slice(before);
    const stamps = after.map((m) => (m.payload as TagValue).sourceTime);
    expect(new Set(stamps).size).toBe(stamps.length);
    // The outage was reported, not just sat out: a bad value for the item when the link dropped.
    expect(temperatures().some((m) => (m.payload as TagValue).quality === 'bad' && /^not connected/.test(String((m.payload as TagValue).reason)))).toBe(true);
    // The bad item is refused once per subscription made: once before the restart, once after.
    expect(flow.errors.filter((e) => e.code === 'SUBSCRIBE_REFUSED')).toHaveLength(2);
  }, 45_000);
});
