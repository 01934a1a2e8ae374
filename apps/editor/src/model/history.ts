/**
 * Undo/redo over immutable snapshots. Edits that belong together (typing in one field, nudging
 * with arrow keys) carry the same `key`; a record with the same key within `windowMs` of the last
 * one replaces the top snapshot instead of adding one, so one undo takes back the whole burst.
 */
export interface History<T> {
  readonly past: readonly T[];
  readonly present: T;
  readonly future: readonly T[];
  readonly lastKey: string | undefined;
  readonly lastAt: number;
}

export interface RecordOptions {
  /** Edits with the same key in quick succession coalesce into one undo step. */
  readonly key?: string;
  /** Milliseconds (injected, so tests need no clock). */
  readonly at: number;
  readonly windowMs?: number;
}

export const HISTORY_LIMIT = 200;

export function createHistory<T>(present: T): History<T> {
  return { past: [], present, future: [], lastKey: undefined, lastAt: 0 };
}

export function record<T>(history: History<T>, next: T, options: RecordOptions): History<T> {
  if (next === history.present) return history;
  const windowMs = options.windowMs ?? 1000;
  const coalesce = options.key !== undefined && options.key === history.lastKey && options.at - history.lastAt <= windowMs;
  if (coalesce) return { ...history, present: next, future: [], lastAt: options.at };
  const past = [...history.past, history.present];
  if (past.length > HISTORY_LIMIT) past.splice(0, past.length - HISTORY_LIMIT);
  return { past, present: next, future: [], lastKey: options.key, lastAt: options.at };
}

export function undo<T>(history: History<T>): History<T> {
  const previous = history.past[history.past.length - 1];
  if (history.past.length === 0) return history;
  return { past: history.past.slice(0, -1), present: previous as T, future: [history.present, ...history.future], lastKey: undefined, lastAt: 0 };
}

export function redo<T>(history: History<T>): History<T> {
  if (history.future.length === 0) return history;
  const [next, ...future] = history.future;
  return { past: [...history.past, history.present], present: next as T, future, lastKey: undefined, lastAt: 0 };
}
