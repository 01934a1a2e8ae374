/**
 * Debian's python3-pymodbus (3.0) as a Modbus TCP client of the simulated plant: it reads every
 * table of both unit ids, decodes the 32-bit values with Python's struct (independent of the
 * sim's codec), writes a setpoint, and meets the PLC's exceptions. The script is
 * pymodbus-client.py beside this file; it prints one JSON object.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRegisters, registerBindings, startPlant, type Plant } from '../index.js';
import { enumIndex, FORCED_TAGS, forceTags } from './force-tags.js';

const SCRIPT = fileURLToPath(new URL('./pymodbus-client.py', import.meta.url));
const SETPOINT = 55.75;

interface UnitReading {
  holding: number[];
  input: number[];
  coil: boolean[];
  discrete: boolean[];
  decoded: Record<'Temperature' | 'PartCount' | 'State' | 'Setpoint' | 'Pressure' | 'Speed' | 'Vibration', number>;
}
interface ScriptOutput {
  version: string;
  units: Record<'1' | '2', UnitReading>;
  write: { ok: true } | { exception: number };
  readBack: number;
  outOfRange: { exception: number };
  readOnly: { exception: number };
  enable2: boolean;
  unit3: { exception: number };
}

let plant: Plant;
let out: ScriptOutput;
/** plant.tags() right after the script finished. */
let after: Record<string, number | boolean | string>;
/** plant.tags() before the script ran (setpoints it then writes). */
let before: Record<string, number | boolean | string>;

function runScript(port: number): Promise<ScriptOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [SCRIPT, String(port), String(SETPOINT)], { env: { ...process.env, PYENV_VERSION: 'system' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', (err) => reject(new Error(`cannot start python3: ${err.message} (install python3 and python3-pymodbus: run scripts/ensure-system-packages.sh as root)`)));
    child.once('close', (code) => {
      if (code !== 0) {
        const hint = /No module named 'pymodbus'/.test(stderr) ? ' python3-pymodbus is missing: run scripts/ensure-system-packages.sh as root.' : '';
        reject(new Error(`the pymodbus client script exited with ${code}.${hint}\n${stderr}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as ScriptOutput);
      } catch (err) {
        reject(new Error(`the pymodbus client script printed no JSON: ${(err as Error).message}\n${stdout}\n${stderr}`));
      }
    });
  });
}

beforeAll(async () => {
  plant = await startPlant({ ports: { modbus: 0 }, servers: ['modbus'] });
  forceTags(plant);
  before = plant.tags();
  out = await runScript(plant.endpoints.modbus.port);
  after = plant.tags();
});
afterAll(async () => {
  await plant?.stop();
});

describe('pymodbus client against the simulated PLC', () => {
  it('is Debian\'s pymodbus 3.x', () => {
    expect(out.version).toMatch(/^3\./);
  });

  it('reads holding and input registers of both unit ids; Python\'s struct decoding equals plant.tags()', () => {
    for (const unit of ['1', '2'] as const) {
      const machine = `Line1/Machine${unit}`;
      const { decoded } = out.units[unit];
      expect(decoded.Temperature).toBe(after[`${machine}/Temperature`]);
      expect(decoded.PartCount).toBe(after[`${machine}/PartCount`]);
      expect(decoded.State).toBe(enumIndex(plant, `${machine}/State`));
      expect(decoded.Pressure).toBe(after[`${machine}/Pressure`]);
      expect(decoded.Speed).toBe(after[`${machine}/Speed`]);
      expect(decoded.Vibration).toBe(after[`${machine}/Vibration`]);
    }
    // The forced values themselves, so a plant that ignored force() would fail here too.
    expect(out.units['2'].decoded.PartCount).toBe(FORCED_TAGS['Line1/Machine2/PartCount']);
    expect(out.units['1'].decoded.Pressure).toBe(FORCED_TAGS['Line1/Machine1/Pressure']);
  });

  it('the raw words pymodbus received decode, with the sim\'s register map and decodeRegisters, to the same values', () => {
    const tables = { holding: 'holding', input: 'input' } as const;
    let checked = 0;
    for (const binding of registerBindings(plant.scenario)) {
      if (binding.unit > 2 || !(binding.table in tables) || binding.path.endsWith('/Setpoint')) continue;
      const words = out.units[String(binding.unit) as '1' | '2'][binding.table as 'holding' | 'input'].slice(binding.address, binding.address + binding.width);
      const value = decodeRegisters(words, binding);
      const expected = after[binding.path];
      expect(value, binding.path).toBe(typeof expected === 'string' ? enumIndex(plant, binding.path) : expected);
      checked++;
    }
    // Temperature, PartCount, State, Pressure, Speed, Vibration on each unit.
    expect(checked).toBe(12);
  });

  it('reads coils and discrete inputs of both unit ids', () => {
    for (const unit of ['1', '2'] as const) {
      const machine = `Line1/Machine${unit}`;
      // Read before the script switches unit 2's Enable off.
      expect(out.units[unit].coil).toEqual([before[`${machine}/Enable`], after[`${machine}/Running`]]);
      expect(out.units[unit].discrete).toEqual([after[`${machine}/Alarm`], after[`${machine}/GuardClosed`]]);
    }
    expect([out.units['1'].discrete[0], out.units['2'].discrete[0]]).toEqual([false, true]);
  });

  it('writes a setpoint with FC16 that plant.tags() reports; an out-of-range one is exception 3 and writes nothing', () => {
    expect(before['Line1/Machine1/Setpoint']).not.toBe(SETPOINT);
    expect(out.units['1'].decoded.Setpoint).toBe(before['Line1/Machine1/Setpoint']);
    expect(out.write).toEqual({ ok: true });
    expect(out.readBack).toBe(SETPOINT);
    expect(out.outOfRange).toEqual({ exception: 3 });
    expect(after['Line1/Machine1/Setpoint']).toBe(SETPOINT);
  });

  it('FC5 switches a coil; a read-only register is exception 2; a unit without tags is exception 11', () => {
    expect(before['Line1/Machine2/Enable']).toBe(true);
    expect(out.enable2).toBe(false);
    expect(after['Line1/Machine2/Enable']).toBe(false);
    expect(out.readOnly).toEqual({ exception: 2 });
    expect(after['Line1/Machine1/State']).toBe(FORCED_TAGS['Line1/Machine1/State']);
    expect(out.unit3).toEqual({ exception: 11 });
  });
});
