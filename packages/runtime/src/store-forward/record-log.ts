/** Where a record starts: a segment's sequence number and a byte offset in it (memory logs: segment 0, offset = record index). */
export interface LogPosition {
  readonly segment: number;
  readonly offset: number;
}

/** One record read back from a log. */
export interface LogRecord {
  /** When it was appended (ms since the epoch). */
  readonly at: number;
  /** The bytes appended. */
  readonly body: Buffer;
  /** What it counts against the budget: body and header. */
  readonly size: number;
  /** Where the record after it starts. */
  readonly next: LogPosition;
}

/** Bytes of a record's header: length u32, crc32 u32, append time f64. */
export const RECORD_HEADER_BYTES = 16;

/**
 * Ordered storage under a {@link MessageQueue}: records are appended at the tail, read by position,
 * and forgotten from the head once consumed. The disk log and the memory log implement it.
 */
export interface RecordLog {
  /** True when records survive the process (a disk log). */
  readonly persistent: boolean;
  /** The first record not consumed (at open: where the last run stopped). */
  readonly head: LogPosition;
  /** Records and bytes not consumed, when the log was opened. */
  readonly openCount: number;
  readonly openBytes: number;
  /** The record at `pos`, or undefined when `pos` is the end of the log. */
  read(pos: LogPosition): LogRecord | undefined;
  /** Append one record; resolves once stored (on disk: written with write(2), and fsynced under `fsync: 'always'`). */
  append(at: number, body: Buffer): Promise<void>;
  /** Everything before `to` is consumed: persisted lazily, and storage no longer needed released. */
  consume(to: LogPosition): void;
  close(): Promise<void>;
}

/** A position as a map key. */
export function positionKey(pos: LogPosition): string {
  return `${pos.segment}:${pos.offset}`;
}
