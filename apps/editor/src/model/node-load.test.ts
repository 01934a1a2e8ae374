import { describe, expect, it } from 'vitest';
import { nodeLoadOf } from './node-load.js';

const idle = { in: 10, out: 10, errors: 0, dropped: 0, queueDepth: 0, queueCapacity: 1000, inPerSecond: 1, outPerSecond: 1 };

describe('nodeLoadOf', () => {
  it('says nothing for an idle node or before the first sample', () => {
    expect(nodeLoadOf(undefined)).toBeUndefined();
    expect(nodeLoadOf(idle)).toBeUndefined();
  });

  it('shows the queue filling, and warns from three quarters full', () => {
    expect(nodeLoadOf({ ...idle, queueDepth: 12 })).toEqual({ text: 'queue 12/1000', level: 'info' });
    expect(nodeLoadOf({ ...idle, queueDepth: 750 })).toEqual({ text: 'queue 750/1000', level: 'warn' });
  });

  it('always warns about drops, with the count', () => {
    expect(nodeLoadOf({ ...idle, dropped: 12500 })).toEqual({ text: '12,500 dropped', level: 'warn' });
    expect(nodeLoadOf({ ...idle, queueDepth: 1000, dropped: 3 })).toEqual({ text: 'queue 1000/1000 · 3 dropped', level: 'warn' });
  });
});
