/**
 * The store-and-forward block of bench/RESULTS.md, between `<!-- store-forward:begin -->` and
 * `<!-- store-forward:end -->`: replaced by `pnpm bench:store-forward --write`, kept by the others.
 */
export const STORE_FORWARD_BEGIN = '<!-- store-forward:begin -->';
export const STORE_FORWARD_END = '<!-- store-forward:end -->';

/** The block (markers included) in `text`, or undefined when it has none (or only half of one). */
export function extractStoreForwardBlock(text: string): string | undefined {
  const begin = text.indexOf(STORE_FORWARD_BEGIN);
  const end = text.indexOf(STORE_FORWARD_END, begin + STORE_FORWARD_BEGIN.length);
  if (begin === -1 || end === -1) return undefined;
  return text.slice(begin, end + STORE_FORWARD_END.length);
}

/** `text` with its block replaced by one holding `body`, or the block appended when it has none. */
export function replaceStoreForwardBlock(text: string, body: string): string {
  const block = `${STORE_FORWARD_BEGIN}\n${body.trim()}\n${STORE_FORWARD_END}`;
  const old = extractStoreForwardBlock(text);
  if (old !== undefined) {
    const at = text.indexOf(old);
    return text.slice(0, at) + block + text.slice(at + old.length);
  }
  // A stray marker would pair up with the appended block's: drop it.
  const base = text.split(STORE_FORWARD_BEGIN).join('').split(STORE_FORWARD_END).join('').replace(/\s*$/, '');
  return `${base}${base ? '\n\n' : ''}${block}\n`;
}

/** `fresh` (a newly rendered RESULTS.md) with the store-forward block of `previous` carried over, if it had one. */
export function keepStoreForwardBlock(previous: string | undefined, fresh: string): string {
  const block = previous === undefined ? undefined : extractStoreForwardBlock(previous);
  if (block === undefined) return fresh;
  return replaceStoreForwardBlock(fresh, block.slice(STORE_FORWARD_BEGIN.length, -STORE_FORWARD_END.length));
}
