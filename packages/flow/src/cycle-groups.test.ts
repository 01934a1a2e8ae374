import { describe, expect, it } from 'vitest';
import { cycleGroups } from './cycle-groups.js';

describe('cycleGroups', () => {
  it('returns each strongly connected group of two or more vertices, and self-loops, in ascending order', () => {
    // 0 → 1 → 0 is a cycle; 2 loops on itself; 3 → 4 is not a cycle; 5 ↔ 6 ↔ 7 is one group.
    expect(cycleGroups(8, [1, 0, 2, 3, 7, 5, 6, 6], [0, 1, 2, 4, 6, 6, 7, 5])).toEqual([[0, 1], [2], [5, 6, 7]]);
  });

  it('finds nothing in a graph without edges or without cycles', () => {
    expect(cycleGroups(3, [], [])).toEqual([]);
    expect(cycleGroups(3, [0, 1], [1, 2])).toEqual([]);
  });
});
