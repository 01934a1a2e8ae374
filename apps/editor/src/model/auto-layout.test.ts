import { describe, expect, it } from 'vitest';
import { autoLayout } from './auto-layout.js';

describe('autoLayout', () => {
  it('lays a chain out left to right, anchored at the selection\'s top-left', () => {
    const boxes = ['a', 'b', 'c'].map((id, i) => ({ id, x: 500 - i * 100, y: 300 + i * 50, width: 180, height: 50 }));
    const placed = autoLayout(boxes, [{ source: 'a', target: 'b' }, { source: 'b', target: 'c' }]);
    const a = placed.get('a')!;
    const b = placed.get('b')!;
    const c = placed.get('c')!;
    expect(a.x).toBeLessThan(b.x);
    expect(b.x).toBeLessThan(c.x);
    expect(b.x - a.x).toBeGreaterThanOrEqual(180); // no overlap
    expect(Math.min(a.x, b.x, c.x)).toBe(300);
    expect(Math.min(a.y, b.y, c.y)).toBe(300);
  });

  it('stacks siblings without overlapping and ignores wires leaving the selection', () => {
    const boxes = ['root', 'x', 'y'].map((id) => ({ id, x: 0, y: 0, width: 180, height: 60 }));
    const placed = autoLayout(boxes, [{ source: 'root', target: 'x' }, { source: 'root', target: 'y' }, { source: 'y', target: 'outside' }]);
    const x = placed.get('x')!;
    const y = placed.get('y')!;
    expect(x.x).toBe(y.x);
    expect(Math.abs(x.y - y.y)).toBeGreaterThanOrEqual(60);
  });

  it('returns nothing for nothing', () => {
    expect(autoLayout([], []).size).toBe(0);
  });
});
