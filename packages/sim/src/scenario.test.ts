import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultScenario, loadScenario, parseScenario, ScenarioError } from './scenario.js';

// A scenario as written by hand, mutated per test to hit one rule at a time.
interface LooseScenario {
  [key: string]: unknown;
  site: string;
  lines: Array<{ name: string; machines: Array<{ name: string; tags: Array<Record<string, unknown>> }> }>;
}

function base(): LooseScenario {
  return {
    version: 1,
    site: 'Test',
    area: 'Area',
    lines: [
      {
        name: 'L1',
        machines: [
          {
            name: 'M1',
            tags: [
              { name: 'Temp', type: 'float', signal: { kind: 'sine', amplitude: 1, periodS: 10 }, modbus: { unit: 1, table: 'holding', address: 0 } },
              { name: 'Sp', type: 'float', setpoint: { initial: 5 }, min: 0, max: 10, modbus: { unit: 1, table: 'holding', address: 2 } },
              { name: 'Hot', type: 'bool', alarm: { source: 'Temp', above: 0.5, message: 'hot' }, modbus: { unit: 1, table: 'discrete', address: 0 } },
            ],
          },
        ],
      },
    ],
  };
}

function issuesOf(input: unknown): Array<{ path: string; message: string }> {
  try {
    parseScenario(input, 'test.plant.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).issues.map(({ path, message }) => ({ path, message }));
  }
  throw new Error('expected the scenario to be rejected');
}

describe('parseScenario', () => {
  it('accepts the built-in default scenario and applies defaults', () => {
    const s = defaultScenario();
    expect(s.site).toBe('Springfield');
    expect(s.modbus).toEqual({ wordOrder: 'CDAB', tableSize: 1000 });
    expect(s.lines[0]?.machines.map((m) => m.name)).toEqual(['Machine1', 'Machine2', 'Meter1']);
    expect(defaultScenario()).not.toBe(s); // a fresh copy each call
  });

  it('accepts a minimal scenario and fills in defaults', () => {
    const s = parseScenario(base());
    expect(s.updateMs).toBe(100);
    expect(s.seed).toBe(1);
    expect(s.faults).toEqual([]);
    expect(s.opcua).toEqual({ namespaceUri: 'urn:plantwire:sim', users: [] });
    const temp = s.lines[0]?.machines[0]?.tags[0];
    expect(temp?.signal).toEqual({ kind: 'sine', amplitude: 1, periodS: 10, offset: 0, phaseDeg: 0 });
    expect(temp?.opcua).toBe(true);
  });

  it('names the JSON path of an unknown signal kind and lists the kinds', () => {
    const s = base();
    s.lines[0]!.machines[0]!.tags[0]!.signal = [{ kind: 'saw', amplitude: 1 }];
    expect(issuesOf(s)).toEqual([
      { path: '$.lines[0].machines[0].tags[0].signal[0].kind', message: 'expected "kind" to be one of "constant", "ramp", "sine", "noise", "counter", "step"; got "saw"' },
    ]);
  });

  it('names the offending parameter inside a single (non-list) signal', () => {
    const s = base();
    s.lines[0]!.machines[0]!.tags[0]!.signal = { kind: 'sine', amplitude: 1, periodS: 0 };
    const [issue] = issuesOf(s);
    expect(issue?.path).toBe('$.lines[0].machines[0].tags[0].signal.periodS');
    expect(issue?.message).toMatch(/>0/);
  });

  it('rejects a misspelt property with the allowed keys', () => {
    const s = base();
    s.lines[0]!.machines[0]!.tags[0]!.signal = { kind: 'noise', amplitde: 1 };
    const issues = issuesOf(s);
    expect(issues.map((i) => i.path)).toContain('$.lines[0].machines[0].tags[0].signal.amplitde');
  });

  it('rejects overlapping Modbus bindings, naming the tag already there', () => {
    const s = base();
    (s.lines[0]!.machines[0]!.tags[1]!.modbus as { address: number }).address = 1; // Temp is a float32 at 0–1
    expect(issuesOf(s)).toEqual([
      { path: '$.lines[0].machines[0].tags[1].modbus.address', message: 'holding address 1 of unit 1 is already used by L1/M1/Temp' },
    ]);
  });

  it('checks bit tables hold bools and registers stay inside the table', () => {
    const s = base();
    s.lines[0]!.machines[0]!.tags[0]!.modbus = { unit: 1, table: 'coil', address: 0 };
    expect(issuesOf(s)[0]?.path).toBe('$.lines[0].machines[0].tags[0].modbus.table');
    const t = base();
    t.modbus = { tableSize: 10 };
    (t.lines[0]!.machines[0]!.tags[1]!.modbus as { address: number }).address = 9;
    expect(issuesOf(t)).toEqual([{ path: '$.lines[0].machines[0].tags[1].modbus.address', message: 'outside the table: modbus.tableSize is 10' }]);
  });

  it('needs exactly one value source per tag', () => {
    const s = base();
    delete s.lines[0]!.machines[0]!.tags[0]!.signal;
    s.lines[0]!.machines[0]!.tags[1]!.signal = { kind: 'constant', value: 1 };
    expect(issuesOf(s)).toEqual([
      { path: '$.lines[0].machines[0].tags[0]', message: 'tag "Temp" needs one of "signal", "setpoint" or "alarm"' },
      { path: '$.lines[0].machines[0].tags[1]', message: 'tag "Sp" has signal and setpoint; give exactly one' },
      // Hot's source Temp still exists, so the alarm itself is fine.
    ]);
  });

  it('checks alarms, setpoints and enum values', () => {
    const s = base();
    (s.lines[0]!.machines[0]!.tags[2]!.alarm as { source: string }).source = 'Tmp';
    (s.lines[0]!.machines[0]!.tags[1]!.setpoint as { initial: number }).initial = 11;
    s.lines[0]!.machines[0]!.tags.push({ name: 'State', type: 'enum', signal: { kind: 'constant', value: 0 } });
    expect(issuesOf(s)).toEqual([
      { path: '$.lines[0].machines[0].tags[1].setpoint.initial', message: 'outside [0, 10]' },
      { path: '$.lines[0].machines[0].tags[2].alarm.source', message: 'no tag "Tmp" on this machine; known: Temp, Sp, Hot, State' },
      { path: '$.lines[0].machines[0].tags[3].values', message: 'an enum tag needs "values" (its state names)' },
    ]);
  });

  it('rejects duplicate names and faults on unknown devices', () => {
    const s = base();
    s.lines[0]!.machines.push({ name: 'M1', tags: [{ name: 'X', type: 'float', signal: { kind: 'constant', value: 1 } }] });
    s.faults = [
      { device: 'modbus-unit-9', at: 1, durationS: 1, kind: 'silent' },
      { device: 'printer', at: 1, durationS: 1, kind: 'silent' },
    ];
    const issues = issuesOf(s);
    expect(issues).toContainEqual({ path: '$.lines[0].machines[1].name', message: 'duplicate name "M1"' });
    expect(issues.map((i) => i.path)).toContain('$.faults[1].device');
  });

  it('reports every problem at once in the error message', () => {
    const s = base();
    s.site = 'has space';
    s.updateMs = 1;
    try {
      parseScenario(s, 'test.plant.json');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/^invalid plant scenario \(test\.plant\.json\):\n {2}\$\.site: .*\n {2}\$\.updateMs: /);
    }
  });
});

describe('loadScenario', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-scenario-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and validates a file', async () => {
    const file = join(dir, 'ok.plant.json');
    await writeFile(file, JSON.stringify(base()));
    expect((await loadScenario(file)).site).toBe('Test');
  });

  it('reports invalid JSON with line and column', async () => {
    const file = join(dir, 'broken.plant.json');
    await writeFile(file, '{\n  "version": 1,\n  "site": "A"\n  "area": "B"\n}');
    await expect(loadScenario(file)).rejects.toThrow(/broken\.plant\.json\):\n {2}\$: invalid JSON at line 4, column 3/);
  });
});
