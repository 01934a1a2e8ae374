import { describe, expect, it } from 'vitest';
import { createDebugGate } from './debug-gate.js';

describe('createDebugGate', () => {
  it('admits a burst of `rate`, then refills at `rate` per second, counting what it refuses per node', () => {
    let now = 0;
    const gate = createDebugGate(10, () => now);
    const admitted = Array.from({ length: 15 }, (_, i) => gate.admit(i % 2 ? 'a' : 'b', 1000 + i));
    expect(admitted.filter(Boolean)).toHaveLength(10);
    expect(gate.takeSkipped('a')).toEqual({ nodeId: 'a', count: 2, from: 1011, to: 1013 });
    expect(gate.takeSkipped('a')).toBeUndefined();
    now = 500; // half a second: 5 tokens
    expect(Array.from({ length: 8 }, () => gate.admit('a', 2000)).filter(Boolean)).toHaveLength(5);
    expect(gate.flush()).toEqual([
      { nodeId: 'b', count: 3, from: 1010, to: 1014 },
      { nodeId: 'a', count: 3, from: 2000, to: 2000 },
    ]);
    expect(gate.flush()).toEqual([]);
  });

  it('counts messages skipped for a backed-up client like refused ones', () => {
    const gate = createDebugGate(10, () => 0);
    gate.skip('n', 5);
    gate.skip('n', 9);
    expect(gate.takeSkipped('n')).toEqual({ nodeId: 'n', count: 2, from: 5, to: 9 });
  });
});
