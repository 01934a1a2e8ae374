import { describe, expect, it } from 'vitest';
import { modbusTagSchema, registerMapIssues, registerMapSchema, tagSpan, tagType, type ModbusTag } from './tag-schema.js';

const tag = (t: Record<string, unknown>): ModbusTag => modbusTagSchema.parse(t);

describe('modbusTagSchema', () => {
  it('fills defaults: holding, scale 1, offset 0, deadband 0; type bool in bit tables, uint16 in registers', () => {
    const t = tag({ name: 'a', address: 3 });
    expect(t).toMatchObject({ area: 'holding', scale: 1, offset: 0, deadband: 0 });
    expect(tagType(t)).toBe('uint16');
    expect(tagType(tag({ name: 'c', area: 'coil', address: 0 }))).toBe('bool');
    expect(tagSpan(tag({ name: 's', address: 0, type: 'string', length: 7 }))).toBe(4);
  });

  it('refuses unknown fields, a zero scale, and addresses outside 0..65535', () => {
    expect(modbusTagSchema.safeParse({ name: 'a', address: 0, adress: 1 }).success).toBe(false);
    expect(modbusTagSchema.safeParse({ name: 'a', address: 0, scale: 0 }).success).toBe(false);
    expect(modbusTagSchema.safeParse({ name: 'a', address: 65536 }).success).toBe(false);
    expect(modbusTagSchema.safeParse({ name: 'a', address: -1 }).success).toBe(false);
  });
});

describe('registerMapIssues', () => {
  it('accepts the sim default map', () => {
    const tags = [
      tag({ name: 'Temperature', address: 0, type: 'float32', wordOrder: 'CDAB' }),
      tag({ name: 'PartCount', address: 2, type: 'uint32', wordOrder: 'CDAB' }),
      tag({ name: 'State', address: 4 }),
      tag({ name: 'Pressure', area: 'input', address: 0, type: 'int16', scale: 0.01 }),
      tag({ name: 'Enable', area: 'coil', address: 0 }),
      tag({ name: 'Alarm', area: 'discrete', address: 0 }),
      tag({ name: 'Temperature2', address: 0, type: 'float32', unitId: 2 }),
    ];
    expect(registerMapIssues(tags)).toEqual([]);
  });

  it('names overlapping tags by name and index, per unit and table', () => {
    const issues = registerMapIssues([
      tag({ name: 'Temperature', address: 0, type: 'float32' }),
      tag({ name: 'Pressure', address: 1 }),
      tag({ name: 'Other unit', address: 1, unitId: 2 }),
      tag({ name: 'Input', area: 'input', address: 1 }),
    ]);
    expect(issues).toEqual([
      { index: 1, field: 'address', message: 'tags[1] "Pressure": holding register 1 of the device\'s default unit overlaps tags[0] "Temperature" at 0–1' },
    ]);
  });

  it('finds duplicate names, types that do not fit, strings without length, ranges past 65535, oversized tags', () => {
    const messages = registerMapIssues([
      tag({ name: 'a', address: 0 }),
      tag({ name: 'a', address: 10 }),
      tag({ name: 'f', area: 'coil', address: 0, type: 'float32' }),
      tag({ name: 's', address: 20, type: 'string' }),
      tag({ name: 'end', address: 65535, type: 'float32' }),
      tag({ name: 'big', address: 100, type: 'string', length: 300 }),
    ]).map((i) => `${i.index}.${i.field}: ${i.message}`);
    expect(messages).toEqual([
      '1.name: tags[1] "a": the name is already used by tags[0]',
      '2.type: tags[2] "f": a coil holds one bit; type float32 does not fit (use bool, or a holding/input register)',
      '3.length: tags[3] "s": a string tag needs a length (bytes)',
      '4.address: tags[4] "end": float32 at 65535 spans 2 registers up to 65536, past the last address 65535',
      '5.length: tags[5] "big": spans 150 registers, more than one request may read (125)',
    ]);
  });

  it('refuses read-only tables for writing', () => {
    const issues = registerMapIssues([tag({ name: 'p', area: 'input', address: 0 }), tag({ name: 'd', area: 'discrete', address: 0 })], { writable: true });
    expect(issues.map((i) => i.message)).toEqual([
      'tags[0] "p": input registers are read-only; write to a holding register or a coil',
      'tags[1] "d": discrete inputs are read-only; write to a holding register or a coil',
    ]);
  });

  it('registerMapSchema reports each issue at tags[i].<field>', () => {
    const result = registerMapSchema().safeParse([{ name: 'x', address: 0, type: 'float32' }, { name: 'y', address: 1 }]);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => [i.path, i.message])).toEqual([[[1, 'address'], expect.stringContaining('tags[1] "y"') as unknown]]);
    expect(registerMapSchema().safeParse([]).success).toBe(false);
  });
});
