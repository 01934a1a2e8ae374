import { crc32 } from 'node:zlib';

/** Largest record body the log accepts or believes when scanning (a bigger length is corruption). */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/** What scanning one segment found. */
export interface SegmentScan {
  /** Bytes of whole, intact records from the start: where a torn or corrupt tail begins (or the file's length). */
  readonly validLength: number;
  /** Start offsets of the intact records. */
  readonly offsets: readonly number[];
  /** Bytes of each intact record (header included), parallel to `offsets`. */
  readonly sizes: readonly number[];
  /** Why scanning stopped before the end of the file, if it did. */
  readonly problem: string | undefined;
}

/**
 * Encode one record: `[length u32][crc32 u32][bytes]`, little-endian, where `bytes` are the
 * append time (f64, ms since the epoch) followed by the body, and the CRC covers `bytes`.
 */
export function encodeRecord(at: number, body: Buffer): Buffer {
  const record = Buffer.allocUnsafe(16 + body.length);
  record.writeUInt32LE(8 + body.length, 0);
  record.writeDoubleLE(at, 8);
  body.copy(record, 16);
  record.writeUInt32LE(crc32(record.subarray(8)), 4);
  return record;
}

/** The record at `offset` of `buf`, or why it is not an intact record there. */
export function decodeRecordAt(buf: Buffer, offset: number): { readonly at: number; readonly body: Buffer; readonly size: number } | string {
  if (buf.length - offset < 8) return 'partial record header';
  const length = buf.readUInt32LE(offset);
  if (length < 8 || length > MAX_RECORD_BYTES + 8) return `impossible record length ${length}`;
  if (offset + 8 + length > buf.length) return `partial record (${buf.length - offset - 8} of ${length} bytes)`;
  const bytes = buf.subarray(offset + 8, offset + 8 + length);
  if (crc32(bytes) !== buf.readUInt32LE(offset + 4)) return 'CRC mismatch';
  return { at: bytes.readDoubleLE(0), body: bytes.subarray(8), size: 8 + length };
}

/** Walk a segment's records from the start, stopping at the first one that is torn or corrupt. */
export function scanSegment(buf: Buffer): SegmentScan {
  const offsets: number[] = [];
  const sizes: number[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const record = decodeRecordAt(buf, offset);
    if (typeof record === 'string') return { validLength: offset, offsets, sizes, problem: record };
    offsets.push(offset);
    sizes.push(record.size);
    offset += record.size;
  }
  return { validLength: offset, offsets, sizes, problem: undefined };
}
