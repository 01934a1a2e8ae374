/**
 * The editor benchmark's block in bench/RESULTS.md, between {@link EDITOR_BEGIN} and
 * {@link EDITOR_END}: written by `pnpm bench:editor --write`; the rest of the file is left as it is.
 */
export const EDITOR_BEGIN = '<!-- editor:begin -->';
export const EDITOR_END = '<!-- editor:end -->';

/** The block (markers included) in `text`, or undefined when it has none (or only one marker). */
export function extractEditorBlock(text: string): string | undefined {
  const begin = text.indexOf(EDITOR_BEGIN);
  if (begin === -1) return undefined;
  const end = text.indexOf(EDITOR_END, begin + EDITOR_BEGIN.length);
  if (end === -1) return undefined;
  return text.slice(begin, end + EDITOR_END.length);
}

/**
 * `text` with the part between the markers replaced by `body` (markers kept); without the pair (a
 * stray marker is removed) the block is appended at the end after one blank line.
 */
export function replaceEditorBlock(text: string, body: string): string {
  const block = `${EDITOR_BEGIN}\n${body.trim()}\n${EDITOR_END}`;
  const old = extractEditorBlock(text);
  if (old !== undefined) {
    const at = text.indexOf(old);
    return text.slice(0, at) + block + text.slice(at + old.length);
  }
  const base = text.split(EDITOR_BEGIN).join('').split(EDITOR_END).join('').replace(/\s*$/, '');
  return `${base}${base ? '\n\n' : ''}${block}\n`;
}

/** `fresh` (a newly rendered RESULTS.md) with the editor block of `previous` carried over, if it had one. */
export function keepEditorBlock(previous: string | undefined, fresh: string): string {
  const block = previous === undefined ? undefined : extractEditorBlock(previous);
  if (block === undefined) return fresh;
  return replaceEditorBlock(fresh, block.slice(EDITOR_BEGIN.length, block.length - EDITOR_END.length));
}
