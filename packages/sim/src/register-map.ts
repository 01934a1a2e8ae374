import { modbusTypeOf, modbusWidth, tagPath, type ModbusValueType, type PlantScenario, type ScenarioTag } from './scenario.js';

/** A Modbus table. Coils and holding registers are writable where a setpoint tag lives. */
export type ModbusTable = 'holding' | 'input' | 'coil' | 'discrete';

/** One tag's place in the Modbus register map, defaults resolved. */
export interface RegisterBinding {
  readonly path: string;
  readonly unit: number;
  readonly table: ModbusTable;
  readonly address: number;
  readonly type: ModbusValueType;
  /** Registers (or bits) occupied. */
  readonly width: number;
  readonly scale: number;
  readonly wordOrder: 'ABCD' | 'CDAB';
  /** Writable by clients: a setpoint tag in a holding register or coil. */
  readonly writable: boolean;
  readonly unitOfMeasure?: string | undefined;
  readonly description?: string | undefined;
}

/**
 * Every Modbus binding of a scenario, sorted by unit, table and address.
 *
 * @example
 * registerBindings(defaultScenario()).find((b) => b.path === 'Line1/Machine1/Temperature')
 * // { unit: 1, table: 'holding', address: 0, type: 'float32', wordOrder: 'CDAB', width: 2, … }
 */
export function registerBindings(scenario: PlantScenario): RegisterBinding[] {
  const out: RegisterBinding[] = [];
  for (const line of scenario.lines) {
    for (const machine of line.machines) {
      for (const tag of machine.tags) {
        const m = tag.modbus;
        if (!m) continue;
        const type = modbusTypeOf(tag);
        out.push({
          path: tagPath(line.name, machine.name, tag.name),
          unit: m.unit,
          table: m.table,
          address: m.address,
          type,
          width: modbusWidth(type),
          scale: m.scale,
          wordOrder: m.wordOrder ?? scenario.modbus.wordOrder,
          writable: tag.setpoint !== undefined && (m.table === 'holding' || m.table === 'coil'),
          unitOfMeasure: tag.unit,
          description: tag.description,
        });
      }
    }
  }
  const tableOrder: ModbusTable[] = ['holding', 'input', 'coil', 'discrete'];
  return out.sort((a, b) => a.unit - b.unit || tableOrder.indexOf(a.table) - tableOrder.indexOf(b.table) || a.address - b.address);
}

const RANGES: Record<Exclude<ModbusValueType, 'bool' | 'float32'>, [number, number]> = {
  int16: [-0x8000, 0x7fff],
  uint16: [0, 0xffff],
  int32: [-0x8000_0000, 0x7fff_ffff],
  uint32: [0, 0xffff_ffff],
};

/**
 * The register words of an engineering value: `value × scale`, rounded for integer types and
 * saturated at the type's limits (as a PLC's conversion would), then split into 16-bit words in
 * the binding's word order. `CDAB` puts the low word first.
 *
 * @example
 * encodeRegisters(72.5, { type: 'float32', scale: 1, wordOrder: 'CDAB' }) // [0x0000, 0x4291]
 * encodeRegisters(-1.5, { type: 'int16', scale: 100, wordOrder: 'CDAB' }) // [0xff6a]
 */
export function encodeRegisters(value: number, binding: Pick<RegisterBinding, 'type' | 'scale' | 'wordOrder'>): number[] {
  const scaled = value * binding.scale;
  const buf = Buffer.alloc(4);
  switch (binding.type) {
    case 'bool':
      return [scaled !== 0 ? 1 : 0];
    case 'float32':
      buf.writeFloatBE(scaled);
      break;
    case 'int16':
      return [clampInt(scaled, 'int16') & 0xffff];
    case 'uint16':
      return [clampInt(scaled, 'uint16')];
    case 'int32':
      buf.writeInt32BE(clampInt(scaled, 'int32'));
      break;
    case 'uint32':
      buf.writeUInt32BE(clampInt(scaled, 'uint32'));
      break;
  }
  const high = buf.readUInt16BE(0);
  const low = buf.readUInt16BE(2);
  return binding.wordOrder === 'CDAB' ? [low, high] : [high, low];
}

/**
 * The engineering value of register words (the inverse of {@link encodeRegisters}).
 *
 * @example
 * decodeRegisters([0x0000, 0x4291], { type: 'float32', scale: 1, wordOrder: 'CDAB' }) // 72.5
 */
export function decodeRegisters(words: readonly number[], binding: Pick<RegisterBinding, 'type' | 'scale' | 'wordOrder'>): number {
  const w0 = words[0] ?? 0;
  const w1 = words[1] ?? 0;
  const buf = Buffer.alloc(4);
  let raw: number;
  switch (binding.type) {
    case 'bool':
      return w0 !== 0 ? 1 : 0;
    case 'int16':
      raw = (w0 << 16) >> 16;
      break;
    case 'uint16':
      raw = w0;
      break;
    default: {
      const [high, low] = binding.wordOrder === 'CDAB' ? [w1, w0] : [w0, w1];
      buf.writeUInt16BE(high, 0);
      buf.writeUInt16BE(low, 2);
      raw = binding.type === 'float32' ? buf.readFloatBE(0) : binding.type === 'int32' ? buf.readInt32BE(0) : buf.readUInt32BE(0);
    }
  }
  return raw / binding.scale;
}

function clampInt(value: number, type: keyof typeof RANGES): number {
  const [lo, hi] = RANGES[type];
  return Math.min(hi, Math.max(lo, Math.round(value)));
}

const TABLE_TITLES: Record<ModbusTable, string> = {
  holding: 'holding register (FC3 read, FC6/FC16 write)',
  input: 'input register (FC4)',
  coil: 'coil (FC1 read, FC5/FC15 write)',
  discrete: 'discrete input (FC2)',
};

/**
 * The register map of a scenario as a Markdown table (what packages/sim/README.md shows for the
 * default scenario; a test keeps the two in step). Addresses are 0-based PDU addresses.
 *
 * @example
 * console.log(registerMapMarkdown(await loadScenario('line3.plant.json')));
 */
export function registerMapMarkdown(scenario: PlantScenario): string {
  const specs = new Map<string, ScenarioTag>();
  for (const line of scenario.lines) for (const machine of line.machines) for (const tag of machine.tags) specs.set(tagPath(line.name, machine.name, tag.name), tag);
  const rows = registerBindings(scenario).map((b) => {
    const addr = b.width === 1 ? String(b.address) : `${b.address}–${b.address + b.width - 1}`;
    const order = b.width === 2 ? b.wordOrder : '';
    const scale = b.scale === 1 ? '' : `×${b.scale}`;
    const access = b.writable ? 'read/write' : 'read';
    return `| ${b.unit} | ${TABLE_TITLES[b.table]} | ${addr} | ${b.type} | ${order} | ${scale} | ${b.unitOfMeasure ?? ''} | ${access} | \`${b.path}\` | ${notes(specs.get(b.path), b)} |`;
  });
  return [
    '| unit | table | address | type | word order | scale | unit of measure | access | tag | notes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

function notes(tag: ScenarioTag | undefined, binding: RegisterBinding): string {
  if (!tag) return '';
  if (tag.values) return tag.values.map((v, i) => `${i}=${v}`).join(' ');
  if (tag.alarm) {
    const limits = [tag.alarm.above !== undefined ? `> ${tag.alarm.above}` : '', tag.alarm.below !== undefined ? `< ${tag.alarm.below}` : ''].filter(Boolean);
    return `on when ${tag.alarm.source} ${limits.join(' or ')}`;
  }
  if (binding.writable && (tag.min !== undefined || tag.max !== undefined)) return `accepts ${tag.min ?? '−∞'}…${tag.max ?? '∞'}, else exception 3`;
  return '';
}

const BEGIN = '<!-- register-map:begin -->';
const END = '<!-- register-map:end -->';

/**
 * A README text with the part between `<!-- register-map:begin -->` and `<!-- register-map:end -->`
 * replaced by the scenario's register map. `packages/sim/scripts/update-readme.ts` writes it back;
 * a test fails when the README and the default scenario drift apart.
 *
 * @throws {Error} when the markers are missing.
 */
export function withRegisterMap(readme: string, scenario: PlantScenario): string {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`the README needs the markers ${BEGIN} and ${END} around the register map`);
  return `${readme.slice(0, begin + BEGIN.length)}\n${registerMapMarkdown(scenario)}\n${readme.slice(end)}`;
}
