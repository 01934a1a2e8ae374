/**
 * Notices a server that stopped answering while the TCP connection stays open (a hung server, a
 * black-holed route): node-opcua itself only notices when a request times out, at least 5 s
 * (`ClientSecureChannelLayer.minTransactionTimeout`) after the session keep-alive's next read, and
 * a subscription's publish requests wait far longer. The client's keep-alive (`keepSessionAlive`
 * with a `keepAliveInterval` below the timeout) makes sure a healthy server has something to
 * answer; this counts the silence since its last answer of any kind (`session.lastResponseReceivedTime`,
 * which node-opcua moves on every response, publish responses included, and never on a timeout).
 */
export class ServerSilence {
  private readonly since: number;

  /**
   * @param timeoutMs silence after which the server counts as gone
   * @param lastAnswer when the server last answered (ms since the epoch)
   * @param now the clock (tests inject one)
   */
  constructor(
    readonly timeoutMs: number,
    private readonly lastAnswer: () => number,
    private readonly now: () => number = Date.now,
  ) {
    // node-opcua starts `lastResponseReceivedTime` in 1901: count from the start of the watch.
    this.since = now();
  }

  /** Milliseconds since the server last answered (or since the watch began). */
  get silentMs(): number {
    return this.now() - Math.max(this.since, this.lastAnswer());
  }

  /** True when the server has been silent longer than the timeout. */
  silent(): boolean {
    return this.silentMs > this.timeoutMs;
  }

  /** How often to check: a tenth of the timeout, within 50–500 ms, so a silence is noticed within 10 % (at most 0.5 s) of the timeout. */
  static checkPeriodFor(timeoutMs: number): number {
    return Math.min(500, Math.max(50, Math.floor(timeoutMs / 10)));
  }

  /**
   * The session keep-alive interval for a response timeout: a third of it, so a healthy but idle
   * server is asked (and answers) about twice before the timeout, and below two thirds of the session
   * timeout (node-opcua's own rule), so the server never closes an idle session.
   */
  static keepAliveIntervalFor(responseTimeoutMs: number, sessionTimeoutMs: number): number {
    return Math.max(100, Math.floor(Math.min(responseTimeoutMs / 3, (sessionTimeoutMs * 2) / 3)));
  }
}

/** "2 s", "2.5 s": the silence in the unit the setting is documented with in the reason. */
export function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
