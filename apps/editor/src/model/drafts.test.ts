import { describe, expect, it } from 'vitest';
import { createDraftStore, type StorageLike } from './drafts.js';
import { demoDocument } from './fixtures.js';

function memoryStorage(): StorageLike & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

describe('drafts', () => {
  it('keeps the working copy and its base revision until cleared', () => {
    const storage = memoryStorage();
    const drafts = createDraftStore(storage);
    expect(drafts.load()).toBeUndefined();
    expect(drafts.save(demoDocument(), 'rev-7', new Date('2026-01-02T03:04:05Z'))).toEqual({ ok: true });
    // A fresh store over the same storage: what a page reload sees.
    const loaded = createDraftStore(storage).load();
    expect(loaded?.baseRevision).toBe('rev-7');
    expect(loaded?.document).toEqual(demoDocument());
    expect(loaded?.savedAt).toBe('2026-01-02T03:04:05.000Z');
    drafts.clear();
    expect(drafts.load()).toBeUndefined();
  });

  it('ignores a corrupt or foreign value instead of failing the page', () => {
    const storage = memoryStorage();
    storage.setItem('plantwire.draft.v1', '{not json');
    expect(createDraftStore(storage).load()).toBeUndefined();
    storage.setItem('plantwire.draft.v1', JSON.stringify({ version: 1, baseRevision: 'r', document: { nodes: 'x' } }));
    expect(createDraftStore(storage).load()).toBeUndefined();
  });

  it('reports a full storage instead of throwing', () => {
    const full: StorageLike = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    const result = createDraftStore(full).save(demoDocument(), 'r', new Date(0));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain('QuotaExceededError');
  });
});
