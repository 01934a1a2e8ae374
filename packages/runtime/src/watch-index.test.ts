import type { WatchSpec } from '@plantwire/node-sdk';
import { describe, expect, it } from 'vitest';
import { buildWatchLists, inScope } from './watch-index.js';

const node = (id: string, tab?: string, watchSpec?: WatchSpec) => ({ id, tab, watchSpec });

describe('watch index', () => {
  it('scopes by tab (nodes without a tab share one), by all, or by a list of ids, never a watcher on itself', () => {
    const w = { id: 'w', tab: 't1' };
    expect(inScope({ event: 'error', scope: 'tab' }, w, { id: 'a', tab: 't1' })).toBe(true);
    expect(inScope({ event: 'error', scope: 'tab' }, w, { id: 'b', tab: 't2' })).toBe(false);
    expect(inScope({ event: 'error', scope: 'tab' }, { id: 'w', tab: undefined }, { id: 'c', tab: undefined })).toBe(true);
    expect(inScope({ event: 'error', scope: 'all' }, w, { id: 'b', tab: 't2' })).toBe(true);
    expect(inScope({ event: 'error', scope: ['b'] }, w, { id: 'b', tab: 't2' })).toBe(true);
    expect(inScope({ event: 'error', scope: ['b'] }, w, { id: 'a', tab: 't1' })).toBe(false);
    expect(inScope({ event: 'status', scope: 'all' }, w, w)).toBe(false);
  });

  it('lists, for each node, its catch (normal and uncaught-only), status and complete watchers', () => {
    const a = node('a', 't1');
    const catchAll = node('catch', 't1', { event: 'error', scope: 'tab' });
    const uncaught = node('uncaught', 't1', { event: 'error', scope: 'all', uncaughtOnly: true });
    const status = node('status', 't2', { event: 'status', scope: ['a'] });
    const complete = node('complete', 't2', { event: 'complete', scope: 'tab' });
    const lists = buildWatchLists([a, catchAll, uncaught, status, complete]);
    expect(lists.get(a)).toEqual({ errorCatch: [catchAll], errorUncaught: [uncaught], status: [status], complete: [] });
    expect(lists.get(status)!.complete).toEqual([complete]);
  });
});
