import { validateConfigLocally } from '../inspector/validate-config.js';
import { createApiClient } from '../api/api-client.js';
import { readToken, writeToken } from '../api/token-storage.js';
import { createDraftStore } from '../model/drafts.js';
import { startDraftAutosave } from './draft-autosave.js';
import { createEditorStore } from './editor-store.js';

// The page's one store, wired to the browser: same-origin API, token in sessionStorage, drafts in localStorage.

function storage(kind: 'localStorage' | 'sessionStorage'): Storage | undefined {
  try {
    return window[kind];
  } catch {
    return undefined; // storage disabled (privacy settings): the editor still works, without persistence
  }
}

let token = readToken(storage('sessionStorage'));

export function currentToken(): string | undefined {
  return token;
}

export const api = createApiClient({ token: () => token });

const localStore = storage('localStorage');
export const drafts = createDraftStore(
  localStore ?? { getItem: () => null, setItem: () => undefined, removeItem: () => undefined },
);

export const useEditor = createEditorStore({
  api,
  drafts,
  now: () => Date.now(),
  validateConfig: validateConfigLocally,
  onToken: (next) => {
    token = next;
    writeToken(storage('sessionStorage'), next);
  },
});

startDraftAutosave(useEditor, drafts);
