import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { decodeRegisters, encodeRegisters, registerBindings, withRegisterMap } from './register-map.js';
import { defaultScenario } from './scenario.js';

// Independent of encodeRegisters: a float32 built from its big-endian bytes.
function floatFromWords(high: number, low: number): number {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(high, 0);
  b.writeUInt16BE(low, 2);
  return b.readFloatBE(0);
}

describe('encodeRegisters / decodeRegisters', () => {
  it('float32 CDAB puts the low word first, ABCD the high word', () => {
    const cdab = encodeRegisters(72.5, { type: 'float32', scale: 1, wordOrder: 'CDAB' });
    expect(cdab).toEqual([0x0000, 0x4291]);
    expect(floatFromWords(cdab[1]!, cdab[0]!)).toBe(72.5);
    expect(encodeRegisters(72.5, { type: 'float32', scale: 1, wordOrder: 'ABCD' })).toEqual([0x4291, 0x0000]);
    expect(decodeRegisters([0x0000, 0x4291], { type: 'float32', scale: 1, wordOrder: 'CDAB' })).toBe(72.5);
  });

  it('uint32 CDAB splits the counter so a wrong word order is obvious', () => {
    const words = encodeRegisters(70_001, { type: 'uint32', scale: 1, wordOrder: 'CDAB' });
    expect(words).toEqual([70_001 & 0xffff, 1]);
    expect(decodeRegisters(words, { type: 'uint32', scale: 1, wordOrder: 'CDAB' })).toBe(70_001);
    expect(decodeRegisters(words, { type: 'uint32', scale: 1, wordOrder: 'ABCD' })).not.toBe(70_001);
  });

  it('scales, rounds and saturates integers; int16 is two’s complement', () => {
    expect(encodeRegisters(-1.5, { type: 'int16', scale: 100, wordOrder: 'CDAB' })).toEqual([0xff6a]);
    expect(decodeRegisters([0xff6a], { type: 'int16', scale: 100, wordOrder: 'CDAB' })).toBe(-1.5);
    expect(encodeRegisters(2.345, { type: 'int16', scale: 100, wordOrder: 'CDAB' })).toEqual([235]);
    expect(encodeRegisters(70_000, { type: 'uint16', scale: 1, wordOrder: 'CDAB' })).toEqual([0xffff]);
    expect(encodeRegisters(-5, { type: 'uint16', scale: 1, wordOrder: 'CDAB' })).toEqual([0]);
    expect(encodeRegisters(-2, { type: 'int32', scale: 1, wordOrder: 'ABCD' })).toEqual([0xffff, 0xfffe]);
    expect(decodeRegisters([0xffff, 0xfffe], { type: 'int32', scale: 1, wordOrder: 'ABCD' })).toBe(-2);
  });
});

describe('registerBindings', () => {
  it('resolves types and word orders of the default scenario', () => {
    const bindings = registerBindings(defaultScenario());
    expect(bindings.find((b) => b.path === 'Line1/Machine1/Temperature')).toMatchObject({ unit: 1, table: 'holding', address: 0, type: 'float32', wordOrder: 'CDAB', width: 2, writable: false });
    expect(bindings.find((b) => b.path === 'Line1/Machine2/Setpoint')).toMatchObject({ unit: 2, table: 'holding', address: 10, writable: true });
    expect(bindings.find((b) => b.path === 'Line1/Machine1/Vibration')).toMatchObject({ table: 'input', wordOrder: 'ABCD' });
    expect(bindings.find((b) => b.path === 'Line1/Machine1/Enable')).toMatchObject({ table: 'coil', type: 'bool', writable: true });
    expect(new Set(bindings.map((b) => b.unit))).toEqual(new Set([1, 2]));
  });
});

describe('packages/sim/README.md', () => {
  it('shows the register map of the default scenario (regenerate: npx tsx packages/sim/scripts/update-readme.ts)', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toBe(withRegisterMap(readme, defaultScenario()));
    expect(readme).toContain('| 1 | holding register (FC3 read, FC6/FC16 write) | 0–1 | float32 | CDAB |  | degC | read | `Line1/Machine1/Temperature` |  |');
  });

  it('withRegisterMap needs its markers', () => {
    expect(() => withRegisterMap('# no markers', defaultScenario())).toThrow(/register-map:begin/);
  });
});
