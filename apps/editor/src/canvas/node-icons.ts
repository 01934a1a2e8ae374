/**
 * Manifest icon names (lucide-style, as node definitions declare them) drawn as glyphs, so the
 * editor needs no icon font. An unknown name falls back to the type's first letter.
 */
// Characters the common UI fonts (DejaVu, Segoe UI, SF) all have; no emoji, which a plain Linux box lacks.
const GLYPHS: Readonly<Record<string, string>> = {
  activity: '∿', 'alert-triangle': '⚠', braces: '{}', broker: '⇆', bug: '✱', 'check-circle': '✔', clock: '◷',
  code: '</>', download: '⤓', upload: '⤒', 'file-text': '▤', filter: '▽', gauge: '◔', join: '⋈', layers: '≡',
  'log-in': '⇤', 'log-out': '⇥', pencil: '✎', edit: '✎', plug: '⚡', ruler: '↔', server: '▣', split: '⋔', table: '▦',
  play: '▶', 'arrow-right': '→', repeat: '↻', database: '▥', cpu: '▣', send: '➤', zap: '⚡', hash: '#',
};

export function iconGlyph(icon: string | undefined, type: string): string {
  if (icon !== undefined && GLYPHS[icon] !== undefined) return GLYPHS[icon]!;
  return (type[0] ?? '?').toUpperCase();
}
