import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalStringify, type FlowDocument } from '@plantwire/flow';
import { startPlant, type Plant } from '@plantwire/sim';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLine, repoRoot, spawnCli, type CliProcess } from './spawn-cli.js';

// examples/line-monitor.flow.json against the simulated plant, the way a user runs it: the real
// `plantwire run` as a child process, the plant's real servers on free ports.
const tmp = mkdtempSync(join(tmpdir(), 'plantwire-line-monitor-'));
let plant: Plant;
let cli: CliProcess | undefined;
let subscriber: MqttClient | undefined;

beforeAll(async () => {
  plant = await startPlant({ ports: { mqtt: 0, modbus: 0, opcua: 0 }, dataDir: join(tmp, 'plant') });
}, 30_000);

afterAll(async () => {
  await subscriber?.endAsync();
  if (cli && cli.child.exitCode === null && cli.child.signalCode === null) {
    cli.child.kill('SIGKILL');
    await cli.exited;
  }
  await plant?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** The example with its document env pointed at this plant (the document env wins over the process env). */
function exampleForThisPlant(): string {
  const doc = JSON.parse(readFileSync(join(repoRoot, 'examples/line-monitor.flow.json'), 'utf8')) as FlowDocument;
  const env = { ...doc.env };
  // Only the endpoints change; the example must already name every variable it uses.
  expect(Object.keys(env).sort()).toEqual(['MODBUS_HOST', 'MODBUS_PORT', 'MQTT_URL', 'OPCUA_URL']);
  const file = join(tmp, 'line-monitor.flow.json');
  const endpoints = plant.endpoints;
  const pointed = { ...doc, env: { MQTT_URL: endpoints.mqtt, MODBUS_HOST: endpoints.modbus.host, MODBUS_PORT: String(endpoints.modbus.port), OPCUA_URL: endpoints.opcua } };
  writeFileSync(file, canonicalStringify(pointed));
  return file;
}

interface UnsValue {
  readonly value: unknown;
  readonly unit?: string;
  readonly quality: string;
  readonly timestamp: string;
}

/** A debug line of the `print` node: `{topic, payload}` of a normalised UNS message. */
const unsLine = (topic: string) => (line: string) => {
  const entry = jsonLine(line) as { node?: string; value?: { topic?: string; payload?: UnsValue } } | undefined;
  return entry?.node === 'print' && entry.value?.topic === topic && entry.value.payload?.quality === 'good';
};
const payloadOf = (line: string) => (jsonLine(line) as { value: { payload: UnsValue } }).value.payload;

describe('examples/line-monitor.flow.json', () => {
  it('publishes OPC UA and Modbus values to the UNS, normalised, and writes setpoints from MQTT into the plant', async () => {
    const file = exampleForThisPlant();
    const uns = 'springfield/packaging/line1';
    const seen = new Map<string, UnsValue>();
    const waiting = new Map<string, (value: UnsValue) => void>();
    /** Resolves with the first UNS value the MQTT subscriber receives on `topic` (or has received). */
    const received = (topic: string) => new Promise<UnsValue>((resolve) => (seen.has(topic) ? resolve(seen.get(topic)!) : waiting.set(topic, resolve)));
    subscriber = await connectAsync(plant.endpoints.mqtt, { protocolVersion: 4, reconnectPeriod: 0 });
    const setpointTopic = `${uns}/machine2/setpoint/set`;
    let setpointWritten = false;
    const publishErrors: Error[] = [];
    subscriber.on('message', (topic, payload) => {
      if (topic === setpointTopic) return;
      const value = JSON.parse(payload.toString()) as UnsValue;
      if (!seen.has(topic)) seen.set(topic, value);
      waiting.get(topic)?.(value);
      // The flow's setpoint subscription is made when its broker connection comes up; every UNS
      // message from the flow proves that connection, so ask again until the write has happened.
      if (!setpointWritten) subscriber!.publishAsync(setpointTopic, '75.5', { qos: 1 }).catch((err: Error) => publishErrors.push(err));
    });
    await subscriber.subscribeAsync(`${uns}/#`, { qos: 1 });

    const initial = { machine1: plant.tags()['Line1/Machine1/Setpoint'], machine2: plant.tags()['Line1/Machine2/Setpoint'] };
    expect(initial).toEqual({ machine1: 70, machine2: 82.5 }); // the scenario's initial values
    cli = spawnCli(['run', file, '--data-dir', join(tmp, 'runtime')]);

    // OPC UA (Machine1) values, named after the scenario, with units and two decimals at most.
    const temperature = payloadOf(await cli.line('stdout', unsLine(`${uns}/machine1/temperature`), 30_000));
    expect(temperature).toMatchObject({ unit: 'degC', quality: 'good' });
    expect(temperature.value).toBeGreaterThan(50);
    expect(temperature.value).toBeLessThan(90);
    expect(temperature.value).toBe(Math.round((temperature.value as number) * 100) / 100);
    expect(new Date(temperature.timestamp).toISOString()).toBe(temperature.timestamp);
    expect(payloadOf(await cli.line('stdout', unsLine(`${uns}/machine1/state`)))).toMatchObject({ value: expect.stringMatching(/^(Stopped|Starting|Running|Fault)$/) });
    expect(payloadOf(await cli.line('stdout', unsLine(`${uns}/machine1/speed`)))).toMatchObject({ unit: 'rpm' });

    // Modbus: unit 2's float32 CDAB temperature and unit 1's and 2's uint32 CDAB counters decode to plant values.
    const m2Temperature = payloadOf(await cli.line('stdout', unsLine(`${uns}/machine2/temperature`)));
    expect(m2Temperature.unit).toBe('degC');
    expect(Math.abs((m2Temperature.value as number) - (plant.tags()['Line1/Machine2/Temperature'] as number))).toBeLessThan(20);
    for (const machine of ['machine1', 'machine2']) {
      const count = payloadOf(await cli.line('stdout', unsLine(`${uns}/${machine}/partcount`)));
      expect(Number.isInteger(count.value)).toBe(true);
      expect(count.value).toBeLessThanOrEqual(plant.tags()[`Line1/${machine === 'machine1' ? 'Machine1' : 'Machine2'}/PartCount`] as number);
      expect(count.value).toBeGreaterThan(0);
    }
    // Raw hundredths of a bar, scaled by the range node.
    const pressure = payloadOf(await cli.line('stdout', unsLine(`${uns}/machine2/pressure`)));
    expect(pressure.unit).toBe('bar');
    expect(pressure.value).toBeGreaterThan(1);
    expect(pressure.value).toBeLessThan(4);

    // The setpoint request reaches the plant over both Modbus and OPC UA ("setpoint written" twice).
    const written = (over: 'modbus' | 'opcua') => (line: string) => {
      const entry = jsonLine(line) as { node?: string; value?: { topic?: string; payload?: unknown } } | undefined;
      return entry?.node === `setpoint-done-${over}` && entry.value?.topic === 'Line1/Machine2/Setpoint' && entry.value.payload === 75.5;
    };
    await cli.line('stdout', written('modbus'), 30_000);
    await cli.line('stdout', written('opcua'), 30_000);
    setpointWritten = true;
    expect(plant.tags()['Line1/Machine2/Setpoint']).toBe(75.5);
    expect(plant.tags()['Line1/Machine1/Setpoint']).toBe(initial.machine1);
    expect(publishErrors).toEqual([]);

    // An MQTT subscriber sees the UNS tree, from both sources.
    for (const tag of ['machine1/temperature', 'machine1/pressure', 'machine1/speed', 'machine1/state', 'machine1/partcount', 'machine2/temperature', 'machine2/partcount', 'machine2/speed', 'machine2/pressure']) {
      const value = await received(`${uns}/${tag}`);
      expect(value, tag).toMatchObject({ quality: expect.stringMatching(/^(good|uncertain|bad)$/), timestamp: expect.any(String) });
    }
    expect(await received(`${uns}/machine1/temperature`)).toMatchObject({ unit: 'degC' });

    // stdout is debug JSON lines only, even with node-opcua loaded (it prints with console.log).
    expect(cli.stdout.filter((l) => l !== '' && jsonLine(l) === undefined)).toEqual([]);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  }, 60_000);
});
