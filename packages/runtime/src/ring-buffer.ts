/**
 * A bounded FIFO queue on a ring of slots, with an optional tag stored beside each item (the port
 * a message arrived on, the target a held message waits for). Storage is allocated at the first
 * push, starts small and doubles up to the capacity, so a node with a large configured capacity
 * costs memory only when it is used, and a queue that is never used (most nodes' outboxes) costs
 * none.
 *
 * Positions can be addressed by sequence number: the n-th item ever pushed has sequence `n`, and
 * it sits at index `n - shifted` while it is still queued. The keep-latest-per-topic overflow
 * policy uses this to find a waiting message in O(1).
 *
 * @example
 * const q = new RingBuffer<Message, string>(1000);
 * if (!q.push(msg, 'in')) countDrop();
 * const port = q.peekTag(); const next = q.shift();
 */
export class RingBuffer<T, Tag = undefined> {
  /** Most items the buffer holds; `push` refuses beyond it. */
  declare readonly capacity: number;
  /** Items currently queued. */
  length = 0;
  /** Items ever removed from the front (by `shift` or `clear`): the sequence number of the head. */
  shifted = 0;
  private items: Array<T | undefined> = NO_SLOTS;
  private tags: Array<Tag | undefined> = NO_SLOTS;
  private head = 0;
  /** Slots − 1; -1 until the first push allocates them. */
  private mask = -1;
  declare private readonly initialSize: number;

  constructor(capacity: number, initialSize = 16) {
    if (!(capacity >= 1)) throw new RangeError(`RingBuffer capacity must be ≥ 1, got ${capacity}`);
    this.capacity = capacity;
    this.initialSize = nextPowerOfTwo(Math.min(Math.max(initialSize, 1), capacity));
  }

  /** True when `push` would refuse. */
  get isFull(): boolean {
    return this.length >= this.capacity;
  }

  /** Append an item; false (and nothing stored) when the buffer is full. */
  push(item: T, tag?: Tag): boolean {
    if (this.length >= this.capacity) return false;
    if (this.length > this.mask) this.grow();
    const slot = (this.head + this.length) & this.mask;
    this.items[slot] = item;
    this.tags[slot] = tag;
    this.length++;
    return true;
  }

  /** Remove and return the oldest item. */
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const slot = this.head;
    const item = this.items[slot];
    // Clear the slot so a consumed message can be garbage-collected at once.
    this.items[slot] = undefined;
    this.tags[slot] = undefined;
    this.head = (slot + 1) & this.mask;
    this.length--;
    this.shifted++;
    return item;
  }

  /** The oldest item, left in place. */
  peek(): T | undefined {
    return this.length === 0 ? undefined : this.items[this.head];
  }

  /** The tag of the oldest item. */
  peekTag(): Tag | undefined {
    return this.length === 0 ? undefined : this.tags[this.head];
  }

  /** The item at `index` from the front (0 = oldest). */
  at(index: number): T | undefined {
    return index >= 0 && index < this.length ? this.items[(this.head + index) & this.mask] : undefined;
  }

  /** The tag of the item at `index` from the front. */
  tagAt(index: number): Tag | undefined {
    return index >= 0 && index < this.length ? this.tags[(this.head + index) & this.mask] : undefined;
  }

  /** Replace the item (and tag) at `index` from the front; false when the index is out of range. */
  replaceAt(index: number, item: T, tag?: Tag): boolean {
    if (index < 0 || index >= this.length) return false;
    const slot = (this.head + index) & this.mask;
    this.items[slot] = item;
    this.tags[slot] = tag;
    return true;
  }

  /** Remove everything; returns how many items were removed. */
  clear(): number {
    const removed = this.length;
    for (let i = 0; i < removed; i++) {
      const slot = (this.head + i) & this.mask;
      this.items[slot] = undefined;
      this.tags[slot] = undefined;
    }
    this.head = 0;
    this.length = 0;
    this.shifted += removed;
    return removed;
  }

  /** Copies of the queued items with their tags, oldest first. */
  entries(): Array<[T, Tag | undefined]> {
    const out: Array<[T, Tag | undefined]> = [];
    for (let i = 0; i < this.length; i++) {
      const slot = (this.head + i) & this.mask;
      out.push([this.items[slot] as T, this.tags[slot]]);
    }
    return out;
  }

  private grow(): void {
    const oldSize = this.mask + 1;
    const size = oldSize === 0 ? this.initialSize : oldSize * 2;
    const items = new Array<T | undefined>(size);
    const tags = new Array<Tag | undefined>(size);
    for (let i = 0; i < this.length; i++) {
      const slot = (this.head + i) & this.mask;
      items[i] = this.items[slot];
      tags[i] = this.tags[slot];
    }
    this.items = items;
    this.tags = tags;
    this.head = 0;
    this.mask = size - 1;
  }
}

/** The storage of every buffer that has never held an item (never written: the first push replaces it). */
const NO_SLOTS: never[] = [];

function nextPowerOfTwo(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}
