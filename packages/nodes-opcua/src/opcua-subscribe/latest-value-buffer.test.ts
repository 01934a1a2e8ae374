import type { MessageInit } from '@plantwire/node-sdk';
import { describe, expect, it } from 'vitest';
import { LatestValueBuffer } from './latest-value-buffer.js';

function target() {
  const sent: MessageInit[] = [];
  const drains: Array<() => void> = [];
  let open = true;
  return {
    sent,
    emit: (msg: MessageInit) => (open ? (sent.push(msg), true) : false),
    onDrain: (l: () => void) => void drains.push(l),
    block: () => void (open = false),
    drain: () => {
      open = true;
      drains.splice(0).forEach((l) => l());
    },
    /** Accept `n` more messages, then refuse again. */
    allow(n: number) {
      let left = n;
      this.emit = (msg: MessageInit) => (left-- > 0 ? (sent.push(msg), true) : false);
      drains.splice(0).forEach((l) => l());
    },
  };
}

describe('LatestValueBuffer', () => {
  it('passes values straight through while downstream accepts them', () => {
    const t = target();
    const buffer = new LatestValueBuffer(t);
    buffer.offer('a', { payload: 1 });
    buffer.offer('a', { payload: 2 });
    expect(t.sent.map((m) => m.payload)).toEqual([1, 2]);
    expect(buffer.dropped).toBe(0);
  });

  it('keeps the latest value per item while refused, counts the replaced ones, and sends in order of last change on drain', () => {
    const t = target();
    const buffer = new LatestValueBuffer(t);
    t.block();
    buffer.offer('a', { payload: 'a1' });
    buffer.offer('b', { payload: 'b1' });
    buffer.offer('a', { payload: 'a2' });
    buffer.offer('a', { payload: 'a3' });
    expect(buffer.size).toBe(2);
    expect(buffer.dropped).toBe(2);
    t.drain();
    expect(t.sent.map((m) => m.payload)).toEqual(['b1', 'a3']);
    expect(buffer.size).toBe(0);
  });

  it('stops flushing when refused again, and resumes on the next drain', () => {
    const t = target();
    const buffer = new LatestValueBuffer(t);
    t.block();
    buffer.offer('a', { payload: 'a' });
    buffer.offer('b', { payload: 'b' });
    buffer.offer('c', { payload: 'c' });
    t.allow(1);
    expect(t.sent.map((m) => m.payload)).toEqual(['a']);
    buffer.offer('b', { payload: 'b2' });
    expect(buffer.dropped).toBe(1);
    t.allow(10);
    expect(t.sent.map((m) => m.payload)).toEqual(['a', 'c', 'b2']);
  });

  it('sends nothing after close', () => {
    const t = target();
    const buffer = new LatestValueBuffer(t);
    t.block();
    buffer.offer('a', { payload: 1 });
    buffer.close();
    t.drain();
    buffer.offer('a', { payload: 2 });
    expect(t.sent).toEqual([]);
  });
});
