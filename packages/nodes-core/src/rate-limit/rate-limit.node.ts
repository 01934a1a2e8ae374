import { defineNode, type Message, type NodeContext, type NodeStatus } from '@plantwire/node-sdk';
import * as z from 'zod';
import { throttledStatus } from './throttled-status.js';

const rateLimitConfig = z
  .strictObject({
    limit: z.int().min(1).max(1_000_000).default(1).meta({
      title: 'Messages per interval',
      description: 'At most this many messages leave within any window of Interval milliseconds.',
      examples: [1, 10, 100],
    }),
    intervalMs: z.int().min(1).max(24 * 60 * 60 * 1000).default(1000).meta({
      title: 'Interval (ms)',
      unit: 'ms',
      description: 'Length of the sliding window, in milliseconds.',
      examples: [1000, 60000],
    }),
    mode: z.enum(['queue', 'drop', 'latest-per-topic']).default('queue').meta({
      title: 'Excess messages',
      description:
        'queue: excess messages wait and leave, in order, as soon as the limit allows; drop: excess messages are dropped and counted; latest-per-topic: only the newest waiting message of each topic is kept (older ones are dropped and counted), and topics leave in the order they first waited.',
      examples: ['queue', 'latest-per-topic'],
    }),
    perTopic: z.boolean().default(false).meta({
      title: 'Limit each topic separately',
      description: 'Give every `msg.topic` its own limit, instead of one limit shared by all messages.',
      examples: [true],
    }),
    maxQueue: z.int().min(1).max(1_000_000).default(1000).meta({
      title: 'Max waiting',
      description: 'How many messages may wait (queue and latest-per-topic modes). Beyond it new messages are dropped and counted.',
      examples: [1000],
    }),
    maxTopics: z.int().min(1).max(1_000_000).default(10000).meta({
      title: 'Max topics',
      description: 'With "limit each topic separately": how many topics are tracked. The least recently seen idle topic is forgotten first.',
      examples: [10000],
    }),
  })
  .meta({ title: 'Rate limit', description: 'How many messages may pass per interval, and what happens to the rest.' });

type RateLimitConfig = z.output<typeof rateLimitConfig>;

/** One budget: all messages, or one topic's when `perTopic`. */
interface Lane {
  /** Send times within the window, oldest first; never longer than `limit`. */
  sends: number[];
  /** Waiting messages (queue mode). */
  queue: Message[];
  /** Waiting messages by topic (latest-per-topic mode); Map order is the order topics first waited. */
  latest: Map<string, Message>;
  cancelTimer: (() => void) | undefined;
}

interface RateLimitState {
  lanes: Map<string, Lane>;
  waiting: number;
  dropped: number;
  /** Downstream refused a message: waiting messages stay here (bounded by maxQueue) until it drains. */
  paused: boolean;
  setStatus: (status: NodeStatus | null) => void;
}

const topicOf = (msg: Message): string => (typeof msg.topic === 'string' ? msg.topic : '');

function laneWaiting(lane: Lane): number {
  return lane.queue.length + lane.latest.size;
}

function laneFor(key: string, state: RateLimitState, config: RateLimitConfig): Lane {
  let lane = state.lanes.get(key);
  if (lane) {
    // Re-insert so the Map's order is least recently used first.
    state.lanes.delete(key);
    state.lanes.set(key, lane);
    return lane;
  }
  lane = { sends: [], queue: [], latest: new Map(), cancelTimer: undefined };
  state.lanes.set(key, lane);
  if (state.lanes.size > config.maxTopics) {
    // Forget the least recently used lane with nothing waiting; a waiting lane is kept (its
    // messages are bounded by maxQueue). Forgetting a lane lets that topic send again at once.
    for (const [oldKey, old] of state.lanes) {
      if (oldKey !== key && laneWaiting(old) === 0) {
        old.cancelTimer?.();
        state.lanes.delete(oldKey);
        break;
      }
    }
  }
  return lane;
}

/** Whether the lane may send at `now`, forgetting sends that left the window. */
function hasBudget(lane: Lane, now: number, config: RateLimitConfig): boolean {
  while (lane.sends.length > 0 && lane.sends[0]! <= now - config.intervalMs) lane.sends.shift();
  return lane.sends.length < config.limit;
}

function takeWaiting(lane: Lane): Message | undefined {
  if (lane.queue.length > 0) return lane.queue.shift();
  const first = lane.latest.entries().next();
  if (first.done) return undefined;
  lane.latest.delete(first.value[0]);
  return first.value[1];
}

function report(state: RateLimitState): void {
  if (state.waiting === 0 && state.dropped === 0) {
    state.setStatus(null);
    return;
  }
  const text = [state.waiting > 0 ? `${state.waiting} waiting` : '', state.dropped > 0 ? `${state.dropped} dropped` : '']
    .filter(Boolean)
    .join(', ');
  state.setStatus({ fill: state.dropped > 0 ? 'yellow' : 'blue', shape: 'ring', text });
}

function release(lane: Lane, ctx: NodeContext<RateLimitConfig>, state: RateLimitState): void {
  lane.cancelTimer = undefined;
  const now = Date.now();
  while (!state.paused && laneWaiting(lane) > 0 && hasBudget(lane, now, ctx.config)) {
    const msg = takeWaiting(lane)!;
    state.waiting--;
    lane.sends.push(now);
    if (!ctx.emit(msg)) pause(ctx, state);
  }
  schedule(lane, ctx, state);
  report(state);
}

/** The runtime counted the refused message as dropped; hold the rest until downstream has room. */
function pause(ctx: NodeContext<RateLimitConfig>, state: RateLimitState): void {
  state.paused = true;
  ctx.onDrain(() => {
    state.paused = false;
    for (const lane of state.lanes.values()) if (lane.cancelTimer === undefined) release(lane, ctx, state);
  });
}

function schedule(lane: Lane, ctx: NodeContext<RateLimitConfig>, state: RateLimitState): void {
  if (state.paused || lane.cancelTimer !== undefined || laneWaiting(lane) === 0) return;
  // The lane is out of budget (else it would have sent): the oldest send leaving the window frees one.
  const wait = Math.max(0, lane.sends[0]! + ctx.config.intervalMs - Date.now());
  lane.cancelTimer = ctx.setTimeout(() => release(lane, ctx, state), wait);
}

/**
 * Rate limit: at most N messages per sliding window, overall or per topic; excess messages are
 * queued (bounded), dropped, or collapsed to the latest per topic. Every dropped message is
 * counted on the status badge.
 */
export const rateLimit = defineNode({
  type: 'rate-limit',
  version: 1,
  category: 'flow',
  icon: 'gauge',
  summary: 'Let at most N messages through per interval; queue, drop or keep the latest of the rest.',
  description: [
    'Within any window of **Interval** milliseconds at most **Messages per interval** messages leave.',
    'Messages within the limit leave at once; what happens to the rest depends on **Excess messages**:',
    '',
    '- **queue**: they wait, in order, and leave as soon as the limit allows (at most **Max waiting**).',
    '- **drop**: they are dropped.',
    '- **latest-per-topic**: only the newest waiting message of each `msg.topic` is kept, the usual',
    '  choice for sensor values where only the current value matters.',
    '',
    'With **Limit each topic separately** every topic has its own limit. Dropped messages are counted',
    'on the status badge. On redeploy or shutdown, waiting messages are dropped and their number is logged.',
  ].join('\n'),
  inputs: { in: 'Messages to limit.' },
  outputs: { out: 'The messages within the limit, unchanged, in order (per topic with latest-per-topic).' },
  config: rateLimitConfig,
  setup(ctx): RateLimitState {
    return { lanes: new Map(), waiting: 0, dropped: 0, paused: false, setStatus: throttledStatus(ctx) };
  },
  onInput(msg, ctx, state) {
    const { config } = ctx;
    const lane = laneFor(config.perTopic ? topicOf(msg) : '', state, config);
    const now = Date.now();
    if (!state.paused && laneWaiting(lane) === 0 && hasBudget(lane, now, config)) {
      lane.sends.push(now);
      return msg;
    }
    if (config.mode === 'latest-per-topic' && lane.latest.has(topicOf(msg))) {
      // Replacing keeps the topic's place in line: the newest value leaves when its turn comes.
      lane.latest.set(topicOf(msg), msg);
      state.dropped++;
    } else if (config.mode === 'drop' || state.waiting >= config.maxQueue) {
      state.dropped++;
    } else {
      if (config.mode === 'queue') lane.queue.push(msg);
      else lane.latest.set(topicOf(msg), msg);
      state.waiting++;
      schedule(lane, ctx, state);
    }
    report(state);
  },
  close(ctx, state) {
    for (const lane of state.lanes.values()) lane.cancelTimer?.();
    if (state.waiting > 0) {
      ctx.log.warn(`closed with ${state.waiting} message(s) waiting; they were dropped`, { dropped: state.waiting });
    }
    state.lanes.clear();
    state.waiting = 0;
  },
});
