import { useCallback, useEffect, useRef, useState } from 'react';

export type CopyState = 'idle' | 'copied' | 'failed';

/** Copies text with the async clipboard API and reports the outcome for a second, for the button's label. */
export function useCopy(): { readonly state: CopyState; copy(text: string): void } {
  const [state, setState] = useState<CopyState>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const copy = useCallback((text: string) => {
    const show = (next: CopyState): void => {
      setState(next);
      clearTimeout(timer.current);
      timer.current = setTimeout(() => setState('idle'), 1_200);
    };
    // Without a secure context (plain http on another host) there is no clipboard API: say so.
    if (!navigator.clipboard) {
      show('failed');
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => show('copied'),
      () => show('failed'),
    );
  }, []);
  return { state, copy };
}

export function copyLabel(state: CopyState, idle: string): string {
  return state === 'copied' ? 'copied' : state === 'failed' ? 'copy failed' : idle;
}
