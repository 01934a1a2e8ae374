/**
 * The Modbus value codec: engineering values ⇄ 16-bit register words (or bits). Pure, no I/O.
 *
 * Byte order notation: a 32-bit value's bytes, most significant first, are `A B C D`; the four
 * patterns say in which order they travel in the registers. They are two independent switches:
 * - `wordOrder`: `ABCD` = high word first (big-endian, the Modbus convention); `CDAB` = low word
 *   first ("word swap", common on PLCs that store floats little-endian by word). For 64-bit values
 *   `CDAB` reverses all four words.
 * - `byteOrder`: `AB` = the high byte of each register first (Modbus's own rule); `BA` = the two
 *   bytes of each register swapped.
 * Together: ABCD + AB = `ABCD`, CDAB + AB = `CDAB`, ABCD + BA = `BADC`, CDAB + BA = `DCBA`
 * ({@link byteOrderPattern}).
 *
 * 64-bit integers decode to a `number` when they fit in ±2^53−1 (every value a JSON consumer can
 * hold exactly) and to a `bigint` beyond; encoding takes a safe integer, a bigint or a decimal string.
 */

/** The value types a tag may have. `string` needs a `length` in bytes (two per register). */
export const MODBUS_VALUE_TYPES = ['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64', 'int64', 'uint64', 'string'] as const;
export type ModbusValueType = (typeof MODBUS_VALUE_TYPES)[number];

/** The four Modbus tables. Coils and discrete inputs hold bits; the other two hold 16-bit registers. */
export const MODBUS_AREAS = ['holding', 'input', 'coil', 'discrete'] as const;
export type ModbusArea = (typeof MODBUS_AREAS)[number];

export type WordOrder = 'ABCD' | 'CDAB';
export type ByteOrder = 'AB' | 'BA';
/** The combined byte order of a multi-register value. */
export type ByteOrderPattern = 'ABCD' | 'CDAB' | 'BADC' | 'DCBA';

/** A decoded value, before scaling. */
export type RawValue = boolean | number | bigint | string;

/** How one tag is laid out in its registers. */
export interface TagLayout {
  readonly type: ModbusValueType;
  /** Bytes of a `string` tag (required for it, ignored for others). */
  readonly length?: number | undefined;
  readonly wordOrder?: WordOrder | undefined;
  readonly byteOrder?: ByteOrder | undefined;
}

/** Whether the area holds bits (coil, discrete) rather than registers. */
export function isBitArea(area: ModbusArea): boolean {
  return area === 'coil' || area === 'discrete';
}

/** The combined pattern of the two order switches, e.g. `byteOrderPattern('CDAB', 'BA') === 'DCBA'`. */
export function byteOrderPattern(wordOrder: WordOrder = 'ABCD', byteOrder: ByteOrder = 'AB'): ByteOrderPattern {
  if (wordOrder === 'ABCD') return byteOrder === 'AB' ? 'ABCD' : 'BADC';
  return byteOrder === 'AB' ? 'CDAB' : 'DCBA';
}

/**
 * Registers (or bits, for `bool`) a value of this layout occupies.
 *
 * @example
 * registerCount({ type: 'float32' }) // 2
 * registerCount({ type: 'string', length: 5 }) // 3
 */
export function registerCount(layout: Pick<TagLayout, 'type' | 'length'>): number {
  switch (layout.type) {
    case 'bool':
    case 'int16':
    case 'uint16':
      return 1;
    case 'int32':
    case 'uint32':
    case 'float32':
      return 2;
    case 'float64':
    case 'int64':
    case 'uint64':
      return 4;
    case 'string':
      if (!layout.length || layout.length < 1) throw new RangeError('a string tag needs a length (bytes) ≥ 1');
      return Math.ceil(layout.length / 2);
  }
}

/** Thrown when a value cannot be encoded for its tag (out of range, wrong type). */
export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

/** Register words → the bytes in value order (A B C D …), undoing the layout's byte and word order. */
function wordsToBytes(words: readonly number[], layout: TagLayout): Buffer {
  const ordered = layout.wordOrder === 'CDAB' ? [...words].reverse() : words;
  const buf = Buffer.alloc(ordered.length * 2);
  ordered.forEach((w, i) => {
    const word = w & 0xffff;
    buf.writeUInt16BE(layout.byteOrder === 'BA' ? swap16(word) : word, i * 2);
  });
  return buf;
}

/** Bytes in value order → register words in the layout's byte and word order. */
function bytesToWords(buf: Buffer, layout: TagLayout): number[] {
  const words: number[] = [];
  for (let i = 0; i < buf.length; i += 2) {
    const word = buf.readUInt16BE(i);
    words.push(layout.byteOrder === 'BA' ? swap16(word) : word);
  }
  return layout.wordOrder === 'CDAB' ? words.reverse() : words;
}

function swap16(word: number): number {
  return ((word & 0xff) << 8) | (word >> 8);
}

/**
 * Decode a tag's raw value from its register words (or its bit, for `bool`). Word order does not
 * apply to strings (their characters run from the first register on); byte order does.
 *
 * @example
 * decodeValue([0x0000, 0x4291], { type: 'float32', wordOrder: 'CDAB' }) // 72.5
 * decodeValue([0x4865, 0x6c6c, 0x6f00], { type: 'string', length: 6 }) // 'Hello'
 */
export function decodeValue(words: readonly (number | boolean)[], layout: TagLayout): RawValue {
  const n = registerCount(layout);
  if (words.length < n) throw new CodecError(`${layout.type} needs ${n} register(s), got ${words.length}`);
  if (layout.type === 'bool') return Boolean(words[0]);
  const regs = words.slice(0, n).map(Number);
  if (layout.type === 'string') {
    const buf = wordsToBytes(regs, { ...layout, wordOrder: 'ABCD' }).subarray(0, layout.length);
    const end = buf.indexOf(0);
    return buf.subarray(0, end < 0 ? buf.length : end).toString('latin1');
  }
  const buf = wordsToBytes(regs, layout);
  switch (layout.type) {
    case 'int16':
      return buf.readInt16BE(0);
    case 'uint16':
      return buf.readUInt16BE(0);
    case 'int32':
      return buf.readInt32BE(0);
    case 'uint32':
      return buf.readUInt32BE(0);
    case 'float32':
      return buf.readFloatBE(0);
    case 'float64':
      return buf.readDoubleBE(0);
    case 'int64':
      return safeNumber(buf.readBigInt64BE(0));
    case 'uint64':
      return safeNumber(buf.readBigUInt64BE(0));
  }
}

function safeNumber(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
}

const INT_RANGES = {
  int16: [-0x8000, 0x7fff],
  uint16: [0, 0xffff],
  int32: [-0x8000_0000, 0x7fff_ffff],
  uint32: [0, 0xffff_ffff],
} as const;

const BIG_RANGES = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
} as const;

/**
 * Encode a raw value (already unscaled) into register words, or `[0|1]` for `bool`. Integers must
 * be whole and in the type's range (a write must never wrap or saturate silently); floats are
 * stored as the nearest float32/float64; strings are latin1 bytes, NUL-padded, and must fit.
 *
 * @throws {CodecError} naming the type, the value and the allowed range.
 * @example
 * encodeValue(72.5, { type: 'float32', wordOrder: 'CDAB' }) // [0x0000, 0x4291]
 */
export function encodeValue(value: RawValue, layout: TagLayout): number[] {
  const type = layout.type;
  if (type === 'bool') {
    if (typeof value === 'boolean') return [value ? 1 : 0];
    if (value === 0 || value === 1) return [value];
    throw new CodecError(`bool expects true/false (or 0/1), got ${describe(value)}`);
  }
  if (type === 'string') {
    if (typeof value !== 'string') throw new CodecError(`string expects a string, got ${describe(value)}`);
    const bytes = Buffer.from(value, 'latin1');
    const length = layout.length ?? 0;
    if (bytes.length > length) throw new CodecError(`string of ${bytes.length} bytes does not fit the tag's length of ${length}`);
    const buf = Buffer.alloc(registerCount(layout) * 2);
    bytes.copy(buf);
    return bytesToWords(buf, { ...layout, wordOrder: 'ABCD' });
  }
  const buf = Buffer.alloc(registerCount(layout) * 2);
  if (type === 'int64' || type === 'uint64') {
    const big = toBigInt(value, type);
    const [lo, hi] = BIG_RANGES[type];
    if (big < lo || big > hi) throw new CodecError(`${type} value ${big} is outside ${lo}…${hi}`);
    if (type === 'int64') buf.writeBigInt64BE(big);
    else buf.writeBigUInt64BE(big);
    return bytesToWords(buf, layout);
  }
  const num = typeof value === 'number' ? value : typeof value === 'boolean' ? Number(value) : Number.NaN;
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new CodecError(`${type} expects a number, got ${describe(value)}`);
  if (type === 'float32' || type === 'float64') {
    if (type === 'float32') buf.writeFloatBE(num);
    else buf.writeDoubleBE(num);
    return bytesToWords(buf, layout);
  }
  if (!Number.isInteger(num)) throw new CodecError(`${type} expects a whole number, got ${num}`);
  const [lo, hi] = INT_RANGES[type];
  if (num < lo || num > hi) throw new CodecError(`${type} value ${num} is outside ${lo}…${hi}`);
  if (type === 'int16') buf.writeInt16BE(num);
  else if (type === 'uint16') buf.writeUInt16BE(num);
  else if (type === 'int32') buf.writeInt32BE(num);
  else buf.writeUInt32BE(num);
  return bytesToWords(buf, layout);
}

function toBigInt(value: RawValue, type: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new CodecError(`${type} expects a whole number within ±2^53 (or a bigint / decimal string), got ${value}`);
    return BigInt(value);
  }
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return BigInt(value.trim());
  throw new CodecError(`${type} expects an integer, a bigint or a decimal string, got ${describe(value)}`);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : `${typeof value} ${String(value)}`;
}

/** Linear scaling of a numeric tag: engineering value = raw × scale + offset. */
export interface Scaling {
  readonly scale?: number | undefined;
  readonly offset?: number | undefined;
}

/**
 * The engineering value of a raw value: `raw × scale + offset` for numbers (a bigint is scaled only
 * when scale is 1 and offset 0, else converted to a number first); booleans and strings as they are.
 */
export function applyScaling(raw: RawValue, scaling: Scaling): RawValue {
  const scale = scaling.scale ?? 1;
  const offset = scaling.offset ?? 0;
  if (typeof raw === 'number') return scale === 1 && offset === 0 ? raw : raw * scale + offset;
  if (typeof raw === 'bigint') return scale === 1 && offset === 0 ? raw : Number(raw) * scale + offset;
  return raw;
}

/**
 * The raw value to write for an engineering value (the inverse of {@link applyScaling}):
 * `(value − offset) / scale`. For integer types a scaled value is rounded to the nearest whole
 * number: the scale declares the register's resolution (21.57 into ×0.1 writes 216, as a PLC's own
 * conversion would). Unscaled values are passed as they are, so 1.5 into an int16 stays an error.
 */
export function removeScaling(value: RawValue, scaling: Scaling, type: ModbusValueType): RawValue {
  const scale = scaling.scale ?? 1;
  const offset = scaling.offset ?? 0;
  if (typeof value !== 'number' || (scale === 1 && offset === 0)) return value;
  const raw = (value - offset) / scale;
  return type === 'float32' || type === 'float64' ? raw : Math.round(raw);
}
