import type { ConnectionEntry, FlowDocument } from '@plantwire/flow';
import type { Fragment } from './merge-fragment.js';
import { collectStrings } from './walk-strings.js';

/** What "copy" puts on the clipboard, as JSON text: the selected nodes, the wires between them, the connections they name. */
export interface ClipboardPayload extends Fragment {
  readonly kind: 'plantwire/selection';
  readonly version: 1;
  readonly connections: readonly ConnectionEntry[];
  readonly positions: Readonly<Record<string, { readonly x: number; readonly y: number }>>;
}

export function copySelection(doc: FlowDocument, nodeIds: ReadonlySet<string>): ClipboardPayload {
  const nodes = doc.nodes.filter((n) => nodeIds.has(n.id));
  const wires = doc.wires.filter((w) => nodeIds.has(w.from.node) && nodeIds.has(w.to.node));
  // A connection travels with the nodes whose config names it (an id is a whole string value).
  const named = new Set<string>();
  for (const node of nodes) collectStrings(node.config, named);
  const connections = (doc.connections ?? []).filter((c) => named.has(c.id));
  const positions: Record<string, { x: number; y: number }> = {};
  for (const node of nodes) {
    const p = doc.layout?.nodes?.[node.id];
    if (p) positions[node.id] = { x: p.x, y: p.y };
  }
  return { kind: 'plantwire/selection', version: 1, nodes, wires, connections, positions };
}

/**
 * Read clipboard text: a copied selection, or a whole flow document (pasting an exported file
 * works too). Undefined for anything else, so a paste of unrelated text is ignored.
 */
export function parseClipboard(text: string): Fragment | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (!Array.isArray(record['nodes']) || !Array.isArray(record['wires'])) return undefined;
  const nodesOk = (record['nodes'] as unknown[]).every((n) => !!n && typeof n === 'object' && typeof (n as { id?: unknown }).id === 'string' && typeof (n as { type?: unknown }).type === 'string');
  if (!nodesOk) return undefined;
  if (record['kind'] === 'plantwire/selection') return record as unknown as ClipboardPayload;
  const doc = record as unknown as FlowDocument;
  return { nodes: doc.nodes, wires: doc.wires, connections: doc.connections ?? [], positions: doc.layout?.nodes ?? {} };
}
