import type { FlowDocument } from '@plantwire/flow';

/** The flow document's id rule (packages/flow `idSchema`), repeated as a test so new ids are always valid. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** A readable id stem from a type name: `mqtt-in` → `mqtt-in`, `Äbc def` → `bc-def`, `` → `node`. */
export function idStem(type: string): string {
  const stem = type
    .toLowerCase()
    .replace(/[^a-z0-9_.:-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 100);
  return stem === '' ? 'node' : stem;
}

/**
 * The first `<stem>-<n>` (n = 1, 2, …) not in `taken`. Readable and deterministic, so ids in a
 * git diff say what the node is. Bounded: a set can only hold so many, the loop ends past its size.
 */
export function uniqueId(stem: string, taken: ReadonlySet<string>): string {
  const base = idStem(stem);
  for (let n = 1; n <= taken.size + 1; n++) {
    const id = `${base}-${n}`;
    if (!taken.has(id)) return id;
  }
  // Unreachable: among size + 1 candidates at least one is free.
  throw new Error(`uniqueId: no free id for stem "${base}"`);
}

/** Every id in use: node and connection ids share one namespace (docs/flow-document.md), tab ids too for safety. */
export function takenIds(doc: FlowDocument): Set<string> {
  const taken = new Set<string>();
  for (const node of doc.nodes) taken.add(node.id);
  for (const connection of doc.connections ?? []) taken.add(connection.id);
  for (const tab of doc.tabs ?? []) taken.add(tab.id);
  return taken;
}
