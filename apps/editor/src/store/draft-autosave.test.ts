import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiClient } from '../api/api-client.js';
import { createDraftStore, type StorageLike } from '../model/drafts.js';
import { demoDocument, MANIFESTS } from '../model/fixtures.js';
import { startDraftAutosave } from './draft-autosave.js';
import { createEditorStore } from './editor-store.js';

describe('draft autosave', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('keeps pending edits in storage after a short pause and forgets them when they are undone', async () => {
    const data = new Map<string, string>();
    const storage: StorageLike = { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
    const drafts = createDraftStore(storage);
    const api = {
      auth: async () => ({ required: false, authenticated: true }),
      nodeTypes: async () => ({ nodes: MANIFESTS, connections: [] }),
      getFlows: async () => ({ document: demoDocument(), revision: 'r1' }),
    } as unknown as ApiClient;
    const store = createEditorStore({ api, drafts, now: () => 0 });
    await store.getState().boot();
    const stop = startDraftAutosave(store, drafts, 400);
    store.getState().updateConfig('tick', { intervalMs: 5 });
    store.getState().updateConfig('tick', { intervalMs: 6 });
    expect(drafts.load()).toBeUndefined(); // not on every keystroke
    vi.advanceTimersByTime(400);
    expect(drafts.load()?.document.nodes[0]?.config).toEqual({ intervalMs: 6 });
    expect(drafts.load()?.baseRevision).toBe('r1');
    store.getState().undo();
    vi.advanceTimersByTime(400);
    expect(drafts.load()).toBeUndefined();
    stop();
  });
});
