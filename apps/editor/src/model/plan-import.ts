import type { FlowDocument } from '@plantwire/flow';
import { tabKeyOf } from './document-to-canvas.js';
import { mergeFragment, type MergePlan } from './merge-fragment.js';

export interface ImportPlan extends MergePlan {
  /** Document env variables the working copy did not have, added by the import. */
  readonly envAdded: readonly string[];
  /** Variables both define with different values: the working copy's value is kept. */
  readonly envConflicts: readonly string[];
}

/**
 * Merge an imported (already parsed and migrated) document into the working copy: its tabs come
 * along, nodes on no tab go to the active tab, below what is already drawn there, and taken ids
 * are renamed (see {@link mergeFragment}). Returns the merged document and what it adds.
 */
export function planImport(working: FlowDocument, imported: FlowDocument, activeTab: string): { doc: FlowDocument; plan: ImportPlan } {
  // Nodes the imported document gives no position get one on a grid below its positioned ones,
  // so nothing lands on top of anything (the whole block is then moved below the tab's content).
  const given = imported.layout?.nodes ?? {};
  const positions: Record<string, { x: number; y: number }> = { ...given };
  const givenYs = Object.values(given).map((p) => p.y);
  const gridTop = givenYs.length > 0 ? Math.max(...givenYs) + 120 : 80;
  let unplaced = 0;
  for (const node of imported.nodes) {
    if (given[node.id]) continue;
    positions[node.id] = { x: 80 + (unplaced % 8) * 220, y: gridTop + Math.floor(unplaced / 8) * 120 };
    unplaced++;
  }
  let at: { x: number; y: number } | undefined;
  const landsOnActive = imported.nodes.some((n) => tabKeyOf(n) === '' || !(imported.tabs ?? []).some((t) => t.id === n.tab));
  if (landsOnActive) {
    let bottom = -Infinity;
    for (const node of working.nodes) {
      if (tabKeyOf(node) !== activeTab) continue;
      const p = working.layout?.nodes?.[node.id];
      if (p) bottom = Math.max(bottom, p.y);
    }
    const xs = imported.nodes.map((n) => positions[n.id]?.x).filter((x): x is number => x !== undefined);
    if (Number.isFinite(bottom) && xs.length > 0) at = { x: Math.min(...xs), y: bottom + 120 };
  }
  const { doc, plan } = mergeFragment(
    working,
    { nodes: imported.nodes, wires: imported.wires, connections: imported.connections ?? [], tabs: imported.tabs ?? [], positions },
    { tab: activeTab, keepTabs: true, ...(at ? { at } : {}) },
  );
  const envAdded: string[] = [];
  const envConflicts: string[] = [];
  let env = doc.env;
  for (const [name, value] of Object.entries(imported.env ?? {})) {
    const current = env?.[name];
    if (current === undefined) {
      env = { ...env, [name]: value };
      envAdded.push(name);
    } else if (current !== value) {
      envConflicts.push(name);
    }
  }
  return { doc: env === doc.env ? doc : { ...doc, env }, plan: { ...plan, envAdded, envConflicts } };
}
