/** Why a buffered message was dropped instead of delivered. */
export type BufferDropReason = 'overflow' | 'expired' | 'failed';

/** Counters of one store-and-forward buffer (part of a node's metrics). */
export interface BufferCounters {
  /** Messages buffered and not yet confirmed delivered (those being replayed included). */
  readonly queued: number;
  /** Bytes they take (records with their headers). */
  readonly bytes: number;
  /** The budget in bytes. */
  readonly capacityBytes: number;
  /** Age of the oldest buffered message in seconds; 0 when empty. */
  readonly oldestAgeSeconds: number;
  /** Messages dropped, by reason: `overflow` (budget), `expired` (older than the age limit at replay), `failed` (the node refused it at replay for a reason other than the connection). */
  readonly dropped: Readonly<Record<BufferDropReason, number>>;
  /** Messages delivered from the buffer since the node started. */
  readonly replayed: number;
  /** False when the buffer lives in memory only (no data directory): lost on a crash. */
  readonly persistent: boolean;
}

/** How often buffered records are flushed from the page cache to the disk. */
export type FsyncPolicy = 'never' | 'interval' | 'always';

/** One buffered record handed out for delivery. */
export interface QueueEntry {
  /** The value as appended (deserialised). */
  readonly value: unknown;
  /** When it was appended (ms since the epoch). */
  readonly at: number;
}

/** The budget and policies of a queue. */
export interface QueueBudget {
  readonly maxBytes: number;
  /** Records older than this are dropped (counted `expired`) when they come up for delivery. */
  readonly maxAgeSeconds: number;
  readonly overflow: 'drop-oldest' | 'drop-newest';
  /** The clock (tests). */
  readonly now?: () => number;
}

/**
 * An ordered, budgeted queue of values with delivery confirmation: `append` at the tail; `take`
 * hands out records from the head in order (several may be out at once); `done` confirms one;
 * `rewind` puts every unconfirmed record back, in order, for the next `take`s. A record is removed
 * only when it and every record before it are confirmed.
 */
export interface MessageQueue {
  /** Add a value; resolves true once stored (on disk: written to the file), false when the overflow policy dropped it. */
  append(value: unknown): Promise<boolean>;
  /** The next record not yet handed out, or undefined; expired records on the way are dropped and counted. */
  take(): QueueEntry | undefined;
  /** Confirm a handed-out record: delivered, or given up (`failed`, counted as dropped). */
  done(entry: QueueEntry, outcome: 'delivered' | 'failed'): void;
  /** Put back every handed-out record that is not confirmed; they come out again first, in order. */
  rewind(): void;
  /** Records handed out and not yet confirmed. */
  readonly outstanding: number;
  /** Records buffered and not confirmed (outstanding ones included). */
  readonly size: number;
  counters(): BufferCounters;
  /** Write what is pending (position, fsync) and release the files. */
  close(): Promise<void>;
}
