import { defineNode, type MessageInit, type NodeContext } from '@plantwire/node-sdk';
import * as z from 'zod';

const batchConfig = z
  .strictObject({
    mode: z.enum(['count', 'interval']).default('count').meta({
      title: 'Mode',
      description: 'count: send a batch every Count messages; interval: send what arrived every Interval milliseconds.',
      examples: ['count', 'interval'],
    }),
    count: z.int().min(1).max(1_000_000).default(10).meta({
      title: 'Count',
      description: 'Count mode: messages per batch.',
      examples: [10, 500],
    }),
    overlap: z.int().min(0).max(999_999).default(0).meta({
      title: 'Overlap',
      description: 'Count mode: how many of the last payloads of a batch are repeated at the start of the next (a sliding window). Less than Count.',
      examples: [0, 5],
    }),
    maxWaitMs: z.int().min(0).max(24 * 60 * 60 * 1000).default(0).meta({
      title: 'Max wait (ms)',
      unit: 'ms',
      description: 'Count mode: send an incomplete batch this long after its first message, so a slow trickle still gets through; 0 waits for Count.',
      examples: [0, 5000],
    }),
    intervalMs: z.int().min(1).max(24 * 60 * 60 * 1000).default(1000).meta({
      title: 'Interval (ms)',
      unit: 'ms',
      description: 'Interval mode: how often the collected payloads are sent.',
      examples: [1000, 60000],
    }),
    emitEmpty: z.boolean().default(false).meta({
      title: 'Send empty batches',
      description: 'Interval mode: also send an empty array when nothing arrived during an interval (a heartbeat).',
      examples: [true],
    }),
    maxSize: z.int().min(1).max(1_000_000).default(10000).meta({
      title: 'Max batch size',
      description: 'Interval mode: a batch that reaches this many payloads is sent at once, so a burst can never fill memory.',
      examples: [10000],
    }),
  })
  .superRefine((config, ctx) => {
    if (config.overlap >= config.count) {
      ctx.addIssue({ code: 'custom', path: ['overlap'], message: `overlap must be less than count (${config.count})` });
    }
  })
  .meta({ title: 'Batch', description: 'When a batch is complete.' });

type BatchConfig = z.output<typeof batchConfig>;

interface Item {
  readonly payload: unknown;
  readonly topic: string | undefined;
}

interface BatchState {
  items: Item[];
  /** Items that arrived since the last batch was sent (the rest is overlap). */
  fresh: number;
  cancelWait: (() => void) | undefined;
}

/** The batch message: payloads in arrival order, and the topic when every message had the same one. */
function toBatch(items: readonly Item[]): MessageInit {
  const topic = items[0]?.topic;
  const shared = topic !== undefined && items.every((i) => i.topic === topic);
  return shared ? { topic, payload: items.map((i) => i.payload) } : { payload: items.map((i) => i.payload) };
}

function takeBatch(state: BatchState, config: BatchConfig): MessageInit {
  const batch = toBatch(state.items);
  state.items = config.mode === 'count' && config.overlap > 0 ? state.items.slice(-config.overlap) : [];
  state.fresh = 0;
  state.cancelWait?.();
  state.cancelWait = undefined;
  return batch;
}

function flushOnTimer(ctx: NodeContext<BatchConfig>, state: BatchState): void {
  if (state.fresh === 0 && !(ctx.config.mode === 'interval' && ctx.config.emitEmpty)) return;
  ctx.emit(takeBatch(state, ctx.config));
}

/**
 * Batch: collect payloads into arrays by count (with optional overlap and a maximum wait) or by
 * time, for bulk writes to databases, historians and files. Memory is bounded by Count or Max
 * batch size.
 */
export const batch = defineNode({
  type: 'batch',
  version: 1,
  category: 'transform',
  icon: 'layers',
  summary: 'Collect payloads into arrays, by count or by time.',
  description: [
    'Sends a new message whose `payload` is an array of the collected payloads, in arrival order, with',
    '`topic` set when every collected message had the same topic.',
    '',
    '- **count**: every **Count** messages. With **Overlap** the last payloads of a batch also start the',
    '  next one (a sliding window); with **Max wait** an incomplete batch is sent that long after its',
    '  first message.',
    '- **interval**: every **Interval** milliseconds, what arrived in between (nothing, or an empty',
    '  array with **Send empty batches**); a batch reaching **Max batch size** is sent at once.',
    '',
    'On redeploy or shutdown, an incomplete batch is dropped and its size is logged.',
  ].join('\n'),
  inputs: { in: 'Messages whose payloads are collected.' },
  outputs: { out: 'A message with an array payload.' },
  config: batchConfig,
  setup(ctx): BatchState {
    const state: BatchState = { items: [], fresh: 0, cancelWait: undefined };
    if (ctx.config.mode === 'interval') ctx.setInterval(() => flushOnTimer(ctx, state), ctx.config.intervalMs);
    return state;
  },
  onInput(msg, ctx, state) {
    const { config } = ctx;
    state.items.push({ payload: msg.payload, topic: typeof msg.topic === 'string' ? msg.topic : undefined });
    state.fresh++;
    if (config.mode === 'interval') {
      return state.items.length >= config.maxSize ? takeBatch(state, config) : undefined;
    }
    if (state.items.length >= config.count) return takeBatch(state, config);
    if (config.maxWaitMs > 0 && state.cancelWait === undefined) {
      state.cancelWait = ctx.setTimeout(() => {
        state.cancelWait = undefined;
        flushOnTimer(ctx, state);
      }, config.maxWaitMs);
    }
    return undefined;
  },
  close(ctx, state) {
    if (state.fresh > 0) ctx.log.warn(`closed with an incomplete batch of ${state.fresh} message(s); it was dropped`, { dropped: state.fresh });
    state.items = [];
    state.fresh = 0;
  },
});
