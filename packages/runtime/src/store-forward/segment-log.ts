import { closeSync, fdatasync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../write-file-atomically.js';
import type { FsyncPolicy } from './queue-types.js';
import { positionKey, type LogPosition, type LogRecord, type RecordLog } from './record-log.js';
import { decodeRecordAt, encodeRecord, scanSegment } from './segment-scan.js';

/** Options of {@link openSegmentLog}. */
export interface SegmentLogOptions {
  /** The queue's own directory (`<dataDir>/queues/<nodeId>`), created when missing. */
  readonly dir: string;
  /** A segment file is closed and a new one started once it would grow past this (default 4 MiB). */
  readonly segmentBytes?: number;
  readonly fsync: FsyncPolicy;
  /** Under `fsync: 'interval'`: how often written records are flushed to the disk (default 1000 ms). */
  readonly fsyncIntervalMs?: number;
  /** How soon after records are consumed the position file is written (default 100 ms). */
  readonly commitDelayMs?: number;
  /** Problems found in the files (a torn tail, an unreadable position file): logged, never thrown. */
  readonly warn: (message: string, fields: Record<string, unknown>) => void;
}

interface Segment {
  readonly seq: number;
  readonly file: string;
  size: number;
}

const SEGMENT_SUFFIX = '.seg';
const POSITION_FILE = 'position.json';
const READ_CHUNK = 1024 * 1024;

function segmentName(seq: number): string {
  return `${String(seq).padStart(16, '0')}${SEGMENT_SUFFIX}`;
}

/**
 * Open (or create) the append-only segment log in `options.dir`: `<seq>.seg` files of records
 * (see `encodeRecord`) and `position.json`, the first record not yet consumed, written atomically.
 *
 * On open every segment is scanned; at the first torn or corrupt record (a partial write from a
 * crash, a bad CRC) the segment is cut there, with a warning naming the file and offset. Records
 * before it are kept. Segments wholly before the position are deleted.
 */
export function openSegmentLog(options: SegmentLogOptions): SegmentLog {
  return new SegmentLog(options);
}

/** The disk {@link RecordLog}. Synchronous file I/O: records are small and writes go to the page cache. */
export class SegmentLog implements RecordLog {
  readonly persistent = true;
  head: LogPosition;
  readonly openCount: number;
  readonly openBytes: number;
  private readonly segments: Segment[] = [];
  private readonly segmentBytes: number;
  /** The tail segment's file, open for appending. */
  private writeFd: number | undefined;
  private nextSeq: number;
  private pending: Array<{ readonly record: Buffer; readonly resolve: () => void; readonly reject: (err: unknown) => void }> = [];
  private flushQueued = false;
  private dirty = false;
  private readonly fsyncTimer: ReturnType<typeof setInterval> | undefined;
  private commitTimer: ReturnType<typeof setTimeout> | undefined;
  private committing: Promise<void> = Promise.resolve();
  private committed: string;
  private cache: { seq: number; start: number; buf: Buffer } | undefined;
  private closed = false;

  constructor(private readonly options: SegmentLogOptions) {
    this.segmentBytes = options.segmentBytes ?? 4 * 1024 * 1024;
    mkdirSync(options.dir, { recursive: true });
    let head = this.readPosition();
    const names = readdirSync(options.dir)
      .filter((n) => /^\d{16}\.seg$/.test(n))
      .sort();
    let count = 0;
    let bytes = 0;
    for (const name of names) {
      const seq = Number(name.slice(0, 16));
      const file = join(options.dir, name);
      if (seq < head.segment) {
        // Consumed before the last run ended; the position was written, the delete was not.
        unlinkSync(file);
        continue;
      }
      const buf = readFileSync(file);
      const scan = scanSegment(buf);
      if (scan.problem !== undefined) {
        options.warn(`store-and-forward: ${file}: dropped a torn or corrupt tail at offset ${scan.validLength} (${scan.problem}); the ${scan.offsets.length} record(s) before it are kept`, {
          file,
          offset: scan.validLength,
          problem: scan.problem,
        });
        const fd = openSync(file, 'r+');
        try {
          ftruncateSync(fd, scan.validLength);
        } finally {
          closeSync(fd);
        }
      }
      let from = 0;
      if (seq === head.segment && head.offset > 0) {
        from = scan.offsets.findIndex((o) => o >= head.offset);
        if (from === -1) from = scan.offsets.length;
        const aligned = scan.offsets[from] ?? scan.validLength;
        if (aligned !== head.offset) {
          options.warn(`store-and-forward: ${join(options.dir, POSITION_FILE)}: position ${head.offset} in ${name} is not at a record; resuming at ${aligned}`, { file, offset: head.offset });
          head = { segment: seq, offset: aligned };
        }
      }
      for (let i = from; i < scan.sizes.length; i++) {
        count++;
        bytes += scan.sizes[i]!;
      }
      this.segments.push({ seq, file, size: scan.validLength });
    }
    const first = this.segments[0];
    // The position may name a segment that is gone (all consumed): start at the first one left.
    if (first !== undefined && first.seq > head.segment) head = { segment: first.seq, offset: 0 };
    this.head = head;
    this.committed = positionKey(head);
    this.openCount = count;
    this.openBytes = bytes;
    this.nextSeq = Math.max(head.segment, (this.segments.at(-1)?.seq ?? 0) + 1, 1);
    const tail = this.segments.at(-1);
    if (tail !== undefined) this.writeFd = openSync(tail.file, 'a');
    if (options.fsync === 'interval') {
      this.fsyncTimer = setInterval(() => this.syncSoon(), options.fsyncIntervalMs ?? 1000);
      this.fsyncTimer.unref();
    }
  }

  read(pos: LogPosition): LogRecord | undefined {
    let p = pos;
    for (;;) {
      const index = this.indexOf(p.segment);
      const segment = this.segments[index];
      if (segment === undefined) return undefined;
      if (segment.seq !== p.segment || p.offset >= segment.size) {
        // Past the end of this segment (or it is gone): the next one, if any, starts at 0.
        const next = segment.seq > p.segment ? segment : this.segments[index + 1];
        if (next === undefined) return undefined;
        p = { segment: next.seq, offset: 0 };
        continue;
      }
      return this.readAt(segment, p.offset);
    }
  }

  append(at: number, body: Buffer): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`store-and-forward: the queue in ${this.options.dir} is closed`));
    const record = encodeRecord(at, body);
    return new Promise((resolve, reject) => {
      this.pending.push({ record, resolve, reject });
      if (!this.flushQueued) {
        this.flushQueued = true;
        // Appends made in the same turn (a batch of messages) share one write(2) and, under
        // `fsync: 'always'`, one fsync: group commit.
        queueMicrotask(() => this.flush());
      }
    });
  }

  consume(to: LogPosition): void {
    this.head = to;
    if (this.commitTimer === undefined && !this.closed) {
      this.commitTimer = setTimeout(() => {
        this.commitTimer = undefined;
        void this.commit();
      }, this.options.commitDelayMs ?? 100);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.fsyncTimer !== undefined) clearInterval(this.fsyncTimer);
    if (this.commitTimer !== undefined) clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    await this.commit();
    if (this.writeFd !== undefined) {
      if (this.options.fsync !== 'never' && this.dirty) fdatasyncSync(this.writeFd);
      closeSync(this.writeFd);
      this.writeFd = undefined;
    }
  }

  /** Write the pending appends: one write(2) per segment they land in. */
  private flush(): void {
    this.flushQueued = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    try {
      let chunk: Buffer[] = [];
      let chunkBytes = 0;
      for (const { record } of batch) {
        const tail = this.segments.at(-1);
        const tailSize = tail === undefined || this.writeFd === undefined ? undefined : tail.size + chunkBytes;
        if (tailSize === undefined || (tailSize > 0 && tailSize + record.length > this.segmentBytes)) {
          this.writeChunk(chunk, chunkBytes);
          chunk = [];
          chunkBytes = 0;
          this.roll();
        }
        chunk.push(record);
        chunkBytes += record.length;
      }
      this.writeChunk(chunk, chunkBytes);
    } catch (err) {
      for (const p of batch) p.reject(new Error(`store-and-forward: writing to the queue in ${this.options.dir} failed: ${(err as Error).message}`, { cause: err }));
      return;
    }
    this.dirty = true;
    if (this.options.fsync === 'always' && this.writeFd !== undefined) {
      fdatasync(this.writeFd, (err) => {
        if (err) for (const p of batch) p.reject(new Error(`store-and-forward: flushing the queue in ${this.options.dir} to disk failed: ${err.message}`, { cause: err }));
        else for (const p of batch) p.resolve();
      });
      return;
    }
    for (const p of batch) p.resolve();
  }

  private writeChunk(chunk: Buffer[], bytes: number): void {
    if (chunk.length === 0) return;
    const data = chunk.length === 1 ? chunk[0]! : Buffer.concat(chunk, bytes);
    let written = 0;
    while (written < data.length) written += writeSync(this.writeFd!, data, written, data.length - written);
    // Counted only once written: `read` never sees bytes that are not in the file.
    this.segments.at(-1)!.size += data.length;
  }

  /** Start a new tail segment; the old one is flushed first unless `fsync: 'never'`. */
  private roll(): void {
    if (this.writeFd !== undefined) {
      if (this.options.fsync !== 'never') fdatasyncSync(this.writeFd);
      closeSync(this.writeFd);
      this.writeFd = undefined;
    }
    const seq = this.nextSeq++;
    const file = join(this.options.dir, segmentName(seq));
    this.writeFd = openSync(file, 'a');
    this.segments.push({ seq, file, size: 0 });
  }

  private syncSoon(): void {
    if (!this.dirty || this.writeFd === undefined) return;
    this.dirty = false;
    const fd = this.writeFd;
    fdatasync(fd, (err) => {
      // EBADF: the segment was rolled or the log closed meanwhile, which flushed it anyway.
      if (err && err.code !== 'EBADF') this.options.warn(`store-and-forward: flushing the queue in ${this.options.dir} to disk failed: ${err.message}`, { dir: this.options.dir });
    });
  }

  /**
   * Persist the head (atomically), then delete the segments wholly before it. A crash between
   * the two leaves files the next open deletes; a crash before the position is written means a
   * few records are delivered again (at-least-once).
   */
  private commit(): Promise<void> {
    // A failed commit (reported to the caller) must not stop the later ones.
    this.committing = this.committing.catch(() => undefined).then(async () => {
      const doomed: Segment[] = [];
      // Decided synchronously, so an append landing meanwhile never goes into a file about to be deleted.
      while (this.segments.length !== 0) {
        const first = this.segments[0]!;
        const isTail = this.segments.length === 1;
        const consumed = first.seq < this.head.segment || (first.seq === this.head.segment && this.head.offset >= first.size);
        if (!consumed) break;
        if (isTail) {
          // Everything is consumed: start the next append in a fresh segment.
          if (this.pending.length !== 0) break;
          if (this.writeFd !== undefined) closeSync(this.writeFd);
          this.writeFd = undefined;
        }
        this.segments.shift();
        doomed.push(first);
        if (this.cache?.seq === first.seq) this.cache = undefined;
        if (this.head.segment <= first.seq) this.head = { segment: this.segments[0]?.seq ?? this.nextSeq, offset: 0 };
      }
      const key = positionKey(this.head);
      if (key !== this.committed) {
        try {
          await writeFileAtomically(join(this.options.dir, POSITION_FILE), `${JSON.stringify({ segment: this.head.segment, offset: this.head.offset })}\n`);
          this.committed = key;
        } catch (err) {
          this.options.warn(`store-and-forward: writing ${join(this.options.dir, POSITION_FILE)} failed: ${(err as Error).message}; buffered messages may be sent again after a restart`, { dir: this.options.dir });
          return;
        }
      }
      for (const segment of doomed) {
        try {
          unlinkSync(segment.file);
        } catch (err) {
          this.options.warn(`store-and-forward: deleting ${segment.file} failed: ${(err as Error).message}`, { file: segment.file });
        }
      }
    });
    return this.committing;
  }

  private readPosition(): LogPosition {
    const file = join(this.options.dir, POSITION_FILE);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return { segment: 0, offset: 0 };
    }
    try {
      const parsed = JSON.parse(text) as { segment?: unknown; offset?: unknown };
      if (Number.isSafeInteger(parsed.segment) && Number.isSafeInteger(parsed.offset) && (parsed.offset as number) >= 0) {
        return { segment: parsed.segment as number, offset: parsed.offset as number };
      }
    } catch {
      // Reported below.
    }
    this.options.warn(`store-and-forward: ${file} is unreadable; replaying from the first segment (messages may be sent again)`, { file });
    return { segment: 0, offset: 0 };
  }

  /** Index of the segment with `seq`, else of the first one after it, else -1 past the end. */
  private indexOf(seq: number): number {
    const segments = this.segments;
    for (let i = 0; i < segments.length; i++) if (segments[i]!.seq >= seq) return i;
    return segments.length;
  }

  private readAt(segment: Segment, offset: number): LogRecord | undefined {
    let cache = this.cache;
    let decoded = cache !== undefined && cache.seq === segment.seq && offset >= cache.start ? decodeRecordAt(cache.buf, offset - cache.start) : undefined;
    if (decoded === undefined || typeof decoded === 'string') {
      // Not (wholly) in the cache: read from here on, at least one whole record.
      const fd = openSync(segment.file, 'r');
      try {
        const header = Buffer.alloc(4);
        readSync(fd, header, 0, 4, offset);
        const want = Math.min(segment.size - offset, Math.max(READ_CHUNK, 8 + header.readUInt32LE(0)));
        const buf = Buffer.allocUnsafe(want);
        let got = 0;
        while (got < want) {
          const n = readSync(fd, buf, got, want - got, offset + got);
          if (n === 0) break;
          got += n;
        }
        cache = this.cache = { seq: segment.seq, start: offset, buf: buf.subarray(0, got) };
      } finally {
        closeSync(fd);
      }
      decoded = decodeRecordAt(cache.buf, 0);
    }
    if (typeof decoded === 'string') {
      // Damaged after it was scanned (the disk, another process): skip the rest of this segment.
      this.options.warn(`store-and-forward: ${segment.file}: unreadable record at offset ${offset} (${decoded}); skipping the rest of the segment`, { file: segment.file, offset });
      segment.size = offset;
      // Appends must not land behind the damage: the tail moves to a new segment.
      if (segment === this.segments.at(-1)) this.roll();
      return this.read({ segment: segment.seq, offset });
    }
    return { at: decoded.at, body: decoded.body, size: decoded.size, next: { segment: segment.seq, offset: offset + decoded.size } };
  }
}
