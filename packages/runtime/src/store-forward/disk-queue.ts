import { MemoryLog } from './memory-log.js';
import type { FsyncPolicy, MessageQueue, QueueBudget } from './queue-types.js';
import { openSegmentLog } from './segment-log.js';
import { WindowedQueue } from './windowed-queue.js';

/** Options of {@link openDiskQueue}. */
export interface DiskQueueOptions extends QueueBudget {
  /** The queue's directory, e.g. `<dataDir>/queues/<nodeId>`. */
  readonly dir: string;
  readonly fsync: FsyncPolicy;
  readonly fsyncIntervalMs?: number;
  readonly segmentBytes?: number;
  readonly commitDelayMs?: number;
  /** Problems found in the files (torn tail, bad CRC, unreadable position): never thrown. */
  readonly warn: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * A durable, ordered, budgeted message queue in `options.dir`: an append-only segment log of
 * CRC-checked records plus an atomically written consumed position. An `append` that resolved has
 * written its record with write(2), so it survives `kill -9` of the process (the page cache
 * outlives it); what survives a power cut depends on `fsync`. Delivery is at-least-once: records
 * confirmed in the last ~100 ms before a crash may come out again.
 *
 * @example
 * const queue = openDiskQueue({ dir: 'data/queues/out', maxBytes: 100e6, maxAgeSeconds: 86400, overflow: 'drop-oldest', fsync: 'interval', warn: console.warn });
 * await queue.append({ payload: 1 });
 * const entry = queue.take(); // { value: { payload: 1 }, at }
 * if (entry) queue.done(entry, 'delivered');
 * await queue.close();
 */
export function openDiskQueue(options: DiskQueueOptions): MessageQueue {
  const log = openSegmentLog({
    dir: options.dir,
    fsync: options.fsync,
    warn: options.warn,
    ...(options.fsyncIntervalMs === undefined ? {} : { fsyncIntervalMs: options.fsyncIntervalMs }),
    ...(options.segmentBytes === undefined ? {} : { segmentBytes: options.segmentBytes }),
    ...(options.commitDelayMs === undefined ? {} : { commitDelayMs: options.commitDelayMs }),
  });
  return new WindowedQueue(log, options);
}

/** The same queue in memory (no data directory): the same budget and order, lost when the process ends. */
export function createMemoryQueue(budget: QueueBudget): MessageQueue {
  return new WindowedQueue(new MemoryLog(), budget);
}
