import { RECORD_HEADER_BYTES, type LogPosition, type LogRecord, type RecordLog } from './record-log.js';

/**
 * A {@link RecordLog} in memory, for a runtime without a data directory: the same order, budget
 * and counters as the disk log, lost when the process ends.
 */
export class MemoryLog implements RecordLog {
  readonly persistent = false;
  readonly openCount = 0;
  readonly openBytes = 0;
  private records: Array<{ readonly at: number; readonly body: Buffer }> = [];
  /** Index in `records` of the first record not consumed; compacted away now and then. */
  private start = 0;
  /** Position offset of `records[start]`. */
  private base = 0;

  get head(): LogPosition {
    return { segment: 0, offset: this.base };
  }

  read(pos: LogPosition): LogRecord | undefined {
    const record = pos.offset < this.base ? undefined : this.records[this.start + pos.offset - this.base];
    if (record === undefined) return undefined;
    return { at: record.at, body: record.body, size: record.body.length + RECORD_HEADER_BYTES, next: { segment: 0, offset: pos.offset + 1 } };
  }

  append(at: number, body: Buffer): Promise<void> {
    this.records.push({ at, body });
    return Promise.resolve();
  }

  consume(to: LogPosition): void {
    const n = to.offset - this.base;
    if (n <= 0) return;
    this.start += n;
    this.base = to.offset;
    // Replay confirms records one by one: compact in bulk, not a shift (O(n)) per record.
    if (this.start > 1024 && this.start * 2 > this.records.length) {
      this.records = this.records.slice(this.start);
      this.start = 0;
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
