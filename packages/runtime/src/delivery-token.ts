import type { DeliveryOutcome } from '@plantwire/node-sdk';

const RANK: Readonly<Record<DeliveryOutcome, number>> = { delivered: 0, failed: 1, dropped: 2 };

/**
 * The bookkeeping of one tracked message (`ctx.emit(msg, port, onSettled)`): how many deliveries
 * derived from it are still queued, held, waiting in an outbox or inside an `onInput`, and the
 * worst outcome so far. Every place that holds a tracked delivery holds one count and releases it
 * exactly once; the count starts at 1 for whoever created the token (the emit, during its fan-out),
 * so a fan-out never settles half-way. Untracked messages have no token and cost nothing.
 */
export class DeliveryToken {
  private pending = 1;
  private worst: DeliveryOutcome = 'delivered';

  /** `report`: where a throw of `onSettled` goes (the emitting node's error). */
  constructor(
    private readonly onSettled: (outcome: DeliveryOutcome) => void,
    private readonly report: (err: unknown) => void,
  ) {}

  /** One more delivery holds the message. */
  retain(): void {
    this.pending++;
  }

  /** Record an outcome without holding or releasing (a branch dropped before it was taken). */
  note(outcome: DeliveryOutcome): void {
    if (RANK[outcome] > RANK[this.worst]) this.worst = outcome;
  }

  /** A holder is done with the message; the last one settles it (in a microtask, never inside the caller's stack). */
  release(outcome: DeliveryOutcome): void {
    this.note(outcome);
    if (--this.pending !== 0) return;
    queueMicrotask(() => {
      try {
        this.onSettled(this.worst);
      } catch (err) {
        this.report(err);
      }
    });
  }

  /**
   * A token that holds each of `parents` until it settles itself, handing on its outcome: for a
   * `ctx.send` from an asynchronous `onInput` while several tracked calls run at once, when the
   * runtime cannot tell which one the send belongs to.
   */
  static join(parents: readonly DeliveryToken[], report: (err: unknown) => void): DeliveryToken {
    for (const p of parents) p.retain();
    return new DeliveryToken((outcome) => {
      for (const p of parents) p.release(outcome);
    }, report);
  }
}

/** The tag beside a tracked message in an input queue or outbox (an untracked one has the bare port name). */
export interface TrackedPort {
  readonly port: string;
  readonly token: DeliveryToken;
}

/** Release the tokens of every tracked entry of a ring (input queue, outbox, held deliveries) as dropped; before it is cleared. */
export function dropTokens(ring: { readonly length: number; tagAt(index: number): unknown }): void {
  for (let i = 0; i < ring.length; i++) {
    const tag = ring.tagAt(i);
    if (tag !== null && typeof tag === 'object') (tag as Partial<TrackedPort>).token?.release('dropped');
  }
}
