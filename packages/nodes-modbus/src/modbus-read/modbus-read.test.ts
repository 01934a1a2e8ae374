import type { Message, TagValue } from '@plantwire/node-sdk';
import { startPlant, type Plant } from '@plantwire/sim';
import { testNode } from '@plantwire/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ModbusDeviceClient } from '../modbus-device/modbus-client.js';
import { modbusTagSchema } from '../tag-schema.js';
import { openDevice } from '../test-support.js';
import { modbusRead, type ModbusReadState } from './modbus-read.node.js';
import { readPlanFor, runPollCycle, type UnitHealth } from './poll-cycle.js';

let plant: Plant;
const clients: ModbusDeviceClient[] = [];
const forced: string[] = [];

beforeAll(async () => {
  plant = await startPlant({ ports: { modbus: 0 }, servers: ['modbus'] });
});
afterEach(() => {
  for (const path of forced.splice(0)) plant.force(path, undefined);
  plant.faults.resume('modbus-unit-1');
  for (const c of clients.splice(0)) c.destroy();
});
afterAll(async () => {
  await plant?.stop();
});

async function device(timeoutMs = 1000): Promise<ModbusDeviceClient> {
  const { host, port } = plant.endpoints.modbus;
  const client = await openDevice({ host, port, unitId: 1, timeoutMs, wordOrder: 'CDAB' });
  clients.push(client);
  return client;
}

function force(path: string, value: number | boolean): void {
  plant.force(path, value);
  forced.push(path);
}

// The sim's map (packages/sim/README.md). The sim stores `value × 100` for Pressure; we read raw × 0.01.
const machineTags = (unitId: number, prefix: string) => [
  { name: `${prefix}/Temperature`, address: 0, type: 'float32', unit: 'degC', unitId },
  { name: `${prefix}/PartCount`, address: 2, type: 'uint32', unitId },
  { name: `${prefix}/State`, address: 4, type: 'uint16', unitId },
  { name: `${prefix}/Setpoint`, address: 10, type: 'float32', unitId },
  { name: `${prefix}/Pressure`, area: 'input', address: 0, type: 'int16', scale: 0.01, unit: 'bar', unitId },
  { name: `${prefix}/Vibration`, area: 'input', address: 2, type: 'float32', wordOrder: 'ABCD', unitId },
  { name: `${prefix}/Enable`, area: 'coil', address: 0, unitId },
  { name: `${prefix}/Running`, area: 'coil', address: 1, unitId },
  { name: `${prefix}/Alarm`, area: 'discrete', address: 0, unitId },
];

describe('reading the simulated PLC', () => {
  it('decodes float32 CDAB, uint32 counters, scaled int16, ABCD floats, coils and discrete inputs', async () => {
    const client = await device();
    force('Line1/Machine1/Temperature', 66.5);
    force('Line1/Machine1/PartCount', 70_001); // > 65535: a wrong word order cannot hide
    force('Line1/Machine1/Pressure', -1.5);
    force('Line1/Machine1/Running', true);
    force('Line1/Machine2/Temperature', 81.25);
    const tags = [...machineTags(1, 'M1'), ...machineTags(2, 'M2')].map((t) => modbusTagSchema.parse(t));
    const plan = readPlanFor(tags, client.settings, 0);
    // Per unit: holding 0–4, holding 10–11, input 0, input 2–3 (Speed at 1 is not a tag), coil 0–1, discrete 0.
    expect(plan.requestCount).toBe(12);
    expect(readPlanFor(tags, client.settings, 5).requestCount).toBe(8); // read through the gaps
    const values = await runPollCycle(client, plan, { cycle: 0, health: new Map(), maxSkipCycles: 8 });
    const v = (name: string) => values.get(name)!;
    expect(v('M1/Temperature')).toMatchObject({ value: 66.5, quality: 'good', unit: 'degC' });
    expect(v('M1/PartCount').value).toBe(70_001);
    expect(v('M1/Pressure')).toMatchObject({ quality: 'good', unit: 'bar' });
    expect(v('M1/Pressure').value).toBeCloseTo(-1.5, 6);
    expect(v('M1/Running').value).toBe(true);
    expect(v('M2/Temperature').value).toBe(81.25);
    // Unforced values are plausible for the scenario (temperature sine 65 ± 8 plus noise; 0–150 range).
    expect(v('M1/Setpoint').value).toBeGreaterThanOrEqual(0);
    expect(v('M1/Setpoint').value).toBeLessThanOrEqual(150);
    expect([0, 1, 2, 3]).toContain(v('M2/State').value);
    expect(typeof v('M2/Vibration').value).toBe('number');
    expect(Number.isNaN(v('M2/Vibration').value)).toBe(false);
    expect(typeof v('M2/Alarm').value).toBe('boolean');
    for (const value of values.values()) expect(Date.parse(value.sourceTime)).not.toBeNaN();
    expect(values.size).toBe(tags.length);
  });

  it('an exception answer marks only that request bad, with the meaning; the others stay good', async () => {
    const client = await device();
    const tags = [
      { name: 'ok', address: 4 },
      { name: 'past the table', address: 999, type: 'float32' }, // 999–1000: past the sim's 1000-entry table
    ].map((t) => modbusTagSchema.parse(t));
    const values = await runPollCycle(client, readPlanFor(tags, client.settings, 0), { cycle: 0, health: new Map(), maxSkipCycles: 8 });
    expect(values.get('ok')!.quality).toBe('good');
    expect(values.get('past the table')).toMatchObject({ quality: 'bad', value: null, reason: 'exception 02 (illegal data address)' });
  });

  it('a gateway exception 0B (unit without a device) backs that unit off like a timeout, without a timeout', async () => {
    const client = await device();
    const tags = [{ name: 'nobody', address: 0, unitId: 3 }, { name: 'unit1', address: 4 }].map((t) => modbusTagSchema.parse(t));
    const health = new Map<number, UnitHealth>();
    const plan = readPlanFor(tags, client.settings, 0);
    const first = await runPollCycle(client, plan, { cycle: 0, health, maxSkipCycles: 8 });
    expect(first.get('nobody')).toMatchObject({ quality: 'bad', reason: 'exception 0B (gateway target device failed to respond)' });
    expect(first.get('unit1')!.quality).toBe('good');
    const second = await runPollCycle(client, plan, { cycle: 1, health, maxSkipCycles: 8 });
    expect(second.get('nobody')!.reason).toMatch(/^unit 3 skipped/);
  });

  it('a silent unit costs at most one timeout per poll and is then skipped with backoff; unit 2 is read every poll', async () => {
    const timeoutMs = 300;
    const client = await device(timeoutMs);
    const tags = [...machineTags(1, 'M1'), ...machineTags(2, 'M2')].map((t) => modbusTagSchema.parse(t));
    const plan = readPlanFor(tags, client.settings, 0);
    const health = new Map<number, UnitHealth>();
    plant.faults.silence('modbus-unit-1', 60_000);
    const reasons: string[] = [];
    const durations: number[] = [];
    for (let cycle = 0; cycle < 10; cycle++) {
      const started = performance.now();
      const values = await runPollCycle(client, plan, { cycle, health, maxSkipCycles: 8 });
      durations.push(performance.now() - started);
      for (const t of tags.filter((x) => x.unitId === 2)) expect(values.get(t.name)!.quality, `cycle ${cycle} ${t.name}`).toBe('good');
      reasons.push(values.get('M1/Temperature')!.reason ?? '');
      expect(values.get('M1/Enable')!.quality).toBe('bad');
    }
    // Probes at polls 0, 2 and 5 (skips of 1, 2, 4 polls in between), each one timeout.
    const probes = reasons.map((r, i) => (r.startsWith('timeout') ? i : -1)).filter((i) => i >= 0);
    expect(probes).toEqual([0, 2, 5]);
    expect(reasons[1]).toMatch(/^unit 1 skipped: it did not answer \(1× in a row\); probing again in 1 poll/);
    expect(reasons[0]).toBe(`timeout: no answer within ${timeoutMs} ms`);
    // Only one request of unit 1 was attempted per probe: the rest of its poll was given up.
    for (const i of probes) expect(durations[i]!).toBeLessThan(2 * timeoutMs);
    for (const i of [1, 3, 4, 6, 7, 8, 9]) expect(durations[i]!).toBeLessThan(timeoutMs);

    plant.faults.resume('modbus-unit-1');
    // Next probe at poll 10 succeeds and resets the backoff.
    const values = await runPollCycle(client, plan, { cycle: 10, health, maxSkipCycles: 8 });
    expect(values.get('M1/Temperature')!.quality).toBe('good');
    expect(health.get(1)).toEqual({ failures: 0, skipUntilCycle: 0 });
  });
});

/** Wait poll by poll (or tick by tick) until `done()`; fail with a clear message instead of hanging. */
async function until(state: ModbusReadState, done: () => boolean, step: 'nextPoll' | 'nextTick', max = 200): Promise<void> {
  for (let i = 0; !done(); i++) {
    if (i >= max) throw new Error(`condition ${done.toString()} still false after ${max} ${step === 'nextPoll' ? 'polls' : 'ticks'}`);
    await state[step]();
  }
}

describe('modbus-read node', () => {
  async function start(config: Record<string, unknown>, client: ModbusDeviceClient) {
    const node = await testNode(modbusRead, { device: 'plc', ...config }, { connections: { plc: client } });
    return { node, state: node.state as ModbusReadState };
  }
  const payloadOf = (m: Message) => m.payload as Record<string, TagValue>;

  it('poll mode: one message per poll with every tag; unit 1 silenced → unit 2 keeps its cadence, unit 1 bad with the reason, then recovers', async () => {
    const timeoutMs = 200;
    const intervalMs = 50;
    const client = await device(timeoutMs);
    const { node, state } = await start({ tags: [...machineTags(1, 'M1'), ...machineTags(2, 'M2')], intervalMs, maxSkipPolls: 2 }, client);
    try {
      await state.nextPoll();
      plant.faults.silence('modbus-unit-1', 60_000);
      const from = node.output().length;
      await until(state, () => node.output().length >= from + 8, 'nextPoll');
      const polls = node.output().slice(from);
      const times = polls.map((m) => Date.parse(payloadOf(m)['M2/Temperature']!.sourceTime));
      for (const m of polls) {
        expect(payloadOf(m)['M2/Temperature']!.quality).toBe('good');
        expect(Object.keys(payloadOf(m))).toHaveLength(18);
      }
      // Unit 2's reads are never more than one timeout (plus an interval and scheduling slack) apart;
      // without giving up the silent unit's other requests a probe would cost 6 timeouts.
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      expect(Math.max(...gaps)).toBeLessThan(timeoutMs + intervalMs + 200);
      const unit1 = polls.map((m) => payloadOf(m)['M1/Temperature']!);
      expect(unit1.every((v) => v.quality === 'bad')).toBe(true);
      expect(unit1.some((v) => v.reason?.startsWith('timeout'))).toBe(true);
      expect(unit1.some((v) => v.reason?.startsWith('unit 1 skipped'))).toBe(true);
      // A probe takes longer than the interval: ticks meanwhile are skipped and counted, never piled up.
      expect(state.stats.skippedBusy).toBeGreaterThan(0);

      plant.faults.resume('modbus-unit-1');
      await until(state, () => payloadOf(node.output().at(-1)!)['M1/Temperature']!.quality === 'good', 'nextPoll');
      expect(state.health.get(1)!.failures).toBe(0);
    } finally {
      await node.close();
    }
  });

  it('changes mode: one message per changed tag (topic = tag name), deadband respected', async () => {
    const client = await device();
    force('Line1/Machine1/Temperature', 60);
    force('Line1/Machine1/PartCount', 5);
    const { node, state } = await start(
      {
        output: 'changes',
        intervalMs: 20,
        tags: [
          { name: 'temp', address: 0, type: 'float32', deadband: 0.5, unit: 'degC' },
          { name: 'count', address: 2, type: 'uint32' },
        ],
      },
      client,
    );
    try {
      await until(state, () => node.output().length >= 2, 'nextPoll');
      expect(node.output().map((m) => [m.topic, (m.payload as TagValue).value])).toEqual([
        ['temp', 60],
        ['count', 5],
      ]);
      force('Line1/Machine1/Temperature', 60.4); // within the deadband: not reported
      force('Line1/Machine1/PartCount', 6);
      await until(state, () => node.output().length >= 3, 'nextPoll');
      const polls = state.stats.polls;
      await until(state, () => state.stats.polls >= polls + 2, 'nextPoll');
      force('Line1/Machine1/Temperature', 61);
      await until(state, () => node.output().length >= 4, 'nextPoll');
      expect(node.output().slice(2).map((m) => [m.topic, (m.payload as TagValue).value])).toEqual([
        ['count', 6],
        ['temp', 61],
      ]);
    } finally {
      await node.close();
    }
  });

  it('changes mode: a change refused under pressure is reported once the pressure is gone', async () => {
    const client = await device();
    force('Line1/Machine1/PartCount', 5);
    const { node, state } = await start({ output: 'changes', intervalMs: 20, tags: [{ name: 'count', address: 2, type: 'uint32' }] }, client);
    try {
      await until(state, () => node.output().length >= 1, 'nextPoll');
      node.setPressure(true);
      force('Line1/Machine1/PartCount', 6);
      await until(state, () => state.stats.skippedBackpressure >= 1, 'nextTick'); // the change was refused, then ticks skipped
      expect(node.output()).toHaveLength(1);
      node.setPressure(false);
      await until(state, () => node.output().length >= 2, 'nextPoll');
      expect(node.output().map((m) => (m.payload as TagValue).value)).toEqual([5, 6]);
    } finally {
      await node.close();
    }
  });

  it('intervalMs 0 polls back to back without a timer, stops under backpressure and resumes on drain', async () => {
    // setTimeout/setInterval are fake and never advanced: an interval-driven poller would poll at most once.
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] });
    const client = await device();
    const { node, state } = await start({ tags: [{ name: 'state', address: 4 }], intervalMs: 0 }, client).finally(() => vi.useRealTimers());
    try {
      await until(state, () => state.stats.polls >= 20, 'nextPoll');
      expect(state.stats.skippedBusy).toBe(0);
      node.setPressure(true);
      await state.nextPoll(); // its message is refused: the loop ends
      const polls = state.stats.polls;
      // Requests are answered in order: had the loop gone on, a poll would have finished meanwhile.
      for (let i = 0; i < 3; i++) await client.read(1, 'holding', 4, 1);
      expect(state.stats.polls).toBe(polls);
      node.setPressure(false);
      await until(state, () => state.stats.polls >= polls + 5, 'nextPoll');
    } finally {
      await node.close();
    }
  });

  it('refuses an interval between 0 and 10 ms, naming the field', async () => {
    const client = await device();
    await expect(start({ tags: [{ name: 'state', address: 4 }], intervalMs: 5 }, client)).rejects.toThrow(/intervalMs[\s\S]*0 \(back to back\) or at least 10 ms/);
  });

  it('backpressure: while emit is refused, ticks are skipped and counted; polling resumes on drain', async () => {
    const client = await device();
    const { node, state } = await start({ tags: [{ name: 'state', address: 4 }], intervalMs: 10 }, client);
    try {
      await state.nextPoll();
      node.setPressure(true);
      await until(state, () => state.stats.skippedBackpressure >= 3, 'nextTick');
      const sent = node.output().length;
      const polls = state.stats.polls;
      await state.nextTick();
      expect(state.stats.polls).toBe(polls); // still paused: nothing polled, nothing sent
      expect(node.output()).toHaveLength(sent);
      expect(node.statuses.at(-1)?.text).toMatch(/skipped \d+ backpressure/);
      node.setPressure(false);
      await state.nextPoll();
      expect(node.output().length).toBeGreaterThan(sent);
    } finally {
      await node.close();
    }
  });
});
