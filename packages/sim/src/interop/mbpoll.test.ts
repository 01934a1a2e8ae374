/**
 * Debian's mbpoll (libmodbus) against the simulated plant's Modbus TCP PLC: an independent client
 * reads every table of both unit ids and writes setpoints, and what it prints must match
 * `plant.tags()` and the register map in packages/sim/README.md. mbpoll's references are 1-based
 * (`-r 1` is our address 0) unless `-0` is given.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRegisters, encodeRegisters, startPlant, type Plant } from '../index.js';
import { enumIndex, FORCED_TAGS, forceTags } from './force-tags.js';

let plant: Plant;
let mbpollPath: string;

beforeAll(async () => {
  mbpollPath = requireMbpoll();
  plant = await startPlant({ ports: { modbus: 0 }, servers: ['modbus'] });
  forceTags(plant);
});
afterAll(async () => {
  await plant?.stop();
});

function requireMbpoll(): string {
  for (const path of ['/usr/bin/mbpoll', '/usr/local/bin/mbpoll']) if (existsSync(path)) return path;
  throw new Error('the mbpoll interop test needs "mbpoll" (Debian package mbpoll); run scripts/ensure-system-packages.sh as root');
}

/** What one mbpoll run printed: values by unit id, then by reference, as printed; the exit code and stderr. */
interface MbpollRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly slaves: Map<number, Map<number, string>>;
}

/**
 * Parse mbpoll's poll output. The banner and settings lines vary between versions and are
 * ignored; the lines that matter are `-- Polling slave N...` and `[ref]: <tab>value`, where a
 * negative 16-bit value prints as `65411 (-125)` (kept whole, see {@link signed16}).
 */
function parseMbpoll(stdout: string): Map<number, Map<number, string>> {
  const slaves = new Map<number, Map<number, string>>();
  let current: Map<number, string> | undefined;
  for (const line of stdout.split(/\r?\n/)) {
    const slave = /^-- Polling slave (\d+)/.exec(line);
    if (slave) {
      current = new Map();
      slaves.set(Number(slave[1]), current);
      continue;
    }
    const value = /^\[(\d+)\]:\s+(.+?)\s*$/.exec(line);
    if (value && current) current.set(Number(value[1]), value[2]!);
  }
  return slaves;
}

/** Run mbpoll against the plant (once, `-1` for reads; 2 s timeout) and parse what it printed. */
function mbpoll(args: string[], writeValues: string[] = []): Promise<MbpollRun> {
  const { host, port } = plant.endpoints.modbus;
  const argv = [...(writeValues.length === 0 ? ['-1'] : []), '-p', String(port), '-o', '2', ...args, host, ...(writeValues.length ? ['--', ...writeValues] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(mbpollPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', (err) => reject(new Error(`mbpoll ${argv.join(' ')}: ${err.message}`)));
    child.once('close', (code) => resolve({ code, stdout, stderr, slaves: parseMbpoll(stdout) }));
  });
}

/** Like {@link mbpoll}, but a non-zero exit fails with everything mbpoll said. */
async function mbpollOk(args: string[], writeValues: string[] = []): Promise<MbpollRun> {
  const run = await mbpoll(args, writeValues);
  if (run.code !== 0) throw new Error(`mbpoll ${args.join(' ')} exited with ${run.code}:\n${run.stdout}\n${run.stderr}`);
  return run;
}

/** The value mbpoll printed for `unit` at reference `ref`; fails naming what was there instead. */
function printed(run: MbpollRun, unit: number, ref: number): string {
  const value = run.slaves.get(unit)?.get(ref);
  if (value === undefined) throw new Error(`mbpoll printed no [${ref}] for slave ${unit}:\n${run.stdout}`);
  return value;
}

/** A 16-bit register as mbpoll prints it: `65411 (-125)` → -125, `1500` → 1500. */
function signed16(text: string): number {
  const m = /^(\d+)(?: \((-\d+)\))?$/.exec(text);
  if (!m) throw new Error(`not a 16-bit register value: "${text}"`);
  return Number(m[2] ?? m[1]);
}

/** A float as C's `%g` prints it (6 significant digits). */
const asG = (value: number) => Number(value.toPrecision(6));

const tag = (path: string) => plant.tags()[path];

describe('mbpoll reads the simulated PLC', () => {
  it('holding float32 CDAB temperatures of both unit ids in one call (-a 1:2 -t 4:float, mbpoll\'s default low-word-first order); -r 1 is address 0, and -0 -r 0 reads the same', async () => {
    const run = await mbpollOk(['-a', '1:2', '-r', '1', '-c', '1', '-t', '4:float']);
    expect([...run.slaves.keys()]).toEqual([1, 2]);
    expect(Number(printed(run, 1, 1))).toBe(tag('Line1/Machine1/Temperature'));
    expect(Number(printed(run, 2, 1))).toBe(tag('Line1/Machine2/Temperature'));
    expect([tag('Line1/Machine1/Temperature'), tag('Line1/Machine2/Temperature')]).toEqual([FORCED_TAGS['Line1/Machine1/Temperature'], FORCED_TAGS['Line1/Machine2/Temperature']]);

    const pdu = await mbpollOk(['-a', '2', '-0', '-r', '0', '-t', '4:float']);
    expect(Number(printed(pdu, 2, 0))).toBe(FORCED_TAGS['Line1/Machine2/Temperature']);
    // -B (big-endian words) reads the same two registers the other way round: a different number,
    // the one the sim's own decoder gives for ABCD.
    const swapped = await mbpollOk(['-a', '1', '-r', '1', '-t', '4:float', '-B']);
    const words = encodeRegisters(FORCED_TAGS['Line1/Machine1/Temperature'], { type: 'float32', scale: 1, wordOrder: 'CDAB' });
    expect(Number(printed(swapped, 1, 1))).toBe(asG(decodeRegisters(words, { type: 'float32', scale: 1, wordOrder: 'ABCD' })));
  });

  it('uint32 counters (CDAB) at -r 3: -t 4:int prints them signed, the raw words (-t 4:hex) decode to the plant\'s value; State (-r 5) is the enum index', async () => {
    const ints = await mbpollOk(['-a', '1:2', '-r', '3', '-t', '4:int']);
    expect(Number(printed(ints, 1, 3))).toBe(tag('Line1/Machine1/PartCount'));
    // 4 000 000 000 does not fit a signed 32-bit integer: mbpoll shows it minus 2³².
    expect(Number(printed(ints, 2, 3))).toBe((tag('Line1/Machine2/PartCount') as number) - 2 ** 32);

    const hex = await mbpollOk(['-a', '2', '-r', '3', '-c', '3', '-t', '4:hex']);
    const words = [3, 4].map((ref) => Number.parseInt(printed(hex, 2, ref), 16));
    expect(words.every((w) => w !== 0)).toBe(true);
    expect(decodeRegisters(words, { type: 'uint32', scale: 1, wordOrder: 'CDAB' })).toBe(tag('Line1/Machine2/PartCount'));
    expect(Number.parseInt(printed(hex, 2, 5), 16)).toBe(enumIndex(plant, 'Line1/Machine2/State'));
    expect(enumIndex(plant, 'Line1/Machine2/State')).toBe(3);
  });

  it('input registers (-t 3): pressure int16 ×100 (negative printed as "65411 (-125)"), speed uint16, vibration float32 ABCD (-t 3:float -B)', async () => {
    const regs = await mbpollOk(['-a', '1:2', '-r', '1', '-c', '2', '-t', '3']);
    for (const unit of [1, 2]) {
      const machine = `Line1/Machine${unit}`;
      expect(signed16(printed(regs, unit, 1)) / 100).toBe(tag(`${machine}/Pressure`));
      expect(signed16(printed(regs, unit, 2))).toBe(tag(`${machine}/Speed`));
    }
    expect(printed(regs, 1, 1)).toBe('65411 (-125)');
    const floats = await mbpollOk(['-a', '1:2', '-r', '3', '-t', '3:float', '-B']);
    expect(Number(printed(floats, 1, 3))).toBe(tag('Line1/Machine1/Vibration'));
    expect(Number(printed(floats, 2, 3))).toBe(tag('Line1/Machine2/Vibration'));
  });

  it('coils (-t 0) and discrete inputs (-t 1) of both units match Enable/Running and Alarm/GuardClosed', async () => {
    const [coils, discrete] = await Promise.all([mbpollOk(['-a', '1:2', '-r', '1', '-c', '2', '-t', '0']), mbpollOk(['-a', '1:2', '-r', '1', '-c', '2', '-t', '1'])]);
    const bit = (v: unknown) => (v ? '1' : '0');
    for (const unit of [1, 2]) {
      const machine = `Line1/Machine${unit}`;
      expect([printed(coils, unit, 1), printed(coils, unit, 2)]).toEqual([bit(tag(`${machine}/Enable`)), bit(tag(`${machine}/Running`))]);
      expect([printed(discrete, unit, 1), printed(discrete, unit, 2)]).toEqual([bit(tag(`${machine}/Alarm`)), bit(tag(`${machine}/GuardClosed`))]);
    }
    // Forced temperatures: 66.25 is below Machine1's limit (72), 91.5 above Machine2's (90).
    expect([tag('Line1/Machine1/Alarm'), tag('Line1/Machine2/Alarm')]).toEqual([false, true]);
  });
});

describe('mbpoll writes to the simulated PLC', () => {
  it('a float setpoint (FC16, -r 11 = address 10) reaches plant.tags() and reads back; -0 -r 10 writes unit 2\'s; a coil write switches Enable', async () => {
    const written = await mbpollOk(['-a', '1', '-r', '11', '-t', '4:float'], ['99.5']);
    expect(written.stdout).toMatch(/Written 1 references/);
    expect(tag('Line1/Machine1/Setpoint')).toBe(99.5);
    expect(Number(printed(await mbpollOk(['-a', '1', '-r', '11', '-t', '4:float']), 1, 11))).toBe(99.5);

    await mbpollOk(['-a', '2', '-0', '-r', '10', '-t', '4:float'], ['42.25']);
    expect(tag('Line1/Machine2/Setpoint')).toBe(42.25);

    const before = tag('Line1/Machine1/Enable') as boolean;
    await mbpollOk(['-a', '1', '-r', '1', '-t', '0'], [before ? '0' : '1']);
    expect(tag('Line1/Machine1/Enable')).toBe(!before);
  });

  it('an out-of-range setpoint is answered with exception 3 (mbpoll: "Illegal data value", exit 1) and nothing is written', async () => {
    const before = tag('Line1/Machine1/Setpoint');
    const refused = await mbpoll(['-a', '1', '-r', '11', '-t', '4:float'], ['150.5']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Illegal data value/);
    expect(tag('Line1/Machine1/Setpoint')).toBe(before);
    const negative = await mbpoll(['-a', '1', '-r', '11', '-t', '4:float'], ['-1']);
    expect(negative.stderr).toMatch(/Illegal data value/);
    expect(tag('Line1/Machine1/Setpoint')).toBe(before);
  });

  it('errors an outside client sees: a read-only register or a read past the table is "Illegal data address" (2), a unit without tags "Target device failed to respond" (11)', async () => {
    const readOnly = await mbpoll(['-a', '1', '-r', '5'], ['7']);
    expect([readOnly.code, readOnly.stderr]).toEqual([1, expect.stringMatching(/Illegal data address/)]);
    expect(tag('Line1/Machine1/State')).toBe(FORCED_TAGS['Line1/Machine1/State']);
    const pastTable = await mbpoll(['-a', '1', '-r', '1000', '-c', '2']);
    expect(pastTable.stderr).toMatch(/Illegal data address/);
    const noTags = await mbpoll(['-a', '3', '-r', '1']);
    expect(noTags.stderr).toMatch(/Target device failed to respond/);
    expect(noTags.slaves.get(3)?.size).toBe(0);
  });
});
