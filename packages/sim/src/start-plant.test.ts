import { connect as tcpConnect, createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlantLogEntry } from './plant-log.js';
import { defaultScenario, ScenarioError, type PlantScenario } from './scenario.js';
import { startPlant, type Plant, type PlantFaultEvent } from './start-plant.js';

const plants: Plant[] = [];
const servers: Server[] = [];

async function start(...args: Parameters<typeof startPlant>): Promise<Plant> {
  const plant = await startPlant(...args);
  plants.push(plant);
  return plant;
}

afterEach(async () => {
  await Promise.all(plants.splice(0).map((p) => p.stop()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

function occupy(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    servers.push(server);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve((server.address() as { port: number }).port));
  });
}

async function freePort(): Promise<number> {
  const port = await occupy();
  await new Promise((resolve) => servers.pop()?.close(resolve));
  return port;
}

describe('startPlant', () => {
  it('runs scripted faults from the scenario and reports them as events and log lines', async () => {
    const scenario: PlantScenario = { ...defaultScenario(), faults: [{ device: 'modbus-unit-2', at: 0.05, durationS: 0.2, kind: 'silent' }] };
    const lines: PlantLogEntry[] = [];
    const events: Array<PlantFaultEvent & { silentNow: boolean }> = [];
    const plant = await start({ scenario, servers: ['modbus'], ports: { modbus: 0 }, log: (entry) => lines.push(entry) });
    await new Promise<void>((resolve) =>
      plant.faults.onEvent((event) => {
        events.push({ ...event, silentNow: plant.faults.isSilent('modbus-unit-2') });
        if (event.kind === 'resumed') resolve();
      }),
    );
    expect(events.map(({ device, kind, silentNow }) => [device, kind, silentNow])).toEqual([
      ['modbus-unit-2', 'silenced', true],
      ['modbus-unit-2', 'resumed', false],
    ]);
    expect(events[0]?.untilMs).toEqual(expect.any(Number));
    expect(lines.filter((l) => l.device === 'modbus-unit-2').map((l) => l.message)).toEqual(['device silenced', 'device resumed']);
  });

  it('exposes only the servers it started; others throw by name', async () => {
    const plant = await start({ servers: ['mqtt', 'modbus'], ports: { mqtt: 0, modbus: 0 } });
    expect(Object.keys(JSON.parse(JSON.stringify(plant.endpoints)) as object)).toEqual(['mqtt', 'modbus']);
    expect(() => plant.endpoints.opcua).toThrow(/the opcua server of this plant was not started \(options.servers: mqtt, modbus\)/);
    expect(() => plant.faults.silence('opcua', 100)).toThrow(/no device "opcua" in this plant; devices: mqtt, modbus, modbus-unit-1, modbus-unit-2/);
    await expect(plant.faults.restart('opcua')).rejects.toThrow(/restartable servers of this plant are mqtt, modbus/);
  });

  it('stop() releases every port and may be called twice', async () => {
    const plant = await start({ servers: ['mqtt', 'modbus'], ports: { mqtt: 0, modbus: 0 } });
    const mqttPort = Number(new URL(plant.endpoints.mqtt).port);
    const modbusPort = plant.endpoints.modbus.port;
    expect(await refused(mqttPort)).toBe(false);
    await plant.stop();
    await plant.stop();
    expect(await refused(mqttPort)).toBe(true);
    expect(await refused(modbusPort)).toBe(true);
  });

  it('names the server and port that cannot listen, and stops the ones already started', async () => {
    const busy = await occupy();
    const mqttPort = await freePort();
    await expect(startPlant({ servers: ['mqtt', 'modbus'], ports: { mqtt: mqttPort, modbus: busy } })).rejects.toThrow(
      new RegExp(`Modbus PLC could not listen on 127\\.0\\.0\\.1:${busy}`),
    );
    expect(await refused(mqttPort)).toBe(true);
  });

  it('validates a scenario handed in as an object', async () => {
    const scenario = defaultScenario();
    (scenario.lines[0]!.machines[0]!.tags[0]! as { periodMs?: number }).periodMs = 1;
    const error = await startPlant({ scenario, servers: [] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).issues[0]?.path).toBe('$.lines[0].machines[0].tags[0].periodMs');
  });

  it('write() and force() go through the same rules as clients', async () => {
    const plant = await start({ servers: [] });
    plant.write('Line1/Machine2/Setpoint', 90);
    expect(plant.tags()['Line1/Machine2/Setpoint']).toBe(90);
    expect(() => plant.write('Line1/Machine2/Temperature', 1)).toThrow(/cannot write Line1\/Machine2\/Temperature: .* read-only/);
    expect(() => plant.write('Line1/Machine2/Setpoint', 151)).toThrow(/accepts \[0, 150\]; got 151/);
    plant.force('Line1/Machine2/Temperature', 95);
    expect(plant.tags()).toMatchObject({ 'Line1/Machine2/Alarm': true, 'Line1/Machine2/AlarmMessage': 'Temperature above 90 degC' });
  });
});
