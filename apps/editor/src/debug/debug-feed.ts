/**
 * Connects a socket to a {@link DebugLog} and tells the page about changes at most once per frame.
 *
 * Socket handlers do O(1) work each (a ring write, a few counters); rendering happens when the
 * scheduled frame runs, however many events arrived in between, and at most every
 * {@link DEFAULT_MIN_RENDER_INTERVAL_MS}. One feed per socket is shared by
 * the sidebar and every canvas "last message", and listens only while someone retains it.
 */
import type { DebugMessageEvent, DebugSkippedEvent, MetricsSampledEvent, NodeErrorEvent } from '@plantwire/protocol';
import { createDebugLog, type DebugLog } from './debug-log.js';

/** The part of a socket.io client the feed uses (a `LiveSocket` fits; tests pass a small fake). */
export interface DebugEventSource {
  on(event: 'debug:message', listener: (event: DebugMessageEvent) => void): unknown;
  on(event: 'debug:skipped', listener: (event: DebugSkippedEvent) => void): unknown;
  on(event: 'node:error-raised', listener: (event: NodeErrorEvent) => void): unknown;
  on(event: 'metrics:sampled', listener: (event: MetricsSampledEvent) => void): unknown;
  off(event: 'debug:message', listener: (event: DebugMessageEvent) => void): unknown;
  off(event: 'debug:skipped', listener: (event: DebugSkippedEvent) => void): unknown;
  off(event: 'node:error-raised', listener: (event: NodeErrorEvent) => void): unknown;
  off(event: 'metrics:sampled', listener: (event: MetricsSampledEvent) => void): unknown;
}

/** Runs a callback before the next paint; `requestAnimationFrame` in a page. */
export type FrameScheduler = (callback: () => void) => void;

/**
 * Least time between two renders of the log. Nobody reads rows changing 60 times a second; ten
 * updates a second look live and leave most frames of a flood free for everything else.
 */
export const DEFAULT_MIN_RENDER_INTERVAL_MS = 100;

export interface DebugFeed {
  readonly log: DebugLog;
  /** Bumped once per frame in which the log changed: the snapshot for `useSyncExternalStore`. */
  readonly version: number;
  subscribe(listener: () => void): () => void;
  /** Starts listening to the socket if nobody was; the returned function releases it. */
  retain(): () => void;
  /**
   * Call after changing the log directly. Events wait for the next frame; a user's click
   * (pause, clear) passes `now` so the button answers at once.
   */
  changed(options?: { readonly now?: boolean }): void;
}

const defaultScheduler: FrameScheduler = (callback) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => callback());
  else setTimeout(callback, 16);
};

export function createDebugFeed(
  source: DebugEventSource,
  options: { readonly capacity?: number; readonly schedule?: FrameScheduler; readonly minIntervalMs?: number; readonly now?: () => number } = {},
): DebugFeed {
  const log = createDebugLog({ capacity: options.capacity });
  const schedule = options.schedule ?? defaultScheduler;
  const minIntervalMs = options.minIntervalMs ?? DEFAULT_MIN_RENDER_INTERVAL_MS;
  const now = options.now ?? (() => performance.now());
  let lastFlush = -Infinity;
  const listeners = new Set<() => void>();
  let version = 0;
  let frameRequested = false;
  let retained = 0;

  const flush = (): void => {
    frameRequested = false;
    lastFlush = now();
    version++;
    for (const listener of [...listeners]) listener();
  };
  const changed = (options?: { readonly now?: boolean }): void => {
    if (options?.now) {
      version++;
      for (const listener of [...listeners]) listener();
      return;
    }
    if (frameRequested) return;
    frameRequested = true;
    const wait = lastFlush + minIntervalMs - now();
    if (wait > 0) setTimeout(() => schedule(flush), wait);
    else schedule(flush);
  };

  const onMessage = (event: DebugMessageEvent): void => {
    log.addMessage(event);
    changed();
  };
  const onSkipped = (event: DebugSkippedEvent): void => {
    log.addSkipped(event);
    changed();
  };
  const onError = (event: NodeErrorEvent): void => {
    log.addError(event);
    changed();
  };
  const onMetrics = (event: MetricsSampledEvent): void => {
    log.setMetrics(event);
    changed();
  };

  return {
    log,
    get version() {
      return version;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    retain() {
      if (retained++ === 0) {
        source.on('debug:message', onMessage);
        source.on('debug:skipped', onSkipped);
        source.on('node:error-raised', onError);
        source.on('metrics:sampled', onMetrics);
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (--retained === 0) {
          source.off('debug:message', onMessage);
          source.off('debug:skipped', onSkipped);
          source.off('node:error-raised', onError);
          source.off('metrics:sampled', onMetrics);
        }
      };
    },
    changed,
  };
}

const feeds = new WeakMap<object, DebugFeed>();

/** The one feed of a socket, created on first use; it keeps its log while the socket lives. */
export function debugFeedFor(source: DebugEventSource): DebugFeed {
  let feed = feeds.get(source);
  if (!feed) {
    feed = createDebugFeed(source);
    feeds.set(source, feed);
  }
  return feed;
}
