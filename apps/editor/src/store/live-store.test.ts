import { describe, expect, it } from 'vitest';
import { keepUnchanged, useLive } from './live-store.js';

describe('live store', () => {
  it('keeps the object of an unchanged counter so its wire does not re-render', () => {
    const first = { total: 5, perSecond: 1 };
    const next = keepUnchanged({ 'a:out': first, 'b:out': { total: 1, perSecond: 0 } }, { 'a:out': { total: 5, perSecond: 1 }, 'b:out': { total: 2, perSecond: 1 } }, (x, y) => x.total === y.total && x.perSecond === y.perSecond);
    expect(next['a:out']).toBe(first);
    expect(next['b:out']).toEqual({ total: 2, perSecond: 1 });
  });

  it('applies statuses and metrics samples', () => {
    useLive.getState().setStatus('n1', { fill: 'green', text: 'connected' });
    useLive.getState().applyMetrics({ at: 1, nodes: {}, ports: { 'n1:out': { total: 3, perSecond: 1 } } });
    expect(useLive.getState().statuses['n1']?.text).toBe('connected');
    expect(useLive.getState().ports['n1:out']?.total).toBe(3);
    useLive.getState().reset();
    expect(useLive.getState().ports).toEqual({});
  });
});
