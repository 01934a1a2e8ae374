import { NodeError } from '@plantwire/node-sdk';
import { startPlant, type Plant } from '@plantwire/sim';
import { testNode } from '@plantwire/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ModbusDeviceClient } from '../modbus-device/modbus-client.js';
import { openDevice } from '../test-support.js';
import { modbusWrite } from './modbus-write.node.js';

let plant: Plant;
const clients: ModbusDeviceClient[] = [];

beforeAll(async () => {
  plant = await startPlant({ ports: { modbus: 0 }, servers: ['modbus'] });
});
afterEach(() => {
  plant.faults.resume('modbus-unit-2');
  for (const c of clients.splice(0)) c.destroy();
});
afterAll(async () => {
  await plant?.stop();
});

async function writer(config: Record<string, unknown> = {}, timeoutMs = 1000) {
  const { host, port } = plant.endpoints.modbus;
  const client = await openDevice({ host, port, unitId: 1, timeoutMs, wordOrder: 'CDAB' });
  clients.push(client);
  const tags = [
    { name: 'setpoint', address: 10, type: 'float32', unit: 'degC' },
    { name: 'setpoint2', address: 10, type: 'float32', unitId: 2 },
    { name: 'enable', area: 'coil', address: 0 },
    { name: 'state', address: 4 }, // read-only in the sim: exception 02
  ];
  return testNode(modbusWrite, { device: 'plc', tags, ...config }, { connections: { plc: client } });
}

async function failure(op: Promise<unknown>): Promise<NodeError> {
  try {
    await op;
  } catch (err) {
    if (err instanceof NodeError) return err;
    throw err;
  }
  throw new Error('expected the write to fail');
}

describe('modbus-write against the simulated PLC', () => {
  it('writes a float32 CDAB setpoint (FC16) and a coil (FC5); the PLC holds what was written', async () => {
    const node = await writer();
    const out = await node.input({ topic: 'setpoint', payload: 72.5 });
    expect(out.map((o) => o.msg.payload)).toEqual([72.5]); // the message passes on once acknowledged
    expect(plant.tags()['Line1/Machine1/Setpoint']).toBe(72.5);
    await node.input({ topic: 'setpoint2', payload: { value: 33.25, quality: 'good', sourceTime: new Date().toISOString() } }); // a TagValue
    expect(plant.tags()['Line1/Machine2/Setpoint']).toBe(33.25);
    await node.input({ topic: 'enable', payload: false });
    expect(plant.tags()['Line1/Machine1/Enable']).toBe(false);
    await node.input({ topic: 'enable', payload: 'true' });
    expect(plant.tags()['Line1/Machine1/Enable']).toBe(true);
    // Read back through the same client and codec path.
    expect(await node.input({ topic: 'setpoint', payload: '64' })).toHaveLength(1);
    expect(plant.tags()['Line1/Machine1/Setpoint']).toBe(64);
  });

  it('with multipleWrite, a coil goes out as FC15 and is applied the same', async () => {
    const node = await writer({ multipleWrite: true });
    await node.input({ topic: 'enable', payload: false });
    expect(plant.tags()['Line1/Machine1/Enable']).toBe(false);
    await node.input({ topic: 'enable', payload: true });
    expect(plant.tags()['Line1/Machine1/Enable']).toBe(true);
  });

  it('a Modbus exception is DEVICE_EXCEPTION naming device, unit, tag, address and the meaning', async () => {
    const node = await writer();
    const outOfRange = await failure(node.input({ topic: 'setpoint', payload: 500 })); // the sim accepts 0…150
    expect(outOfRange.code).toBe('DEVICE_EXCEPTION');
    expect(outOfRange.message).toMatch(/^writing modbus-device "plc" \(127\.0\.0\.1:\d+\) unit 1, tag "setpoint" \(holding 10–11\) failed: exception 03 \(illegal data value\)$/);
    expect(outOfRange.details).toMatchObject({ unitId: 1, tag: 'setpoint', address: 10, exceptionCode: 3 });
    const readOnly = await failure(node.input({ topic: 'state', payload: 2 }));
    expect(readOnly.code).toBe('DEVICE_EXCEPTION');
    expect(readOnly.message).toContain('tag "state" (holding 4) failed: exception 02 (illegal data address)');
    expect(plant.tags()['Line1/Machine1/Setpoint']).not.toBe(500);
  });

  it('a silent unit is TIMEOUT; bad input is INPUT_INVALID naming the field, and nothing is written', async () => {
    const node = await writer({}, 100);
    plant.faults.silence('modbus-unit-2', 60_000);
    const timeout = await failure(node.input({ topic: 'setpoint2', payload: 10 }));
    expect(timeout.code).toBe('TIMEOUT');
    expect(timeout.message).toContain('unit 2, tag "setpoint2" (holding 10–11) failed: timeout: no answer within 100 ms');
    // Unit 1 is still reachable on the same connection.
    await node.input({ topic: 'setpoint', payload: 71 });
    expect(plant.tags()['Line1/Machine1/Setpoint']).toBe(71);

    const unknown = await failure(node.input({ topic: 'nope', payload: 1 }));
    expect(unknown.code).toBe('INPUT_INVALID');
    expect(unknown.message).toBe('msg.topic "nope" names no tag; this node writes "setpoint", "setpoint2", "enable", "state"');
    const notBool = await failure(node.input({ topic: 'enable', payload: 'maybe' }));
    expect(notBool.message).toMatch(/tag "enable" \(coil 0\): bool expects true\/false/);
    const notNumber = await failure(node.input({ topic: 'state', payload: null }));
    expect(notNumber.message).toBe('msg.payload must be a number for a uint16 tag, got null');
    const tooBig = await failure(node.input({ topic: 'state', payload: 70_000 }));
    expect(tooBig.message).toMatch(/uint16 value 70000 is outside 0…65535/);
  });

  it('refuses at deploy a tag in a read-only table, naming it', () => {
    const result = modbusWrite.config.safeParse({ device: 'plc', tags: [{ name: 'pressure', area: 'input', address: 0 }] });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path: ['tags', 0, 'area'], message: 'tags[0] "pressure": input registers are read-only; write to a holding register or a coil' });
  });
});
