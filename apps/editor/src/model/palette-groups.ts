import type { NodeCategory, NodeManifest } from '@plantwire/protocol';

export interface PaletteGroup {
  readonly category: NodeCategory;
  readonly label: string;
  readonly items: readonly NodeManifest[];
}

/** Palette order and headings. */
export const PALETTE_CATEGORIES: ReadonlyArray<{ readonly category: NodeCategory; readonly label: string }> = [
  { category: 'source', label: 'Sources' },
  { category: 'transform', label: 'Transforms' },
  { category: 'sink', label: 'Sinks' },
  { category: 'connection', label: 'Connections' },
  { category: 'flow', label: 'Flow control' },
];

/**
 * Group node types for the palette, filtered by a search (every word must appear in the type,
 * summary or category), sorted by type within a group; empty groups are left out.
 */
export function paletteGroups(manifests: readonly NodeManifest[], query: string): PaletteGroup[] {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w !== '');
  const matches = (m: NodeManifest): boolean => {
    const text = `${m.type} ${m.summary} ${m.category}`.toLowerCase();
    return words.every((w) => text.includes(w));
  };
  const known = new Set(PALETTE_CATEGORIES.map((c) => c.category));
  const groups: PaletteGroup[] = [];
  for (const { category, label } of PALETTE_CATEGORIES) {
    const items = manifests.filter((m) => m.category === category && matches(m)).sort((a, b) => a.type.localeCompare(b.type));
    if (items.length > 0) groups.push({ category, label, items });
  }
  const other = manifests.filter((m) => !known.has(m.category) && matches(m));
  if (other.length > 0) groups.push({ category: 'flow', label: 'Other', items: other });
  return groups;
}
