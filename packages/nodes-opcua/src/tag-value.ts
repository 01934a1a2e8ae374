import type { TagValue } from '@plantwire/node-sdk';

/** The part of node-opcua's StatusCode this package reads (kept structural so pure code needs no node-opcua import). */
export interface StatusCodeLike {
  readonly value: number;
  readonly name: string;
}

/** The part of node-opcua's DataValue this package reads. */
export interface DataValueLike {
  readonly value: { readonly value: unknown } | null | undefined;
  readonly statusCode: StatusCodeLike;
  readonly sourceTimestamp: Date | null | undefined;
  readonly serverTimestamp: Date | null | undefined;
}

/**
 * The quality of an OPC UA status code, from its severity (the two top bits, OPC UA Part 4
 * §7.39): 00 Good, 01 Uncertain, 10/11 Bad.
 */
export function qualityOf(status: StatusCodeLike): TagValue['quality'] {
  const severity = (status.value >>> 30) & 0b11;
  return severity === 0 ? 'good' : severity === 1 ? 'uncertain' : 'bad';
}

/** A plain JSON-friendly value: Int64 pairs stay arrays, typed arrays become arrays, byte strings Buffers. */
function plain(value: unknown): unknown {
  // Most values are numbers, booleans or strings: one typeof answers them.
  if (typeof value !== 'object' || value === null || !ArrayBuffer.isView(value)) return value;
  if (value instanceof Float32Array || value instanceof Float64Array || value instanceof Int8Array || value instanceof Int16Array || value instanceof Int32Array || value instanceof Uint16Array || value instanceof Uint32Array) {
    return Array.from(value);
  }
  return value;
}

/**
 * A device value as Plantwire messages carry it: value, quality from the status code (a status
 * that is not good gives its name as `reason`), the source timestamp (the server's when the
 * source gave none, else now) and the server timestamp.
 *
 * Values by OPC UA type (checked by odd-values.fuzz.test.ts): numbers, booleans, strings, Guid
 * and XmlElement as they are (NaN and ±Infinity too, which JSON writes as null); Int64/UInt64 as
 * `[high, low]` 32-bit pairs (exact beyond 2^53); DateTime as a Date; ByteString as a Buffer;
 * arrays as arrays, a matrix flattened (its dimensions are not carried); LocalizedText,
 * QualifiedName, NodeId, StatusCode, Variant and ExtensionObjects as node-opcua's objects, whose
 * JSON is their fields; a null variant as null.
 */
export function toTagValue(dataValue: DataValueLike, now: () => Date = () => new Date()): TagValue {
  const quality = qualityOf(dataValue.statusCode);
  const server = dataValue.serverTimestamp;
  const source = dataValue.sourceTimestamp ?? server ?? now();
  // Built in place rather than with conditional spreads: this runs for every value of every
  // subscription (tens of thousands a second), and the keys keep this order either way.
  const tag: { -readonly [K in keyof TagValue]: TagValue[K] } = { value: plain(dataValue.value?.value ?? null), quality, sourceTime: source.toISOString() };
  if (server) tag.serverTime = server.toISOString();
  if (quality !== 'good') tag.reason = dataValue.statusCode.name;
  return tag;
}
