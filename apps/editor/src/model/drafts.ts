import type { FlowDocument } from '@plantwire/flow';

/** The part of the Web Storage API drafts use; injected so tests run without a DOM. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Unsaved edits kept in the browser until deployed or discarded. */
export interface Draft {
  readonly version: 1;
  readonly document: FlowDocument;
  /** The deployed revision the edits started from: sent with the deploy, so a stale draft gets 409, never overwrites. */
  readonly baseRevision: string;
  /** ISO 8601. */
  readonly savedAt: string;
}

export type SaveResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface DraftStore {
  load(): Draft | undefined;
  save(document: FlowDocument, baseRevision: string, now: Date): SaveResult;
  clear(): void;
}

export const DRAFT_KEY = 'plantwire.draft.v1';

export function createDraftStore(storage: StorageLike, key: string = DRAFT_KEY): DraftStore {
  return {
    load() {
      let text: string | null;
      try {
        text = storage.getItem(key);
      } catch {
        return undefined; // storage disabled by the browser: there is simply no draft
      }
      if (text === null) return undefined;
      try {
        const value = JSON.parse(text) as Partial<Draft>;
        if (value.version !== 1 || typeof value.baseRevision !== 'string' || !isDocumentLike(value.document)) return undefined;
        return value as Draft;
      } catch {
        return undefined; // a corrupt draft is unreadable; the deployed flow is loaded instead
      }
    },
    save(document, baseRevision, now) {
      const draft: Draft = { version: 1, document, baseRevision, savedAt: now.toISOString() };
      try {
        storage.setItem(key, JSON.stringify(draft));
        return { ok: true };
      } catch (err) {
        return { ok: false, reason: `could not keep the draft in the browser (${err instanceof Error ? err.message : String(err)})` };
      }
    },
    clear() {
      try {
        storage.removeItem(key);
      } catch {
        // nothing stored, nothing to clear
      }
    },
  };
}

function isDocumentLike(value: unknown): value is FlowDocument {
  if (!value || typeof value !== 'object') return false;
  const doc = value as Record<string, unknown>;
  return Array.isArray(doc['nodes']) && Array.isArray(doc['wires']);
}
