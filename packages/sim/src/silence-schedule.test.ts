import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SilenceSchedule, type PlantDevice } from './silence-schedule.js';

describe('SilenceSchedule', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('silences for the given time, extends without re-notifying, then resumes', () => {
    const changes: Array<[PlantDevice, boolean]> = [];
    const schedule = new SilenceSchedule((device, silent) => changes.push([device, silent]));
    schedule.silence('modbus-unit-1', 1_000);
    expect(schedule.isSilent('modbus-unit-1')).toBe(true);
    expect(schedule.isSilent('modbus-unit-2')).toBe(false);
    vi.advanceTimersByTime(500);
    schedule.silence('modbus-unit-1', 1_000); // now until t=1500
    schedule.silence('modbus-unit-1', 100); // never shortens
    vi.advanceTimersByTime(999);
    expect(schedule.isSilent('modbus-unit-1')).toBe(true);
    vi.advanceTimersByTime(1);
    expect(schedule.isSilent('modbus-unit-1')).toBe(false);
    expect(changes).toEqual([
      ['modbus-unit-1', true],
      ['modbus-unit-1', false],
    ]);
  });

  it('resumes early on request and clears without notifying', () => {
    const changes: Array<[PlantDevice, boolean]> = [];
    const schedule = new SilenceSchedule((device, silent) => changes.push([device, silent]));
    schedule.silence('opcua', 10_000);
    schedule.resume('opcua');
    schedule.resume('opcua');
    schedule.silence('mqtt', 10_000);
    schedule.clear();
    vi.advanceTimersByTime(20_000);
    expect(changes).toEqual([
      ['opcua', true],
      ['opcua', false],
      ['mqtt', true],
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects a non-positive duration', () => {
    const schedule = new SilenceSchedule(() => undefined);
    expect(() => schedule.silence('mqtt', 0)).toThrow(/ms must be a positive number/);
  });
});
