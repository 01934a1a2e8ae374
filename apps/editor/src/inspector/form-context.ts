/** What every control of one form shares: the value, how to change it, where the issues are. */
import { createContext, useContext } from 'react';
import type { ConnectionEntry } from '@plantwire/flow';
import type { BrowseResponse } from '@plantwire/protocol';
import type { FieldIssue } from './field-issues.js';
import type { FieldPath } from './schema-fields.js';

export interface FormContextValue {
  /** The whole value the form edits (a node's or a connection's config). */
  readonly value: Readonly<Record<string, unknown>>;
  /** Replace the value at `path` (undefined deletes it). */
  set(path: FieldPath, value: unknown): void;
  /** Any other edit of the whole value (list moves, variant switches). */
  update(edit: (value: Record<string, unknown>) => Record<string, unknown>): void;
  /** Issues by the key of the control that shows them (see `placeIssues`). */
  readonly issues: ReadonlyMap<string, readonly FieldIssue[]>;
  readonly connections: readonly ConnectionEntry[];
  onEditConnection?(id: string | undefined, type: string): void;
  /** Browse an OPC UA server for a node id, when the node has a connection that can be browsed. */
  readonly browse?: ((node?: string, continuationPoint?: string) => Promise<BrowseResponse>) | undefined;
  /** Open the browse dialog; the picked node id goes to `onPick`. */
  openBrowse?(onPick: (nodeId: string) => void): void;
  /** The key of the field last focused, for the docs beside the form. */
  onFocusField?(key: string): void;
  /** Prefix of data-testids and element ids, so two forms on a page never share one. */
  readonly idPrefix: string;
}

export const FormContext = createContext<FormContextValue | undefined>(undefined);

export function useForm(): FormContextValue {
  const ctx = useContext(FormContext);
  if (!ctx) throw new Error('inspector controls must be inside a <FormContext.Provider>');
  return ctx;
}
