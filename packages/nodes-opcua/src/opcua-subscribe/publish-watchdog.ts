/**
 * Notices a subscription that stopped publishing. An OPC UA server sends a data notification or,
 * when nothing changed, a keep-alive at least every `publishingInterval × maxKeepAliveCount`; a
 * subscription silent for `factor` times that while its session is up has died on the server (its
 * lifetime expired, the server dropped it) without node-opcua noticing.
 */
export class PublishWatchdog {
  private last: number;

  /**
   * @param limitMs silence after which the subscription counts as stalled
   * @param now the clock (tests inject one)
   */
  constructor(
    readonly limitMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.last = now();
  }

  /** The limit for revised subscription parameters: `factor × publishingInterval × maxKeepAliveCount`. */
  static limitFor(publishingIntervalMs: number, maxKeepAliveCount: number, factor: number): number {
    return factor * Math.max(1, publishingIntervalMs) * Math.max(1, maxKeepAliveCount);
  }

  /** A notification or keep-alive arrived. */
  activity(): void {
    this.last = this.now();
  }

  /** Milliseconds since the last activity. */
  get silentMs(): number {
    return this.now() - this.last;
  }

  /** True when the subscription has been silent longer than the limit. */
  stalled(): boolean {
    return this.silentMs > this.limitMs;
  }
}
