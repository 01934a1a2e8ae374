import ModbusRTU from 'modbus-serial';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPlant, type Plant } from './start-plant.js';

// Decoding here is written out by hand, independent of register-map.ts, so a wrong word order in
// the encoder cannot be hidden by the same mistake in the decoder.
function float32(high: number, low: number): number {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(high, 0);
  b.writeUInt16BE(low, 2);
  return b.readFloatBE(0);
}
const cdabFloat = (words: number[]): number => float32(words[1]!, words[0]!);
const cdabUint32 = (words: number[]): number => words[1]! * 0x10000 + words[0]!;

let plant: Plant;
const clients: ModbusRTU[] = [];
const forced: string[] = [];

async function connect(unit: number, timeoutMs = 2_000): Promise<ModbusRTU> {
  const client = new ModbusRTU();
  await client.connectTCP(plant.endpoints.modbus.host, { port: plant.endpoints.modbus.port });
  client.setID(unit);
  client.setTimeout(timeoutMs);
  clients.push(client);
  return client;
}

function force(path: string, value: number | boolean): void {
  plant.force(path, value);
  forced.push(path);
}

async function modbusCode(op: Promise<unknown>): Promise<number | string> {
  try {
    await op;
  } catch (err) {
    const e = err as { modbusCode?: number; errno?: string; message?: string };
    return e.modbusCode ?? e.errno ?? String(e.message);
  }
  throw new Error('expected the request to fail');
}

beforeAll(async () => {
  plant = await startPlant({ servers: ['modbus'], ports: { modbus: 0 } });
});
afterEach(() => {
  for (const path of forced.splice(0)) plant.force(path, undefined);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => new Promise<void>((resolve) => (c.isOpen ? c.close(() => resolve()) : resolve()))));
  await plant.stop();
});

describe('Modbus TCP PLC', () => {
  it('listens on 127.0.0.1 with units 1 and 2', () => {
    expect(plant.endpoints.modbus).toEqual({ host: '127.0.0.1', port: expect.any(Number), unitIds: [1, 2] });
    expect(plant.endpoints.modbus.port).toBeGreaterThan(0);
  });

  it('serves the temperature as float32 with swapped words (CDAB)', async () => {
    const client = await connect(1);
    const live = cdabFloat((await client.readHoldingRegisters(0, 2)).data);
    expect(live).toBeGreaterThan(56);
    expect(live).toBeLessThan(74);
    expect(Math.abs(live - Number(plant.tags()['Line1/Machine1/Temperature']))).toBeLessThan(1.5);

    force('Line1/Machine1/Temperature', 72.5);
    const { data } = await client.readHoldingRegisters(0, 2);
    expect(data).toEqual([0x0000, 0x4291]);
    expect(cdabFloat(data)).toBe(72.5);
  });

  it('serves the part counter as uint32 (CDAB) that keeps counting', async () => {
    const client = await connect(1);
    const first = cdabUint32((await client.readHoldingRegisters(2, 2)).data);
    expect(first).toBeGreaterThanOrEqual(70_000); // above 65535: both words matter
    let next = first;
    while (next === first) next = cdabUint32((await client.readHoldingRegisters(2, 2)).data);
    expect(next).toBeGreaterThan(first);
    expect(next - first).toBeLessThan(20);
  });

  it('writes a float32 setpoint (FC16), reads it back and shows it in tags()', async () => {
    const client = await connect(1);
    await client.writeRegisters(10, [0x0000, 0x4297]); // 75.5, low word first
    expect((await client.readHoldingRegisters(10, 2)).data).toEqual([0x0000, 0x4297]);
    expect(plant.tags()['Line1/Machine1/Setpoint']).toBe(75.5);
    // FC6 on one half: the other half keeps its value.
    await client.writeRegister(10, 0x8000); // 75.5 → 0x42978000 = 75.75
    expect(plant.tags()['Line1/Machine1/Setpoint']).toBe(75.75);
  });

  it('refuses writes out of range (exception 3) and to read-only registers (exception 2), writing nothing', async () => {
    const client = await connect(1);
    const before = plant.tags()['Line1/Machine1/Setpoint'];
    expect(await modbusCode(client.writeRegisters(10, [0x0000, 0x4348]))).toBe(3); // 200 > max 150
    expect(await modbusCode(client.writeRegisters(0, [0, 0]))).toBe(2); // Temperature
    expect(await modbusCode(client.writeRegisters(9, [0, 0, 0x4296]))).toBe(2); // 9 is unmapped: all or nothing
    expect(plant.tags()['Line1/Machine1/Setpoint']).toBe(before);
    expect(await modbusCode(client.readHoldingRegisters(999, 2))).toBe(2); // past tableSize 1000
  });

  it('serves input registers: int16 ×100 pressure and a big-endian (ABCD) float', async () => {
    const client = await connect(1);
    force('Line1/Machine1/Pressure', -1.5);
    force('Line1/Machine1/Vibration', 2.25);
    const { data } = await client.readInputRegisters(0, 4);
    expect(data[0]).toBe(0xff6a); // -150
    expect(float32(data[2]!, data[3]!)).toBe(2.25);
  });

  it('serves status coils and discrete inputs; the enable coil is writable', async () => {
    const client = await connect(1);
    expect((await client.readCoils(0, 2)).data.slice(0, 2)).toEqual([true, plant.tags()['Line1/Machine1/Running']]);
    await client.writeCoil(0, false);
    expect(plant.tags()['Line1/Machine1/Enable']).toBe(false);
    expect((await client.readCoils(0, 1)).data[0]).toBe(false);
    await client.writeCoil(0, true);
    expect(await modbusCode(client.writeCoil(1, false))).toBe(2); // Running is a status coil

    force('Line1/Machine1/Temperature', 99);
    expect((await client.readDiscreteInputs(0, 2)).data.slice(0, 2)).toEqual([true, true]); // Alarm, GuardClosed
    plant.force('Line1/Machine1/Temperature', 60);
    expect((await client.readDiscreteInputs(0, 1)).data[0]).toBe(false);
  });

  it('keeps separate register banks per unit and answers exception 11 for an unknown unit', async () => {
    force('Line1/Machine1/Temperature', 10);
    force('Line1/Machine2/Temperature', 20);
    const client = await connect(1);
    expect(cdabFloat((await client.readHoldingRegisters(0, 2)).data)).toBe(10);
    client.setID(2);
    expect(cdabFloat((await client.readHoldingRegisters(0, 2)).data)).toBe(20);
    expect(cdabFloat((await client.readHoldingRegisters(10, 2)).data)).toBe(82.5);
    client.setID(3);
    expect(await modbusCode(client.readHoldingRegisters(0, 2))).toBe(11);
  });

  it('a silenced unit times out while the other unit answers on the same connection', async () => {
    const client = await connect(1);
    plant.faults.silence('modbus-unit-1', 60_000);
    try {
      client.setTimeout(300); // short only where no answer is expected
      expect(await modbusCode(client.readHoldingRegisters(0, 2))).toBe('ETIMEDOUT');
      expect(await modbusCode(client.writeRegisters(10, [0, 0x4280]))).toBe('ETIMEDOUT'); // 64: dropped, not applied
      client.setTimeout(2_000);
      client.setID(2);
      expect((await client.readHoldingRegisters(0, 2)).data).toHaveLength(2);
    } finally {
      plant.faults.resume('modbus-unit-1');
    }
    expect(plant.tags()['Line1/Machine1/Setpoint']).not.toBe(64);
    client.setID(1);
    expect((await client.readHoldingRegisters(0, 2)).data).toHaveLength(2);
  });

  it('silencing "modbus" silences every unit', async () => {
    const client = await connect(2);
    plant.faults.silence('modbus', 60_000);
    try {
      expect(plant.faults.isSilent('modbus')).toBe(true);
      client.setTimeout(300);
      expect(await modbusCode(client.readHoldingRegisters(0, 2))).toBe('ETIMEDOUT');
      client.setID(1);
      expect(await modbusCode(client.readHoldingRegisters(0, 2))).toBe('ETIMEDOUT');
    } finally {
      plant.faults.resume('modbus');
    }
    client.setTimeout(2_000);
    expect((await client.readHoldingRegisters(0, 2)).data).toHaveLength(2);
  });

  it("restart('modbus') drops connections; clients reconnect to the same port and setpoints survive", async () => {
    const client = await connect(2);
    await client.writeRegisters(10, [0x0000, 0x42a0]); // 80
    const closed = new Promise<void>((resolve) => (client as unknown as NodeJS.EventEmitter).once('close', resolve));
    await plant.faults.restart('modbus');
    await closed;
    const again = await connect(2);
    expect(cdabFloat((await again.readHoldingRegisters(10, 2)).data)).toBe(80);
  });
});
