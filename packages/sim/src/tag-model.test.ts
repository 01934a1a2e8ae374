import { describe, expect, it } from 'vitest';
import { defaultScenario } from './scenario.js';
import { createTagModel } from './tag-model.js';

function model() {
  const clock = { now: 0 };
  return { clock, model: createTagModel(defaultScenario(), { clock: () => clock.now }) };
}

describe('createTagModel', () => {
  it('evaluates signals at the injected plant time, holding each value for the tag period', () => {
    const { clock, model: m } = model();
    clock.now = 15_000; // a quarter of Machine1's 60 s sine: 65 + 8
    expect(m.value('Line1/Machine1/Temperature')).toBeCloseTo(73, 0);
    const a = m.value('Line1/Machine1/Temperature');
    clock.now = 15_099;
    expect(m.value('Line1/Machine1/Temperature')).toBe(a);
    clock.now = 15_100;
    expect(m.value('Line1/Machine1/Temperature')).not.toBe(a);
  });

  it('counts a counter up with time', () => {
    const { clock, model: m } = model();
    expect(m.value('Line1/Machine1/PartCount')).toBe(70_000);
    clock.now = 1_000;
    expect(m.value('Line1/Machine1/PartCount')).toBe(70_010);
    clock.now = 1_000;
    expect(m.value('Line1/Meter1/Energy')).toBe(123_456_011); // 11.7 Wh/s, whole counts, 1 s period
  });

  it('gives enum tags their state name and their index as a number', () => {
    const { clock, model: m } = model();
    expect(m.value('Line1/Machine1/State')).toBe('Running');
    expect(m.numeric('Line1/Machine1/State')).toBe(2);
    clock.now = 6 * 15_000; // the seventh step: Stopped
    expect(m.value('Line1/Machine1/State')).toBe('Stopped');
    expect(m.value('Line1/Machine1/Running')).toBe(false);
    expect(m.numeric('Line1/Machine1/Running')).toBe(0);
  });

  it('clamps to min (speed never goes negative when the machine stops)', () => {
    const { clock, model: m } = model();
    for (let t = 6 * 15_000; t < 7 * 15_000; t += 100) {
      clock.now = t;
      expect(m.value('Line1/Machine1/Speed')).toBeGreaterThanOrEqual(0);
    }
  });

  it('writes setpoints within range and refuses the rest with a reason', () => {
    const { model: m } = model();
    expect(m.write('Line1/Machine1/Setpoint', 80.5)).toEqual({ ok: true });
    expect(m.value('Line1/Machine1/Setpoint')).toBe(80.5);
    expect(m.write('Line1/Machine1/Setpoint', 151)).toMatchObject({ ok: false, reason: 'out-of-range' });
    expect(m.write('Line1/Machine1/Setpoint', true)).toMatchObject({ ok: false, reason: 'type-mismatch' });
    expect(m.write('Line1/Machine1/Temperature', 1)).toMatchObject({ ok: false, reason: 'read-only' });
    expect(m.write('Line1/Nope/X', 1)).toMatchObject({ ok: false, reason: 'unknown-tag' });
    expect(m.write('Line1/Machine1/Enable', 0)).toEqual({ ok: true });
    expect(m.value('Line1/Machine1/Enable')).toBe(false);
    expect(m.check('Line1/Machine1/Setpoint', 99)).toEqual({ ok: true });
    expect(m.value('Line1/Machine1/Setpoint')).toBe(80.5); // check() does not write
  });

  it('derives alarms from their source, including forced values, with a message', () => {
    const { model: m } = model();
    expect(m.value('Line1/Machine1/Alarm')).toBe(false);
    expect(m.alarmMessage('Line1/Machine1/Alarm')).toBe('');
    m.force('Line1/Machine1/Temperature', 99);
    expect(m.value('Line1/Machine1/Alarm')).toBe(true);
    expect(m.snapshot()['Line1/Machine1/AlarmMessage']).toBe('Temperature above 72 degC');
    m.force('Line1/Machine1/Temperature', undefined);
    expect(m.value('Line1/Machine1/Alarm')).toBe(false);
  });

  it('forces enum tags by state name and refuses unknown states', () => {
    const { model: m } = model();
    m.force('Line1/Machine1/State', 'Fault');
    expect(m.numeric('Line1/Machine1/State')).toBe(3);
    expect(() => m.force('Line1/Machine1/State', 'Exploded')).toThrow(/no state "Exploded"; states: Stopped, Starting, Running, Fault/);
    expect(() => m.force('Line9/M/X', 1)).toThrow(/no tag "Line9\/M\/X"/);
  });

  it('snapshots every tag by path', () => {
    const { model: m } = model();
    const snap = m.snapshot();
    expect(Object.keys(snap)).toHaveLength(26);
    expect(snap).toMatchObject({ 'Line1/Machine2/Setpoint': 82.5, 'Line1/Machine1/GuardClosed': true, 'Line1/Machine2/AlarmMessage': '' });
  });
});
