import type { DebugSkippedEvent } from '@plantwire/protocol';

/**
 * One client's budget for debug messages: a token bucket of `ratePerSecond` with a burst of the
 * same size. Messages that find no token are counted per node (never kept), and reported as one
 * `debug:skipped` before that node's next forwarded message, or by {@link DebugGate.flush}.
 */
export interface DebugGate {
  /** True when the message may be sent; else it is counted as skipped. */
  admit(nodeId: string, timestamp: number, now?: number): boolean;
  /** Count a message as skipped for another reason (a slow client's full buffer). */
  skip(nodeId: string, timestamp: number): void;
  /** The pending skipped report of one node, removed from the gate. */
  takeSkipped(nodeId: string): DebugSkippedEvent | undefined;
  /** Every pending skipped report, removed from the gate. */
  flush(): DebugSkippedEvent[];
}

export function createDebugGate(ratePerSecond: number, now: () => number = () => performance.now()): DebugGate {
  let tokens = ratePerSecond;
  let refilledAt = now();
  // One entry per node that skipped since the last report: bounded by the flow's node count.
  const skipped = new Map<string, { count: number; from: number; to: number }>();

  const skip = (nodeId: string, timestamp: number) => {
    const s = skipped.get(nodeId);
    if (s) {
      s.count++;
      s.to = timestamp;
    } else skipped.set(nodeId, { count: 1, from: timestamp, to: timestamp });
  };

  return {
    admit(nodeId, timestamp, t = now()) {
      tokens = Math.min(ratePerSecond, tokens + ((t - refilledAt) / 1000) * ratePerSecond);
      refilledAt = t;
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      skip(nodeId, timestamp);
      return false;
    },
    skip,
    takeSkipped(nodeId) {
      const s = skipped.get(nodeId);
      if (!s) return undefined;
      skipped.delete(nodeId);
      return { nodeId, ...s };
    },
    flush() {
      const all = [...skipped].map(([nodeId, s]) => ({ nodeId, ...s }));
      skipped.clear();
      return all;
    },
  };
}
