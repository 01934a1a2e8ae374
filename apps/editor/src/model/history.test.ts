import { describe, expect, it } from 'vitest';
import { createHistory, HISTORY_LIMIT, record, redo, undo } from './history.js';

describe('history', () => {
  it('undoes and redoes every edit, and a new edit drops the redo branch', () => {
    let h = createHistory('a');
    h = record(h, 'b', { at: 0 });
    h = record(h, 'c', { at: 5000 });
    h = undo(h);
    expect(h.present).toBe('b');
    h = undo(h);
    expect(h.present).toBe('a');
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h.present).toBe('b');
    h = record(h, 'd', { at: 9000 });
    expect(h.future).toEqual([]);
    expect(redo(h)).toBe(h);
    expect(undo(h).present).toBe('b');
  });

  it('coalesces a burst of edits with the same key into one undo step', () => {
    let h = createHistory('0');
    h = record(h, '1', { key: 'drag:n1', at: 1000 });
    h = record(h, '2', { key: 'drag:n1', at: 1500 });
    h = record(h, '3', { key: 'drag:n1', at: 2200 });
    expect(h.past).toEqual(['0']);
    expect(undo(h).present).toBe('0');
    // Same key but after the window: a new step.
    h = record(h, '4', { key: 'drag:n1', at: 9000 });
    expect(undo(h).present).toBe('3');
    // Another key: a new step.
    h = record(h, '5', { key: 'config:n2', at: 9100 });
    expect(undo(h).present).toBe('4');
  });

  it('does not coalesce across an undo', () => {
    let h = createHistory('0');
    h = record(h, '1', { key: 'k', at: 0 });
    h = undo(h);
    h = record(h, '2', { key: 'k', at: 10 });
    expect(h.past).toEqual(['0']);
  });

  it('keeps at most HISTORY_LIMIT steps', () => {
    let h = createHistory(0);
    for (let i = 1; i <= HISTORY_LIMIT + 50; i++) h = record(h, i, { at: i * 10_000 });
    expect(h.past).toHaveLength(HISTORY_LIMIT);
    expect(h.past[0]).toBe(50);
  });

  it('records nothing when the document did not change', () => {
    const h = createHistory({ a: 1 });
    expect(record(h, h.present, { at: 0 })).toBe(h);
  });
});
