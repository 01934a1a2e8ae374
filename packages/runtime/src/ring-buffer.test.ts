import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.js';

describe('RingBuffer', () => {
  it('is FIFO with a tag beside each item, and refuses beyond its capacity', () => {
    const q = new RingBuffer<string, string>(3, 2);
    expect(q.push('a', 'in')).toBe(true);
    expect(q.push('b', 'alt')).toBe(true);
    expect(q.push('c', 'in')).toBe(true);
    expect(q.isFull).toBe(true);
    expect(q.push('d', 'in')).toBe(false);
    expect(q.length).toBe(3);
    expect(q.peekTag()).toBe('in');
    expect(q.shift()).toBe('a');
    expect(q.peekTag()).toBe('alt');
    expect(q.shift()).toBe('b');
    expect(q.push('d', 'x')).toBe(true);
    expect(q.entries()).toEqual([['c', 'in'], ['d', 'x']]);
  });

  it('keeps order when it grows while the items wrap around the end of the ring', () => {
    const q = new RingBuffer<number>(100, 4);
    for (let i = 0; i < 3; i++) q.push(i);
    q.shift();
    q.shift(); // head is now in the middle: the next pushes wrap
    for (let i = 3; i < 40; i++) q.push(i);
    const out: number[] = [];
    while (q.length > 0) out.push(q.shift()!);
    expect(out).toEqual(Array.from({ length: 38 }, (_, i) => i + 2));
  });

  it('addresses items by sequence number: index = sequence - shifted', () => {
    const q = new RingBuffer<string>(4);
    q.push('a');
    q.push('b');
    q.push('c');
    q.shift(); // 'a' (sequence 0) gone; 'c' has sequence 2
    expect(q.shifted).toBe(1);
    expect(q.replaceAt(2 - q.shifted, 'C')).toBe(true);
    expect(q.at(1)).toBe('C');
    expect(q.replaceAt(5, 'x')).toBe(false);
    expect(q.clear()).toBe(2);
    expect(q.shifted).toBe(3);
    expect(q.length).toBe(0);
    expect(q.shift()).toBeUndefined();
  });

  it('rejects a capacity below 1', () => {
    expect(() => new RingBuffer(0)).toThrow(/capacity must be ≥ 1/);
  });
});
