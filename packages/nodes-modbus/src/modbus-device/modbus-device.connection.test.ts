import { change, debug } from '@plantwire/nodes-core';
import { startPlant, type Plant } from '@plantwire/sim';
import { runFlow } from '@plantwire/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modbusRead } from '../modbus-read/modbus-read.node.js';
import { modbusWrite } from '../modbus-write/modbus-write.node.js';
import { openDevice } from '../test-support.js';
import { ModbusRequestError } from './modbus-client.js';
import { modbusDevice } from './modbus-device.connection.js';

let plant: Plant;
beforeAll(async () => {
  plant = await startPlant({ ports: { modbus: 0 }, servers: ['modbus'] });
});
afterAll(async () => {
  await plant?.stop();
});

describe('modbus-device', () => {
  it('serialises concurrent requests on one connection: every answer reaches its own caller', async () => {
    const { host, port } = plant.endpoints.modbus;
    const client = await openDevice({ host, port, unitId: 1 });
    try {
      plant.force('Line1/Machine1/State', 1);
      plant.force('Line1/Machine2/State', 2);
      const reads = Array.from({ length: 40 }, (_, i) => client.read(i % 2 === 0 ? 1 : 2, 'holding', 4, 1));
      expect(client.queued).toBe(40);
      const results = await Promise.all(reads);
      expect(results.map((r) => r[0])).toEqual(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 1 : 2)));
      expect(client.queued).toBe(0);
    } finally {
      plant.force('Line1/Machine1/State', undefined);
      plant.force('Line1/Machine2/State', undefined);
      client.destroy();
    }
  });

  it('when the device closes the connection: lost() is called once and queued requests fail as not connected', async () => {
    const { host, port } = plant.endpoints.modbus;
    const reasons: unknown[] = [];
    let lost!: () => void;
    const gotLost = new Promise<void>((resolve) => (lost = resolve));
    const client = await openDevice({ host, port, unitId: 1, timeoutMs: 5000 }, (reason) => {
      reasons.push(reason);
      lost();
    });
    plant.faults.silence('modbus-unit-1', 60_000); // the first request hangs, the second waits behind it
    const first = client.read(1, 'holding', 0, 2).catch((e: unknown) => e);
    const second = client.read(2, 'holding', 0, 2).catch((e: unknown) => e);
    await plant.faults.restart('modbus');
    plant.faults.resume('modbus-unit-1');
    await gotLost;
    const errors = (await Promise.all([first, second])) as ModbusRequestError[];
    for (const e of errors) {
      expect(e).toBeInstanceOf(ModbusRequestError);
      expect(e.kind).toBe('not-connected');
    }
    expect(errors[1]!.message).toMatch(/^modbus-device "plc" \(127\.0\.0\.1:\d+\): reading 2 holding from 0 of unit 2 failed: not connected/);
    expect(reasons).toHaveLength(1);
    expect(String(reasons[0])).toMatch(/modbus-device "plc" .*closed the connection|connection failed/);
    expect(client.open).toBe(false);
    client.destroy();
  });

  it('two readers and a writer share one TCP connection', async () => {
    let connects = 0;
    const counting = { ...modbusDevice, connect: (ctx: Parameters<typeof modbusDevice.connect>[0]) => (connects++, modbusDevice.connect(ctx)) };
    const document = {
      version: 1,
      connections: [{ id: 'plc', type: 'modbus-device', config: { host: '127.0.0.1', port: plant.endpoints.modbus.port, wordOrder: 'CDAB' } }],
      nodes: [
        { id: 'r1', type: 'modbus-read', config: { device: 'plc', intervalMs: 20, tags: [{ name: 'sp1', address: 10, type: 'float32' }] } },
        { id: 'r2', type: 'modbus-read', config: { device: 'plc', intervalMs: 20, tags: [{ name: 'sp2', address: 10, type: 'float32', unitId: 2 }] } },
        { id: 'w', type: 'modbus-write', config: { device: 'plc', tags: [{ name: 'sp1', address: 10, type: 'float32' }] } },
      ],
      wires: [],
    };
    const flow = await runFlow(document, { nodeTypes: [modbusRead, modbusWrite, change, debug], connectionTypes: [counting] });
    try {
      flow.inject('w', { payload: 42.5 });
      await flow.next('w');
      const value = (id: string, name: string) => (flow.sent(id).at(-1)?.payload as Record<string, { value: unknown }> | undefined)?.[name]?.value;
      await flow.waitFor(() => value('r1', 'sp1') === 42.5 && typeof value('r2', 'sp2') === 'number');
      expect(connects).toBe(1);
      expect(flow.errors).toEqual([]);
    } finally {
      await flow.stop();
      plant.write('Line1/Machine1/Setpoint', 70);
    }
  });
});
