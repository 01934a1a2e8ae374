/**
 * OPC UA built-in data types (Part 6 §5.1.2) by their numeric id, the same numbers as node-opcua's
 * `DataType` enum; restated so the coercion is pure and testable without loading node-opcua.
 */
export const BUILT_IN = {
  Boolean: 1,
  SByte: 2,
  Byte: 3,
  Int16: 4,
  UInt16: 5,
  Int32: 6,
  UInt32: 7,
  Int64: 8,
  UInt64: 9,
  Float: 10,
  Double: 11,
  String: 12,
  DateTime: 13,
  ByteString: 15,
} as const;

const NAMES = new Map<number, string>(Object.entries(BUILT_IN).map(([name, id]) => [id, name]));

/** The name of a built-in data type id (`Double`), or `DataType <id>`. */
export function dataTypeName(id: number): string {
  return NAMES.get(id) ?? `DataType ${id}`;
}

const INTEGER_RANGES: Record<number, readonly [number, number]> = {
  [BUILT_IN.SByte]: [-128, 127],
  [BUILT_IN.Byte]: [0, 255],
  [BUILT_IN.Int16]: [-32768, 32767],
  [BUILT_IN.UInt16]: [0, 65535],
  [BUILT_IN.Int32]: [-2147483648, 2147483647],
  [BUILT_IN.UInt32]: [0, 4294967295],
};

/** Thrown when a value cannot be turned into the variable's data type; the message says which value and type. */
export class CoercionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CoercionError';
  }
}

function toNumber(value: unknown, type: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw new CoercionError(`cannot write ${JSON.stringify(value)} to a ${type} variable: expected a number`);
}

/**
 * Turn a message payload into a value of the variable's built-in data type, the way a user
 * expects: `"72.5"` → 72.5 for a Double, `1`/`"true"` → true for a Boolean, an integer checked
 * against its type's range (never silently wrapped), a number or ISO string → Date for DateTime.
 * Arrays are coerced element by element. Throws {@link CoercionError} naming the value and type.
 */
export function coerceValue(value: unknown, dataType: number): unknown {
  if (Array.isArray(value)) return value.map((v) => coerceValue(v, dataType));
  const type = dataTypeName(dataType);
  switch (dataType) {
    case BUILT_IN.Boolean:
      if (typeof value === 'boolean') return value;
      if (value === 0 || value === 1) return value === 1;
      if (typeof value === 'string' && /^(true|false|1|0)$/i.test(value.trim())) return /^(true|1)$/i.test(value.trim());
      throw new CoercionError(`cannot write ${JSON.stringify(value)} to a Boolean variable: expected true/false`);
    case BUILT_IN.Float:
    case BUILT_IN.Double:
      return toNumber(value, type);
    case BUILT_IN.Int64:
    case BUILT_IN.UInt64: {
      if (typeof value === 'bigint') return value.toString();
      const n = toNumber(value, type);
      if (!Number.isSafeInteger(n) || (dataType === BUILT_IN.UInt64 && n < 0)) throw new CoercionError(`cannot write ${JSON.stringify(value)} to a ${type} variable: not an integer in range`);
      return n;
    }
    case BUILT_IN.String:
      if (typeof value === 'string') return value;
      if (value === null || value === undefined) throw new CoercionError(`cannot write ${String(value)} to a String variable`);
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    case BUILT_IN.DateTime: {
      const date = value instanceof Date ? value : typeof value === 'number' || typeof value === 'string' ? new Date(value) : undefined;
      if (!date || Number.isNaN(date.getTime())) throw new CoercionError(`cannot write ${JSON.stringify(value)} to a DateTime variable: expected an ISO-8601 string or epoch milliseconds`);
      return date;
    }
    case BUILT_IN.ByteString:
      if (Buffer.isBuffer(value)) return value;
      if (value instanceof Uint8Array) return Buffer.from(value);
      if (typeof value === 'string') return Buffer.from(value, 'utf8');
      throw new CoercionError(`cannot write ${JSON.stringify(value)} to a ByteString variable: expected bytes or a string`);
    default: {
      const range = INTEGER_RANGES[dataType];
      if (range) {
        const n = toNumber(value, type);
        if (!Number.isInteger(n) || n < range[0] || n > range[1]) {
          throw new CoercionError(`cannot write ${JSON.stringify(value)} to a ${type} variable: expected an integer in ${range[0]}…${range[1]}`);
        }
        return n;
      }
      throw new CoercionError(`writing to a variable of ${type} is not supported`);
    }
  }
}
