import type { NodeCountersSample } from '@plantwire/protocol';

/**
 * What a node's badge says about its load, from its sampled counters: how full its input queue is
 * (pressure that will reach the source) and how many messages it dropped. Undefined when there is
 * nothing to say, so an idle flow stays quiet.
 */
export interface NodeLoad {
  readonly text: string;
  /** `warn` while the queue is at least three quarters full or something was dropped. */
  readonly level: 'info' | 'warn';
}

export function nodeLoadOf(counters: NodeCountersSample | undefined): NodeLoad | undefined {
  if (!counters) return undefined;
  const parts: string[] = [];
  let warn = false;
  if (counters.queueDepth > 0) {
    parts.push(`queue ${counters.queueDepth}/${counters.queueCapacity}`);
    if (counters.queueDepth * 4 >= counters.queueCapacity * 3) warn = true;
  }
  if (counters.dropped > 0) {
    parts.push(`${counters.dropped.toLocaleString('en')} dropped`);
    warn = true;
  }
  return parts.length === 0 ? undefined : { text: parts.join(' · '), level: warn ? 'warn' : 'info' };
}
