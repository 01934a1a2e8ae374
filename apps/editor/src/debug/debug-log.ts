/**
 * The debug sidebar's model, free of React and of the socket: a bounded log of messages, errors and
 * "skipped" markers, with filters, pause, clear, the last entry per node and per-node counts.
 *
 * Bounds (a 10,000 msg/s flood must not grow the page): the log keeps the newest `capacity` entries
 * (default {@link DEFAULT_DEBUG_CAPACITY}); while paused, arrivals are held in a second buffer of the
 * same capacity and the overflow is counted and shown as a marker on resume. Counts are exact
 * whatever is evicted: they are plain counters, never derived from the buffer.
 */
import type { DebugMessageEvent, DebugSkippedEvent, MetricsSampledEvent, NodeErrorEvent } from '@plantwire/protocol';
import { previewDebugValue } from './value-preview.js';

/** Entries kept by default: enough to scroll back through a few seconds of a flood, small in memory. */
export const DEFAULT_DEBUG_CAPACITY = 2_000;
/** Characters of a value that the text filter searches and a collapsed row shows. */
export const PREVIEW_CHARS = 300;

export interface DebugMessageEntry {
  readonly kind: 'message';
  /** Unique, increasing: a stable React key. */
  readonly seq: number;
  readonly nodeId: string;
  readonly nodeName: string | undefined;
  readonly msgId: string;
  readonly value: unknown;
  readonly truncated: boolean;
  readonly timestamp: number;
}

export interface DebugErrorEntry {
  readonly kind: 'error';
  readonly seq: number;
  readonly nodeId: string;
  readonly nodeType: string;
  readonly msgId: string | undefined;
  readonly code: string;
  readonly message: string;
  readonly handledBy: NodeErrorEvent['handledBy'];
  readonly timestamp: number;
}

/** Messages that were not shown: `server` = the server did not forward them; `paused` = more arrived while paused than the buffer holds. */
export interface DebugSkippedEntry {
  readonly kind: 'skipped';
  readonly seq: number;
  /** Undefined for a `paused` marker, which may span several nodes. */
  readonly nodeId: string | undefined;
  readonly count: number;
  readonly from: number;
  readonly to: number;
  readonly timestamp: number;
  readonly reason: 'server' | 'paused';
}

export type DebugEntry = DebugMessageEntry | DebugErrorEntry | DebugSkippedEntry;

export interface DebugFilter {
  /** Show only these nodes; undefined or empty = every node. */
  readonly nodeIds?: ReadonlySet<string> | undefined;
  /** Case-insensitive substring of the node name, id and value preview (or error code and text). */
  readonly text?: string | undefined;
}

export interface DebugLog {
  readonly capacity: number;
  /** Changes on every mutation: a cheap key for memoising views. */
  readonly version: number;
  readonly paused: boolean;
  /** Entries that arrived since `pause()` (all of them, also those the hold buffer could not keep). */
  readonly heldCount: number;
  /** Entries that fell off the front of the log since the last clear. */
  readonly evicted: number;
  /** Entries in the log (not counting held ones). */
  readonly size: number;
  addMessage(event: DebugMessageEvent): void;
  addError(event: NodeErrorEvent): void;
  addSkipped(event: DebugSkippedEvent): void;
  setMetrics(event: MetricsSampledEvent): void;
  pause(): void;
  /** Appends what was held while paused, after a marker for what did not fit. */
  resume(): void;
  /** Empties the log and the hold buffer and resets shown/skipped counts; metrics and last entries stay. */
  clear(): void;
  /** The log, oldest first, filtered; adjacent skipped markers of one node are merged into one. */
  view(filter?: DebugFilter): readonly DebugEntry[];
  /** The newest message or error of a node (kept while paused and after clear: it is the canvas's). */
  lastFor(nodeId: string): DebugMessageEntry | DebugErrorEntry | undefined;
  /** Exact number of messages the node received, from the latest `metrics:sampled`; undefined before one names it. */
  received(nodeId: string): number | undefined;
  /** Messages of this node that reached the editor since the last clear. */
  shown(nodeId: string): number;
  /** Messages of this node the server reported as skipped since the last clear. */
  skipped(nodeId: string): number;
  /** Node ids that have entries or counts, in order of first appearance. */
  nodeIds(): readonly string[];
}

/** Fixed-size ring, oldest first; the newest slot can be replaced (to merge skipped markers). */
class Ring<T> {
  private readonly items: Array<T | undefined>;
  private head = 0;
  size = 0;
  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }
  /** Returns the evicted item, if any. */
  push(item: T): T | undefined {
    if (this.size < this.capacity) {
      this.items[(this.head + this.size) % this.capacity] = item;
      this.size++;
      return undefined;
    }
    const evicted = this.items[this.head];
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    return evicted;
  }
  last(): T | undefined {
    return this.size === 0 ? undefined : this.items[(this.head + this.size - 1) % this.capacity];
  }
  replaceLast(item: T): void {
    if (this.size > 0) this.items[(this.head + this.size - 1) % this.capacity] = item;
  }
  toArray(): T[] {
    const out: T[] = new Array<T>(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.items[(this.head + i) % this.capacity] as T;
    return out;
  }
  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.size = 0;
  }
}

const previews = new WeakMap<DebugEntry, string>();
const searchTexts = new WeakMap<DebugEntry, string>();

/** The collapsed row's text, computed on first use and cached; at most {@link PREVIEW_CHARS} (+ `…`). */
export function entryPreview(entry: DebugEntry): string {
  let text = previews.get(entry);
  if (text === undefined) {
    if (entry.kind === 'message') text = previewDebugValue(entry.value, PREVIEW_CHARS);
    else if (entry.kind === 'error') text = `${entry.code}: ${entry.message}`.slice(0, PREVIEW_CHARS);
    else text = `${entry.count} messages skipped`;
    previews.set(entry, text);
  }
  return text;
}

function searchText(entry: DebugEntry): string {
  let text = searchTexts.get(entry);
  if (text === undefined) {
    const name = entry.kind === 'message' ? (entry.nodeName ?? '') : entry.kind === 'error' ? entry.nodeType : '';
    text = `${name} ${entry.nodeId ?? ''} ${entryPreview(entry)}`.toLowerCase();
    searchTexts.set(entry, text);
  }
  return text;
}

function nodeMatches(entry: DebugEntry, nodeIds: ReadonlySet<string> | undefined): boolean {
  if (!nodeIds || nodeIds.size === 0) return true;
  // A paused-overflow marker belongs to no node; it stays visible because it explains a hole.
  return entry.nodeId === undefined || nodeIds.has(entry.nodeId);
}

function bump(map: Map<string, number>, key: string, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/**
 * Creates an empty debug log.
 *
 * @example
 * const log = createDebugLog({ capacity: 1000 });
 * socket.on('debug:message', (e) => log.addMessage(e));
 * const rows = log.view({ text: 'boiler' });
 */
export function createDebugLog(options: { readonly capacity?: number } = {}): DebugLog {
  const capacity = Math.max(1, Math.floor(options.capacity ?? DEFAULT_DEBUG_CAPACITY));
  const log = new Ring<DebugEntry>(capacity);
  // One slot short of the log, so that on resume the overflow marker and every held entry fit.
  const held = new Ring<DebugEntry>(Math.max(1, capacity - 1));
  const last = new Map<string, DebugMessageEntry | DebugErrorEntry>();
  const shownCounts = new Map<string, number>();
  const skippedCounts = new Map<string, number>();
  const seenNodes = new Set<string>();
  let metrics: MetricsSampledEvent['nodes'] = {};
  let seq = 0;
  let version = 0;
  let paused = false;
  let heldCount = 0;
  /** Held entries pushed out of the hold buffer while paused: count and time span. */
  let heldLost = { count: 0, from: 0, to: 0 };
  let evicted = 0;

  const append = (ring: Ring<DebugEntry>, entry: DebugEntry): void => {
    const previous = ring.last();
    // A flood produces a marker after every forwarded message or burst; consecutive markers of
    // one node are one fact, so they share a row instead of filling the buffer.
    if (entry.kind === 'skipped' && previous?.kind === 'skipped' && previous.nodeId === entry.nodeId && previous.reason === entry.reason) {
      ring.replaceLast({
        ...previous,
        count: previous.count + entry.count,
        from: Math.min(previous.from, entry.from),
        to: Math.max(previous.to, entry.to),
        timestamp: Math.max(previous.timestamp, entry.timestamp),
      });
      return;
    }
    const out = ring.push(entry);
    if (out === undefined) return;
    if (ring === log) evicted++;
    else if (out.kind === 'skipped' && out.reason === 'server') {
      // A server marker pushed out of the hold buffer still stands for its messages, not for one.
      addLost(out.count, out.from, out.to);
    } else addLost(1, out.timestamp, out.timestamp);
  };

  const addLost = (count: number, from: number, to: number): void => {
    heldLost =
      heldLost.count === 0 ? { count, from, to } : { count: heldLost.count + count, from: Math.min(heldLost.from, from), to: Math.max(heldLost.to, to) };
  };

  const add = (entry: DebugEntry): void => {
    if (entry.nodeId !== undefined) seenNodes.add(entry.nodeId);
    if (paused) {
      heldCount++;
      append(held, entry);
    } else append(log, entry);
    version++;
  };

  return {
    capacity,
    get version() {
      return version;
    },
    get paused() {
      return paused;
    },
    get heldCount() {
      return heldCount;
    },
    get evicted() {
      return evicted;
    },
    get size() {
      return log.size;
    },
    addMessage(event) {
      const entry: DebugMessageEntry = {
        kind: 'message',
        seq: ++seq,
        nodeId: event.nodeId,
        nodeName: event.nodeName,
        msgId: event.msgId,
        value: event.value,
        truncated: event.truncated === true,
        timestamp: event.timestamp,
      };
      bump(shownCounts, event.nodeId, 1);
      last.set(event.nodeId, entry);
      add(entry);
    },
    addError(event) {
      const entry: DebugErrorEntry = {
        kind: 'error',
        seq: ++seq,
        nodeId: event.nodeId,
        nodeType: event.type,
        msgId: event.msgId,
        code: event.code,
        message: event.message,
        handledBy: event.handledBy,
        timestamp: event.timestamp,
      };
      last.set(event.nodeId, entry);
      add(entry);
    },
    addSkipped(event) {
      if (!(event.count > 0)) return;
      bump(skippedCounts, event.nodeId, event.count);
      add({ kind: 'skipped', seq: ++seq, nodeId: event.nodeId, count: event.count, from: event.from, to: event.to, timestamp: event.to, reason: 'server' });
    },
    setMetrics(event) {
      metrics = event.nodes;
      version++;
    },
    pause() {
      if (paused) return;
      paused = true;
      heldCount = 0;
      version++;
    },
    resume() {
      if (!paused) return;
      paused = false;
      if (heldLost.count > 0) {
        append(log, {
          kind: 'skipped',
          seq: ++seq,
          nodeId: undefined,
          count: heldLost.count,
          from: heldLost.from,
          to: heldLost.to,
          timestamp: heldLost.to,
          reason: 'paused',
        });
      }
      for (const entry of held.toArray()) append(log, entry);
      held.clear();
      heldLost = { count: 0, from: 0, to: 0 };
      heldCount = 0;
      version++;
    },
    clear() {
      log.clear();
      held.clear();
      heldLost = { count: 0, from: 0, to: 0 };
      heldCount = 0;
      evicted = 0;
      shownCounts.clear();
      skippedCounts.clear();
      version++;
    },
    view(filter = {}) {
      const text = filter.text?.trim().toLowerCase() ?? '';
      const out: DebugEntry[] = [];
      for (const entry of log.toArray()) {
        if (!nodeMatches(entry, filter.nodeIds)) continue;
        if (entry.kind === 'skipped') {
          // Filtering leaves markers of one node next to each other: show them as one.
          const previous = out[out.length - 1];
          if (previous?.kind === 'skipped' && previous.nodeId === entry.nodeId && previous.reason === entry.reason) {
            out[out.length - 1] = {
              ...previous,
              count: previous.count + entry.count,
              from: Math.min(previous.from, entry.from),
              to: Math.max(previous.to, entry.to),
              timestamp: Math.max(previous.timestamp, entry.timestamp),
            };
          } else out.push(entry);
          continue;
        }
        if (text !== '' && !searchText(entry).includes(text)) continue;
        out.push(entry);
      }
      return out;
    },
    lastFor(nodeId) {
      return last.get(nodeId);
    },
    received(nodeId) {
      return metrics[nodeId]?.in;
    },
    shown(nodeId) {
      return shownCounts.get(nodeId) ?? 0;
    },
    skipped(nodeId) {
      return skippedCounts.get(nodeId) ?? 0;
    },
    nodeIds() {
      return [...seenNodes];
    },
  };
}
