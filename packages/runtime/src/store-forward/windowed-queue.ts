import { deserialize, serialize } from 'node:v8';
import type { BufferCounters, MessageQueue, QueueBudget, QueueEntry } from './queue-types.js';
import { positionKey, RECORD_HEADER_BYTES, type LogPosition, type LogRecord, type RecordLog } from './record-log.js';

/** A record between the head and the read position: handed out (or dropped) and not yet consumed. */
interface Slot {
  readonly pos: LogPosition;
  readonly record: LogRecord;
  done: boolean;
  /** Put back by `rewind`: a late `done` for it is ignored (the record comes out again). */
  stale: boolean;
}

const SLOT = Symbol('slot');
type Entry = QueueEntry & { readonly [SLOT]: Slot };

/**
 * Values are stored with V8's structured serialisation: Buffers come back as Buffers, Dates as
 * Dates, and nested objects, arrays, numbers (NaN too), strings, booleans, null and undefined
 * round-trip. Functions and symbols are refused (messages are values).
 */
export function encodeValue(value: unknown): Buffer {
  return serialize(value);
}

/** The value `encodeValue` stored. */
export function decodeValue(body: Buffer): unknown {
  return deserialize(body);
}

/**
 * A {@link MessageQueue} over a {@link RecordLog}: the budget (bytes, age, overflow policy), the
 * window of records handed out for delivery, and the counters. The log only stores.
 */
export class WindowedQueue implements MessageQueue {
  private head: LogPosition;
  private readPos: LogPosition;
  private window: Slot[] = [];
  /** Records confirmed (or dropped) behind an unconfirmed one when `rewind` ran: skipped when read again. */
  private readonly skip = new Set<string>();
  private count: number;
  private bytes: number;
  private out = 0;
  private readonly dropped = { overflow: 0, expired: 0, failed: 0 };
  private replayed = 0;
  private readonly now: () => number;

  constructor(
    private readonly log: RecordLog,
    private readonly budget: QueueBudget,
  ) {
    this.head = log.head;
    this.readPos = log.head;
    this.count = log.openCount;
    this.bytes = log.openBytes;
    this.now = budget.now ?? Date.now;
  }

  get size(): number {
    return this.count;
  }

  get outstanding(): number {
    return this.out;
  }

  async append(value: unknown): Promise<boolean> {
    const body = encodeValue(value);
    const size = body.length + RECORD_HEADER_BYTES;
    const { maxBytes } = this.budget;
    if (size > maxBytes) {
      this.dropped.overflow++;
      return false;
    }
    if (this.bytes + size > maxBytes) {
      if (this.budget.overflow === 'drop-newest') {
        this.dropped.overflow++;
        return false;
      }
      // drop-oldest: the oldest records not already out for delivery make room.
      while (this.bytes + size > maxBytes) {
        const slot = this.next();
        if (slot === undefined) {
          // Everything left is being delivered (or still being written): nothing older to drop.
          this.dropped.overflow++;
          return false;
        }
        this.finish(slot);
        this.dropped.overflow++;
      }
    }
    // Counted before the write, so appends racing this one see the budget taken.
    this.count++;
    this.bytes += size;
    try {
      await this.log.append(this.now(), body);
    } catch (err) {
      this.count--;
      this.bytes -= size;
      throw err;
    }
    return true;
  }

  take(): QueueEntry | undefined {
    const maxAgeMs = this.budget.maxAgeSeconds * 1000;
    for (;;) {
      const slot = this.next();
      if (slot === undefined) return undefined;
      if (this.now() - slot.record.at > maxAgeMs) {
        this.finish(slot);
        this.dropped.expired++;
        continue;
      }
      this.out++;
      const entry: Entry = { value: decodeValue(slot.record.body), at: slot.record.at, [SLOT]: slot };
      return entry;
    }
  }

  done(entry: QueueEntry, outcome: 'delivered' | 'failed'): void {
    const slot = (entry as Entry)[SLOT];
    if (slot === undefined || slot.done || slot.stale) return;
    this.out--;
    if (outcome === 'delivered') this.replayed++;
    else this.dropped.failed++;
    this.finish(slot);
  }

  rewind(): void {
    for (const slot of this.window) {
      if (slot.done) this.skip.add(positionKey(slot.pos));
      else slot.stale = true;
    }
    this.window = [];
    this.out = 0;
    this.readPos = this.head;
  }

  counters(): BufferCounters {
    const oldest = this.window.find((s) => !s.done)?.record.at ?? this.peekAt();
    return {
      queued: this.count,
      bytes: this.bytes,
      capacityBytes: this.budget.maxBytes,
      oldestAgeSeconds: oldest === undefined || this.count === 0 ? 0 : Math.max(0, (this.now() - oldest) / 1000),
      dropped: { ...this.dropped },
      replayed: this.replayed,
      persistent: this.log.persistent,
    };
  }

  close(): Promise<void> {
    return this.log.close();
  }

  /** The next record at the read position into the window (records skipped after a rewind pass through). */
  private next(): Slot | undefined {
    for (;;) {
      const pos = this.readPos;
      const record = this.log.read(pos);
      if (record === undefined) return undefined;
      this.readPos = record.next;
      const slot: Slot = { pos, record, done: false, stale: false };
      this.window.push(slot);
      if (this.skip.size !== 0 && this.skip.delete(positionKey(pos))) {
        // Already confirmed and counted out before the rewind: only the head has to pass it.
        slot.done = true;
        this.advanceHead();
        continue;
      }
      return slot;
    }
  }

  private peekAt(): number | undefined {
    return this.log.read(this.readPos)?.at;
  }

  /** A record leaves the queue (delivered or dropped): uncount it and move the head past confirmed records. */
  private finish(slot: Slot): void {
    slot.done = true;
    this.count--;
    this.bytes -= slot.record.size;
    this.advanceHead();
  }

  private advanceHead(): void {
    let moved = false;
    while (this.window.length !== 0 && this.window[0]!.done) {
      this.head = this.window.shift()!.record.next;
      moved = true;
    }
    if (moved) this.log.consume(this.head);
  }
}
