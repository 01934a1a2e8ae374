import type { MessageInit } from '@plantwire/node-sdk';

/** What the buffer needs from a node context: `emit` and `onDrain` (a source's NodeContext fits). */
export interface EmitTarget {
  emit(msg: MessageInit): boolean;
  onDrain(listener: () => void): void;
}

/**
 * Backpressure for a subscription: values go out as they come while downstream accepts them; once
 * `emit` refuses one, only the LATEST value per item is kept until the runtime signals drain, and
 * every value replaced meanwhile is counted in {@link dropped}. A sensor value superseded before it
 * could be delivered is worth less than the current one, and memory stays bounded by the item count.
 */
export class LatestValueBuffer {
  private readonly pending = new Map<string, MessageInit>();
  private waiting = false;
  private closed = false;
  /** Values replaced by a newer value of the same item before they could be sent. */
  dropped = 0;

  constructor(private readonly target: EmitTarget) {}

  /** How many items hold a value not yet sent. */
  get size(): number {
    return this.pending.size;
  }

  /** Send `msg` for item `key`, or keep it as the item's latest value while downstream is full. */
  offer(key: string, msg: MessageInit): void {
    if (this.closed) return;
    if (this.waiting) {
      if (this.pending.has(key)) {
        this.dropped++;
        // Delete first so the item moves to the end: values leave in the order of their last change.
        this.pending.delete(key);
      }
      this.pending.set(key, msg);
      return;
    }
    if (!this.target.emit(msg)) this.hold(key, msg);
  }

  /** Forget pending values and stop sending (the node is closing). */
  close(): void {
    this.closed = true;
    this.pending.clear();
  }

  private hold(key: string, msg: MessageInit): void {
    this.pending.set(key, msg);
    this.waiting = true;
    this.target.onDrain(() => this.flush());
  }

  private flush(): void {
    this.waiting = false;
    for (const [key, msg] of this.pending) {
      if (this.closed) return;
      this.pending.delete(key);
      if (!this.target.emit(msg)) {
        this.hold(key, msg);
        return;
      }
    }
  }
}
