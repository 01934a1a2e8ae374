import { join } from 'node:path';
import { connectionRefsOf, type AnyNodeType, type NodeContext, type StoreAndForwardSettings } from '@plantwire/node-sdk';
import { createMemoryQueue, openDiskQueue } from './disk-queue.js';
import type { BufferCounters, MessageQueue } from './queue-types.js';
import { SinkBuffer } from './sink-buffer.js';

/** The state a wrapped type's instance keeps: its own type's state, and its buffer when buffering is on. */
interface WrappedState {
  readonly inner: unknown;
  readonly buffer: SinkBuffer | undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** 1 MB in the `maxMegabytes` setting (decimal, as the badge shows it). */
const MEGABYTE = 1_000_000;

/**
 * Store-and-forward for one runtime: wraps the node types that declare `storeAndForward`, keeps
 * each running instance's buffer (for metrics), and makes sure a queue directory is opened by one
 * instance at a time (a restarted node's replacement waits for the old one to close its queue).
 */
export class StoreForward {
  private readonly buffers = new Map<string, SinkBuffer>();
  /** Per queue directory: the close of the instance that last had it open. */
  private readonly closing = new Map<string, Promise<void>>();

  constructor(private readonly dataDir: string | undefined) {}

  /** The types, with those that declare `storeAndForward` wrapped; the others untouched. */
  wrapAll(types: readonly AnyNodeType[]): AnyNodeType[] {
    return types.map((t) => (typeof t.storeAndForward === 'function' ? this.wrap(t) : t));
  }

  /** The buffer counters of a running node, if it buffers. */
  counters(nodeId: string): BufferCounters | undefined {
    return this.buffers.get(nodeId)?.counters();
  }

  private wrap(def: AnyNodeType): AnyNodeType {
    const wrapped: AnyNodeType = {
      ...def,
      setup: (ctx) => this.setup(def, ctx),
      onInput: (msg, ctx, state: WrappedState, port) => (state.buffer === undefined ? def.onInput?.(msg, ctx, state.inner, port) : state.buffer.handle(msg, port)),
      close: async (ctx, state: WrappedState) => {
        if (state.buffer !== undefined) await this.release(ctx.id, state.buffer);
        await def.close?.(ctx, state.inner);
      },
    };
    if (def.onTrigger) wrapped.onTrigger = (ctx, state: WrappedState) => def.onTrigger!(ctx, state.inner);
    return Object.freeze(wrapped);
  }

  private setup(def: AnyNodeType, ctx: NodeContext<unknown>): WrappedState | Promise<WrappedState> {
    const settings = def.storeAndForward!(ctx.config);
    if (settings?.enabled !== true) {
      const inner: unknown = def.setup?.(ctx);
      return isThenable(inner) ? Promise.resolve(inner).then((s: unknown) => ({ inner: s, buffer: undefined })) : { inner, buffer: undefined };
    }
    return this.setupBuffered(def, ctx, settings);
  }

  private async setupBuffered(def: AnyNodeType, ctx: NodeContext<unknown>, settings: StoreAndForwardSettings): Promise<WrappedState> {
    const queue = await this.openQueue(ctx, settings);
    let inner: unknown;
    try {
      inner = await def.setup?.(ctx);
    } catch (err) {
      // A failed setup gets no close: release the queue here, or the directory stays locked.
      await queue.close();
      throw err;
    }
    const ids = [...new Set(connectionRefsOf(def.config, ctx.config).map((r) => r.id))];
    const buffer = new SinkBuffer({
      queue,
      settings,
      connections: ids.map((id) => ctx.connection(id)),
      deliver: (msg, port) => def.onInput!(msg, ctx, inner, port),
      ctx,
      window: def.concurrency ?? 1,
    });
    this.buffers.set(ctx.id, buffer);
    return { inner, buffer };
  }

  private async openQueue(ctx: NodeContext<unknown>, settings: StoreAndForwardSettings): Promise<MessageQueue> {
    const budget = { maxBytes: Math.round(settings.maxMegabytes * MEGABYTE), maxAgeSeconds: settings.maxAgeSeconds, overflow: settings.overflow };
    if (this.dataDir === undefined) {
      ctx.log.warn(
        `store-and-forward: the runtime has no data directory, so node "${ctx.id}" buffers in memory (up to ${settings.maxMegabytes} MB) while its connection is down; those messages are lost if the process stops or crashes`,
        { storeAndForward: 'memory' },
      );
      return createMemoryQueue(budget);
    }
    const dir = join(this.dataDir, 'queues', ctx.id);
    await this.closing.get(dir);
    return openDiskQueue({ dir, ...budget, fsync: settings.fsync, warn: (message, fields) => ctx.log.warn(message, fields) });
  }

  private release(nodeId: string, buffer: SinkBuffer): Promise<void> {
    if (this.buffers.get(nodeId) === buffer) this.buffers.delete(nodeId);
    const done = buffer.stop();
    if (this.dataDir !== undefined) {
      const dir = join(this.dataDir, 'queues', nodeId);
      const settled = done.catch(() => undefined);
      this.closing.set(dir, settled);
      void settled.then(() => {
        if (this.closing.get(dir) === settled) this.closing.delete(dir);
      });
    }
    return done;
  }
}
