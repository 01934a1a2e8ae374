import type { StorageLike } from '../model/drafts.js';

const TOKEN_KEY = 'plantwire.token';

/** The admin token lives for the tab's session only (sessionStorage), never in localStorage. */
export function readToken(storage: StorageLike | undefined): string | undefined {
  try {
    return storage?.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function writeToken(storage: StorageLike | undefined, token: string | undefined): void {
  try {
    if (token === undefined) storage?.removeItem(TOKEN_KEY);
    else storage?.setItem(TOKEN_KEY, token);
  } catch {
    // storage disabled: the token lives in memory for this page only
  }
}
