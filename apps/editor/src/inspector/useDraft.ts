import { useState } from 'react';

/**
 * The text of an input that may hold what is not a value yet (`1.`, `-`, half a JSON object):
 * kept locally while the value it stands for is unchanged, replaced when the value changes from
 * outside (undo, another control). `same` says whether the draft already means `shown`.
 */
export function useDraft(shown: string, same: (draft: string, shown: string) => boolean = (a, b) => a === b): [string, (text: string) => void] {
  const [draft, setDraft] = useState(shown);
  const [prevShown, setPrevShown] = useState(shown);
  if (prevShown !== shown) {
    // React's "adjust state on a prop change" pattern: no effect, no flash of the old text.
    setPrevShown(shown);
    if (!same(draft, shown)) setDraft(shown);
  }
  return [draft, setDraft];
}
