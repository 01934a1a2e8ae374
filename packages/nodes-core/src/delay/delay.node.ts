import { defineNode, NodeError, type Message, type NodeContext, type NodeStatus } from '@plantwire/node-sdk';
import * as z from 'zod';
import { throttledStatus } from '../rate-limit/throttled-status.js';

const MAX_DELAY_MS = 7 * 24 * 60 * 60 * 1000;

const delayConfig = z
  .strictObject({
    delayMs: z.int().min(0).max(MAX_DELAY_MS).default(1000).meta({
      title: 'Delay (ms)',
      unit: 'ms',
      description: 'How long each message is held before it is sent on, in milliseconds.',
      examples: [1000, 250, 60000],
    }),
    allowMessageDelay: z.boolean().default(false).meta({
      title: 'Allow msg.delay',
      description:
        'When a message carries `msg.delay` (milliseconds, a number ≥ 0), use it instead of Delay for that message. A message with an invalid `msg.delay` raises INPUT_INVALID.',
      examples: [true],
    }),
    maxPending: z.int().min(1).max(1_000_000).default(1000).meta({
      title: 'Max pending',
      description:
        'How many messages may wait at once. Beyond it new messages are dropped, counted and shown on the status badge, so a burst can never fill memory.',
      examples: [1000, 100],
    }),
  })
  .meta({ title: 'Delay', description: 'How long to hold messages, and how many may wait.' });

type DelayConfig = z.output<typeof delayConfig>;

interface Pending {
  readonly msg: Message;
  readonly dueAt: number;
}

interface DelayState {
  /** FIFO: `queue[head]` is the next message out; dueAt never decreases along it. */
  queue: Pending[];
  head: number;
  /** When the last queued message is due: a later message never leaves before it. */
  lastDueAt: number;
  cancelTimer: (() => void) | undefined;
  /** Downstream refused a message: keep the rest here (bounded by maxPending) until it drains. */
  paused: boolean;
  dropped: number;
  setStatus: (status: NodeStatus | null) => void;
}

const pendingCount = (state: DelayState) => state.queue.length - state.head;

function takeHead(state: DelayState): Pending | undefined {
  const item = state.queue[state.head];
  if (item === undefined) return undefined;
  state.head++;
  // Compact now and then instead of shift() per message, which is O(n) on a long queue.
  if (state.head > 1024 && state.head * 2 > state.queue.length) {
    state.queue = state.queue.slice(state.head);
    state.head = 0;
  }
  return item;
}

function clearQueue(state: DelayState): number {
  const count = pendingCount(state);
  state.queue = [];
  state.head = 0;
  state.lastDueAt = 0;
  state.cancelTimer?.();
  state.cancelTimer = undefined;
  return count;
}

function release(ctx: NodeContext<DelayConfig>, state: DelayState): void {
  state.cancelTimer = undefined;
  const now = Date.now();
  for (let next = state.queue[state.head]; next !== undefined && next.dueAt <= now; next = state.queue[state.head]) {
    takeHead(state);
    if (!ctx.emit(next.msg)) {
      // The runtime counted that one as dropped; hold the rest until downstream has room again.
      state.paused = true;
      ctx.onDrain(() => {
        state.paused = false;
        release(ctx, state);
      });
      return;
    }
  }
  schedule(ctx, state);
}

function schedule(ctx: NodeContext<DelayConfig>, state: DelayState): void {
  const next = state.queue[state.head];
  if (next === undefined || state.cancelTimer !== undefined || state.paused) return;
  state.cancelTimer = ctx.setTimeout(() => release(ctx, state), Math.max(0, next.dueAt - Date.now()));
}

function delayOf(msg: Message, config: DelayConfig): number {
  if (!config.allowMessageDelay || msg['delay'] === undefined) return config.delayMs;
  const value = msg['delay'];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_DELAY_MS) {
    throw new NodeError('INPUT_INVALID', `msg.delay must be a number of milliseconds between 0 and ${MAX_DELAY_MS}`, {
      details: { property: 'delay', value },
    });
  }
  return value;
}

/**
 * Delay: hold every message for a fixed time (or its own `msg.delay`), in order, with a bounded
 * queue. Like Node-RED's delay node in "delay each message" mode, `msg.reset` drops everything
 * waiting and `msg.flush` sends everything waiting at once.
 */
export const delay = defineNode({
  type: 'delay',
  version: 1,
  category: 'flow',
  icon: 'clock',
  summary: 'Hold each message for a time, then send it on, in order.',
  description: [
    'Each message is sent on after **Delay** milliseconds (or its own `msg.delay`, when allowed).',
    'Messages always leave in the order they arrived: a message with a shorter `msg.delay` waits',
    'behind an earlier one with a longer delay.',
    '',
    'At most **Max pending** messages wait; beyond that new messages are dropped and counted on the',
    'status badge. A message with `msg.reset` set drops every waiting message; one with `msg.flush`',
    'set sends every waiting message now. Neither control message is sent on.',
    '',
    'On redeploy or shutdown, waiting messages are dropped and their number is logged.',
  ].join('\n'),
  inputs: { in: 'Messages to delay; `msg.delay` (ms) when allowed, `msg.reset`, `msg.flush`.' },
  outputs: { out: 'Each message, unchanged, after its delay.' },
  config: delayConfig,
  setup(ctx): DelayState {
    return {
      queue: [],
      head: 0,
      lastDueAt: 0,
      cancelTimer: undefined,
      paused: false,
      dropped: 0,
      setStatus: throttledStatus(ctx),
    };
  },
  onInput(msg, ctx, state) {
    if (msg['reset'] !== undefined) {
      const count = clearQueue(state);
      if (count > 0) ctx.log.info(`msg.reset dropped ${count} waiting message(s)`, { dropped: count });
      return;
    }
    if (msg['flush'] !== undefined) {
      const items: Message[] = [];
      for (let item = takeHead(state); item !== undefined; item = takeHead(state)) items.push(item.msg);
      clearQueue(state);
      return items;
    }
    const wait = delayOf(msg, ctx.config);
    if (wait === 0 && pendingCount(state) === 0) return msg;
    if (pendingCount(state) >= ctx.config.maxPending) {
      state.dropped++;
      state.setStatus({
        fill: 'yellow',
        shape: 'ring',
        text: `queue full (${ctx.config.maxPending}): ${state.dropped} dropped`,
      });
      return;
    }
    const dueAt = Math.max(Date.now() + wait, state.lastDueAt);
    state.lastDueAt = dueAt;
    state.queue.push({ msg, dueAt });
    schedule(ctx, state);
  },
  close(ctx, state) {
    const count = clearQueue(state);
    if (count > 0) ctx.log.warn(`closed with ${count} message(s) still delayed; they were dropped`, { dropped: count });
  },
});
