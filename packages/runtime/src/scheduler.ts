import { RingBuffer } from './ring-buffer.js';

/** Something the scheduler can run: a node instance with queued input. */
export interface Schedulable {
  /** Set by the scheduler while the task sits in its ready queue; read by callers to skip a second schedule. */
  scheduled: boolean;
  /** Whether the task can make progress now (has input, is not blocked, has a free concurrency slot). */
  isRunnable(): boolean;
  /** Handle up to `budget` queued messages; returns `performance.now()` at the end (the batch is timed anyway). */
  runBatch(budget: number): number;
}

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  /** Longest stretch of work in one macrotask before yielding to I/O and timers. Default 8 ms. */
  readonly sliceMs?: number;
  /** Most messages one node handles per turn before the next ready node gets its turn. Default 128. */
  readonly batchSize?: number;
  /** Called whenever a run of the loop ends (the ready queue is empty or the slice ran out). */
  readonly onRunEnd?: () => void;
}

/**
 * The message loop: a FIFO of ready nodes drained in batches inside one macrotask
 * (`setImmediate`), yielding to I/O after a bounded slice. Nodes are only ever run from here, never
 * re-entrantly from `emit` or `inject`, so the stack stays flat whatever the graph.
 *
 * @example
 * const scheduler = new Scheduler({ sliceMs: 8 });
 * scheduler.schedule(node); // runs on the next turn of the event loop
 */
export class Scheduler {
  private readonly ready = new RingBuffer<Schedulable>(Number.POSITIVE_INFINITY, 64);
  private readonly sliceMs: number;
  private readonly batchSize: number;
  private readonly onRunEnd: (() => void) | undefined;
  private pending = false;
  private running = false;

  constructor(options: SchedulerOptions = {}) {
    this.sliceMs = options.sliceMs ?? 8;
    this.batchSize = options.batchSize ?? 128;
    this.onRunEnd = options.onRunEnd;
  }

  /** Nodes waiting for their turn. */
  get readyCount(): number {
    return this.ready.length;
  }

  /** True while the loop is handling messages. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Queue a node for a turn (no-op when it is already queued). */
  schedule(task: Schedulable): void {
    if (task.scheduled) return;
    task.scheduled = true;
    this.ready.push(task);
    if (!this.running && !this.pending) {
      this.pending = true;
      setImmediate(this.run);
    }
  }

  private readonly run = (): void => {
    this.pending = false;
    this.running = true;
    const deadline = performance.now() + this.sliceMs;
    const ready = this.ready;
    const budget = this.batchSize;
    try {
      while (ready.length !== 0) {
        const task = ready.shift()!;
        task.scheduled = false;
        if (!task.isRunnable()) continue;
        const now = task.runBatch(budget);
        if (task.isRunnable() && !task.scheduled) {
          task.scheduled = true;
          ready.push(task);
        }
        if (now > deadline) break;
      }
    } finally {
      this.running = false;
      if (ready.length !== 0 && !this.pending) {
        this.pending = true;
        setImmediate(this.run);
      }
    }
    this.onRunEnd?.();
  };
}
