import { NodeError, type ConnectionHandle, type Message, type MessageInit, type NodeContext, type NodeResult, type NodeStatus, type StoreAndForwardSettings } from '@plantwire/node-sdk';
import type { BufferCounters, MessageQueue, QueueEntry } from './queue-types.js';
import { isoTime } from '../iso-time.js';

/** What is stored per buffered message: the message and the input port it came in on. */
interface Stored {
  readonly m: Message;
  readonly p: string;
}

/** Everything a {@link SinkBuffer} is built from. */
export interface SinkBufferInit {
  readonly queue: MessageQueue;
  readonly settings: StoreAndForwardSettings;
  /** The node's connections: "up" means all of them are connected. */
  readonly connections: readonly ConnectionHandle[];
  /** The wrapped type's own `onInput`, bound to the instance's context and state. */
  readonly deliver: (msg: Message, port: string) => NodeResult | Promise<NodeResult>;
  readonly ctx: NodeContext<unknown>;
  /** How many replayed messages may be in flight at once (the type's concurrency). */
  readonly window: number;
}

/** After a replay failed for the connection while the handle still says connected: wait this long before trying again. */
const RETRY_AFTER_MS = 1000;
/**
 * A buffered message that was being sent, alone, when the connection dropped this many times in a
 * row is taken for the cause (a payload the peer answers by closing the link) and dropped, so it
 * cannot block the backlog forever.
 */
export const POISON_STRIKES = 5;
/** The badge is refreshed at most this often while counts change. */
const BADGE_INTERVAL_MS = 250;
/** How long closing waits for replayed messages still in flight (they are redelivered later otherwise). */
const CLOSE_WAIT_MS = 1000;

/** A failure that means "the connection is not there", as opposed to the message being refused. */
export function isConnectionError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'NOT_CONNECTED';
}

function isThenable(value: unknown): value is Promise<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as Promise<unknown>).then === 'function';
}

/**
 * "1,234,567". Not Intl.NumberFormat: building one at load time pulls ICU's number-formatting
 * data into every process (~8 MB of RSS for an idle `plantwire run`, measured).
 */
export function groupThousands(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Bytes for a badge, in decimal units: "812 B", "40.2 kB", "2.1 MB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

/**
 * The store-and-forward side of one sink instance. Live messages go straight to the node while its
 * connections are up; while they are down, or when the node fails with NOT_CONNECTED, a message is
 * appended to the queue and `handle` resolves once it is written (the "accepted" point). While the
 * backlog is not empty and the connections are up, it is replayed in order through the node's own
 * `onInput`, at most `replayRatePerSecond`, beside live messages (the two interleave).
 */
export class SinkBuffer {
  private readonly queue: MessageQueue;
  private readonly settings: StoreAndForwardSettings;
  private readonly connections: readonly ConnectionHandle[];
  private readonly deliver: SinkBufferInit['deliver'];
  private readonly ctx: NodeContext<unknown>;
  private readonly window: number;
  private readonly offs: Array<() => void> = [];
  private stopped = false;
  private pumping = false;
  private inFlight = 0;
  /** A replay failed for the connection: the window is put back once nothing is in flight. */
  private needsRewind = false;
  /**
   * After a replay failed for the connection, one message at a time until one gets through: a
   * message the peer drops the link over is then known for sure (see POISON_STRIKES).
   */
  private probing = false;
  private strikes = 0;
  private struck = '';
  private retryAt = 0;
  private tokens = 1;
  private refilledAt = performance.now();
  private readonly burst: number;
  private wake: (() => void) | undefined;
  private settledWaiter: (() => void) | undefined;
  private badgeTimer: ReturnType<typeof setTimeout> | undefined;
  private badgeShownAt = 0;
  private badgeQueued = false;
  private showingBadge = false;

  constructor(init: SinkBufferInit) {
    this.queue = init.queue;
    this.settings = init.settings;
    this.connections = init.connections;
    this.deliver = init.deliver;
    this.ctx = init.ctx;
    this.window = Math.max(1, init.window);
    // About 50 ms worth of tokens: timers are too coarse to pace one message at a time at high rates.
    this.burst = Math.max(1, Math.ceil(this.settings.replayRatePerSecond / 20));
    for (const handle of this.connections) {
      this.offs.push(
        handle.onConnected(() => {
          this.retryAt = 0;
          this.refreshBadge(true);
          this.kick();
        }),
        // The runtime shows every state change (a retry's "connecting", then its reason) on the
        // badge; with a backlog, ours goes back on top right after.
        handle.onStateChange((state) => {
          if (state !== 'connected' && (this.queue.size !== 0 || this.showingBadge)) this.showBadge();
        }),
      );
    }
    if (this.queue.size !== 0) this.refreshBadge(true);
  }

  get connected(): boolean {
    for (const handle of this.connections) if (handle.state !== 'connected') return false;
    return true;
  }

  counters(): BufferCounters {
    return this.queue.counters();
  }

  /** The wrapped `onInput`: deliver now, or buffer when the connection is down or the delivery found it down. */
  handle(msg: Message, port: string): NodeResult | Promise<NodeResult> {
    if (!this.connected) return this.store(msg, port);
    let result: NodeResult | Promise<NodeResult>;
    try {
      result = this.deliver(msg, port);
    } catch (err) {
      if (isConnectionError(err)) return this.store(msg, port);
      throw err;
    }
    if (!isThenable(result)) return result;
    return result.then(undefined, (err: unknown) => {
      // A publish cut mid-flight: buffered like one that never left.
      if (isConnectionError(err)) return this.store(msg, port);
      throw err;
    });
  }

  /** Stop replaying, wait (bounded) for replays in flight, put back what is unconfirmed, close the queue. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const off of this.offs) off();
    if (this.badgeTimer !== undefined) clearTimeout(this.badgeTimer);
    this.wake?.();
    if (this.inFlight !== 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_WAIT_MS);
        this.settledWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.queue.rewind();
    await this.queue.close();
  }

  private async store(msg: Message, port: string): Promise<undefined> {
    let stored: boolean;
    try {
      stored = await this.queue.append({ m: msg, p: port } satisfies Stored);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new NodeError('ENCODE_FAILED', `store-and-forward: buffering message ${msg._msgid} of node "${this.ctx.id}" failed: ${why}`, { cause: err });
    }
    if (!stored) this.ctx.log.debug(`store-and-forward: buffer full (${this.settings.overflow}); message ${msg._msgid} dropped`, { msgId: msg._msgid, code: 'QUEUE_FULL' });
    this.refreshBadge(false);
    if (this.connected) this.kick();
    return undefined;
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.wake?.();
      return;
    }
    if (this.queue.size === 0 || this.needsRewind || !this.connected) return;
    this.pumping = true;
    void this.pump();
  }

  /** Replay the backlog in order while the connection is up, paced by a token bucket, a window of messages in flight. */
  private async pump(): Promise<void> {
    try {
      while (!this.stopped && !this.needsRewind && this.connected) {
        const now = performance.now();
        if (now < this.retryAt) {
          await this.sleep(this.retryAt - now);
          continue;
        }
        if (this.inFlight >= (this.probing ? 1 : this.window)) {
          await this.sleep(undefined);
          continue;
        }
        const wait = this.takeToken(now);
        if (wait > 0) {
          await this.sleep(wait);
          continue;
        }
        const entry = this.queue.take();
        if (entry === undefined) {
          this.tokens += 1;
          if (this.inFlight === 0) return;
          await this.sleep(undefined);
          continue;
        }
        this.launch(entry);
      }
    } finally {
      // Runs as the loop ends (not a microtask later), so a kick right after it starts a new pump.
      this.pumping = false;
      this.refreshBadge(false);
    }
  }

  private takeToken(now: number): number {
    const rate = this.settings.replayRatePerSecond;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * rate) / 1000);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / rate));
  }

  private sleep(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      const self = this;
      function done(): void {
        if (timer !== undefined) clearTimeout(timer);
        if (self.wake === done) self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }

  private launch(entry: QueueEntry): void {
    const stored = entry.value as Stored;
    const msg: Message = this.settings.markHistorical ? { ...stored.m, historical: true, bufferedAt: isoTime(entry.at) } : stored.m;
    this.inFlight++;
    let result: NodeResult | Promise<NodeResult>;
    try {
      result = this.deliver(msg, stored.p);
    } catch (err) {
      this.settled(entry, msg, err, true, undefined);
      return;
    }
    if (isThenable(result)) {
      result.then(
        (value) => this.settled(entry, msg, undefined, false, value),
        (err: unknown) => this.settled(entry, msg, err, true, undefined),
      );
    } else this.settled(entry, msg, undefined, false, result);
  }

  private settled(entry: QueueEntry, msg: Message, err: unknown, failed: boolean, result: NodeResult): void {
    this.inFlight--;
    if (!failed) {
      this.queue.done(entry, 'delivered');
      this.probing = false;
      this.strikes = 0;
      this.forward(result);
    } else if (isConnectionError(err) && !this.isPoison(entry, msg)) {
      // Not lost: it goes back to the head, with whatever else is unconfirmed, once nothing is in flight.
      this.needsRewind = true;
      this.probing = true;
    } else if (isConnectionError(err)) {
      this.queue.done(entry, 'failed');
      this.strikes = 0;
      const why = err instanceof Error ? err.message : String(err);
      if (!this.stopped) {
        this.ctx.error(
          new NodeError('NOT_CONNECTED', `store-and-forward: the connection of node "${this.ctx.id}" dropped ${POISON_STRIKES} times in a row while buffered message ${msg._msgid} was being sent alone; it was dropped as the likely cause (last: ${why})`, { cause: err }),
          msg,
        );
      }
    } else {
      // Refused for what it is (invalid, not authorised): retrying cannot help, and must not block the rest.
      this.queue.done(entry, 'failed');
      if (!this.stopped) this.ctx.error(err, msg);
    }
    if (this.inFlight === 0) {
      if (this.needsRewind && !this.stopped) {
        this.queue.rewind();
        this.needsRewind = false;
        this.retryAt = performance.now() + RETRY_AFTER_MS;
      }
      this.settledWaiter?.();
    }
    this.refreshBadge(false);
    if (this.pumping) this.wake?.();
    else this.kick();
  }

  /** Count a connection failure of a message sent alone (probing); true once it reached POISON_STRIKES in a row. */
  private isPoison(entry: QueueEntry, msg: Message): boolean {
    if (!this.probing || this.inFlight !== 0) return false;
    const key = `${msg._msgid}@${entry.at}`;
    if (key !== this.struck) {
      this.struck = key;
      this.strikes = 0;
    }
    return ++this.strikes >= POISON_STRIKES;
  }

  /** A sink's `onInput` returns nothing; should a replayed call return messages, they are sent on as its live calls' would be. */
  private forward(result: NodeResult): void {
    if (result == null || this.stopped) return;
    const list = (Array.isArray(result) ? result : [result]) as readonly MessageInit[];
    for (const m of list) if (m != null) this.ctx.send(m);
  }

  /**
   * The badge shows the backlog: "buffering N (x MB)" (red) while down, "replaying N (x MB)"
   * (yellow) while it drains, and the connection's own once empty. Forced after a connect (the
   * connection's badge, set for the same event, would hide it otherwise); else at most every 250 ms.
   */
  private refreshBadge(force: boolean): void {
    if (this.stopped) return;
    if (force) {
      if (!this.badgeQueued) {
        this.badgeQueued = true;
        // After the runtime set the connection's badge for the same event.
        queueMicrotask(() => {
          this.badgeQueued = false;
          this.showBadge();
        });
      }
      return;
    }
    if (this.badgeTimer !== undefined || this.badgeQueued) return;
    const wait = this.badgeShownAt + BADGE_INTERVAL_MS - performance.now();
    if (wait <= 0) this.showBadge();
    else
      this.badgeTimer = setTimeout(() => {
        this.badgeTimer = undefined;
        this.showBadge();
      }, wait);
  }

  private showBadge(): void {
    if (this.stopped) return;
    this.badgeShownAt = performance.now();
    const { queued, bytes } = this.queue.counters();
    const connected = this.connected;
    let status: NodeStatus | undefined;
    if (queued !== 0) {
      const size = `${groupThousands(queued)} (${formatBytes(bytes)})`;
      status = connected ? { fill: 'yellow', shape: 'dot', text: `replaying ${size}` } : { fill: 'red', shape: 'ring', text: `buffering ${size}` };
    } else if (this.showingBadge) {
      // Emptied (delivered, or dropped while down): back to the connection's own badge.
      const down = this.connections.find((h) => h.state !== 'connected');
      status = down === undefined ? { fill: 'green', shape: 'dot', text: 'connected' } : { fill: 'red', shape: 'ring', text: down.reason ?? down.state };
    }
    if (status === undefined) return;
    this.showingBadge = queued !== 0;
    this.ctx.status(status);
  }
}
