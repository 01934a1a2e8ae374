import { fileURLToPath } from 'node:url';
import { testNode } from '@plantwire/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModbusDeviceClient } from '../modbus-device/modbus-client.js';
import { modbusDevice } from '../modbus-device/modbus-device.connection.js';
import { readPlanFor, runPollCycle } from '../modbus-read/poll-cycle.js';
import { modbusWrite } from '../modbus-write/modbus-write.node.js';
import { modbusTagSchema } from '../tag-schema.js';
import { deviceContext, openDevice, startPymodbusServer, type PymodbusServer } from '../test-support.js';

// A pymodbus 3.0 server (Debian's python3-pymodbus, STACK.md G12) with values built by Python's
// struct, read by our codec: two independent implementations must agree.
const SCRIPT = fileURLToPath(new URL('./pymodbus-server.py', import.meta.url));
let server: PymodbusServer | undefined;
let port = 0;
let client: ModbusDeviceClient;

beforeAll(async () => {
  server = await startPymodbusServer(SCRIPT);
  port = server.port;
  client = await openDevice({ host: '127.0.0.1', port, unitId: 1, timeoutMs: 1000 });
});
afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

describe('interop with a pymodbus 3.0 TCP server', () => {
  it('reads every type and byte order with the values Python packed', async () => {
    const tags = [
      { name: 'f32 ABCD', address: 0, type: 'float32' },
      { name: 'f32 CDAB', address: 2, type: 'float32', wordOrder: 'CDAB' },
      { name: 'u32', address: 4, type: 'uint32' },
      { name: 'i16', address: 6, type: 'int16' },
      { name: 'text', address: 10, type: 'string', length: 6 },
      { name: 'f64', address: 20, type: 'float64' },
      { name: 'i64 CDAB', address: 30, type: 'int64', wordOrder: 'CDAB' },
      { name: 'f32 BADC', address: 40, type: 'float32', byteOrder: 'BA' },
      { name: 'f32 DCBA', address: 42, type: 'float32', wordOrder: 'CDAB', byteOrder: 'BA' },
      { name: 'scaled', address: 44, type: 'uint16', scale: 0.1, offset: -200, unit: 'degC' },
      { name: 'ir0', area: 'input', address: 0 },
      { name: 'ir1', area: 'input', address: 1 },
      { name: 'coil0', area: 'coil', address: 0 },
      { name: 'coil1', area: 'coil', address: 1 },
      { name: 'coil2', area: 'coil', address: 2 },
      { name: 'di1', area: 'discrete', address: 1 },
      { name: 'unit2', address: 0, unitId: 2 },
    ].map((t) => modbusTagSchema.parse(t));
    const plan = readPlanFor(tags, client.settings, 10);
    const values = await runPollCycle(client, plan, { cycle: 0, health: new Map(), maxSkipCycles: 8 });
    const got = Object.fromEntries([...values].map(([name, v]) => [name, v.quality === 'good' ? v.value : `bad: ${v.reason}`]));
    expect(got).toEqual({
      'f32 ABCD': 123.5,
      'f32 CDAB': -7.25,
      u32: 4_000_000_000,
      i16: -1234,
      text: 'PLANT',
      f64: 3.141592653589793,
      'i64 CDAB': -9007199254740991,
      'f32 BADC': 1.5,
      'f32 DCBA': 2.25,
      scaled: expect.closeTo(15, 9) as unknown,
      ir0: 111,
      ir1: 222,
      coil0: true,
      coil1: false,
      coil2: true,
      di1: true,
      unit2: 2222,
    });
    expect(values.get('scaled')!.unit).toBe('degC');
    // maxGap 10: holding 0–44 in one request (45 ≤ 125), input, coil, discrete, and unit 2.
    expect(plan.requestCount).toBe(5);
  });

  it('writes with FC6, FC16, FC5 and FC15 and reads back what pymodbus stored', async () => {
    const tags = [
      { name: 'sp', address: 50, type: 'float32', wordOrder: 'CDAB' },
      { name: 'count', address: 52, type: 'uint16' },
      { name: 'flag', area: 'coil', address: 5 },
    ];
    for (const multipleWrite of [false, true]) {
      const node = await testNode(modbusWrite, { device: 'py', tags, multipleWrite }, { connections: { py: client } });
      await node.input({ topic: 'sp', payload: multipleWrite ? 98.75 : 21.5 });
      await node.input({ topic: 'count', payload: multipleWrite ? 7 : 4321 });
      await node.input({ topic: 'flag', payload: true });
      const values = await runPollCycle(client, readPlanFor(tags.map((t) => modbusTagSchema.parse(t)), client.settings, 0), {
        cycle: 0,
        health: new Map(),
        maxSkipCycles: 8,
      });
      expect([values.get('sp')!.value, values.get('count')!.value, values.get('flag')!.value]).toEqual(multipleWrite ? [98.75, 7, true] : [21.5, 4321, true]);
      await node.input({ topic: 'flag', payload: false });
      expect((await client.read(1, 'coil', 5, 1))[0]).toBe(false);
      await node.close();
    }
  });

  it('test() of the connection reports the device reachable; an exception is still an answer', async () => {
    expect(await modbusDevice.test!(deviceContext({ host: '127.0.0.1', port, unitId: 1 }))).toEqual({ ok: true, message: 'connected; unit 1 answered' });
    const refused = await modbusDevice.test!(deviceContext({ host: '127.0.0.1', port: 1, unitId: 1, timeoutMs: 500 }));
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/cannot connect to 127\.0\.0\.1:1/);
  });
});
