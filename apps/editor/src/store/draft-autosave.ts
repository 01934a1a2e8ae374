import type { DraftStore } from '../model/drafts.js';
import type { EditorStore } from './editor-store.js';

/**
 * Keep the working copy in the browser while it differs from the deployed flow, so neither a
 * failed deploy nor a reload loses anything. Written shortly after the last edit (a drag or typing
 * is one write, not one per keystroke) and at once when the page is left.
 */
export function startDraftAutosave(store: EditorStore, drafts: DraftStore, delayMs = 400): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = (): void => {
    timer = undefined;
    const { phase, doc, revision, pending } = store.getState();
    if (phase !== 'ready') return;
    if (pending.total === 0) {
      drafts.clear();
      return;
    }
    const result = drafts.save(doc, revision, new Date());
    if (!result.ok) store.getState().setNotice(result.reason);
  };
  const unsubscribe = store.subscribe((state, previous) => {
    if (state.doc === previous.doc && state.revision === previous.revision) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(flush, delayMs);
  });
  const onLeave = (): void => {
    if (timer !== undefined) {
      clearTimeout(timer);
      flush();
    }
  };
  if (typeof window !== 'undefined') window.addEventListener('pagehide', onLeave);
  return () => {
    unsubscribe();
    if (typeof window !== 'undefined') window.removeEventListener('pagehide', onLeave);
  };
}
