/**
 * Which rows of a long list to put in the DOM: those in view plus a margin. Rows have a known
 * height each (fixed when collapsed, measured when expanded); everything else is two spacers.
 */

export interface VirtualWindow {
  /** First row to render. */
  readonly start: number;
  /** One past the last row to render. */
  readonly end: number;
  /** Height of the rows above `start` (the top spacer). */
  readonly before: number;
  /** Height of the rows from `end` on (the bottom spacer). */
  readonly after: number;
  readonly total: number;
}

export function virtualWindow(options: {
  readonly count: number;
  readonly heightOf: (index: number) => number;
  readonly scrollTop: number;
  readonly viewportHeight: number;
  /** Extra pixels rendered above and below the viewport, so fast scrolling shows no blank. */
  readonly overscan?: number;
  /**
   * Lay out as if scrolled to the very end (a live log following its newest row), whatever
   * `scrollTop` says: the rows are right in the same render, with no read of the DOM.
   */
  readonly atEnd?: boolean;
}): VirtualWindow & { readonly scrollTop: number } {
  const { count, heightOf, viewportHeight } = options;
  const overscan = options.overscan ?? 200;
  let scrollTop = options.scrollTop;
  if (options.atEnd) {
    let total = 0;
    for (let i = 0; i < count; i++) total += heightOf(i);
    scrollTop = Math.max(0, total - viewportHeight);
  }
  const top = Math.max(0, scrollTop - overscan);
  const bottom = scrollTop + viewportHeight + overscan;
  let y = 0;
  let start = count;
  let before = 0;
  let end = count;
  let endY = 0;
  for (let i = 0; i < count; i++) {
    const h = heightOf(i);
    if (start === count && y + h > top) {
      start = i;
      before = y;
    }
    y += h;
    if (start !== count && end === count && y >= bottom) {
      end = i + 1;
      endY = y;
    }
  }
  if (start === count) before = y;
  if (end === count) endY = y;
  return { start, end, before, after: y - endY, total: y, scrollTop };
}

/**
 * Where the row with key `key` starts (px), in a list sorted by ascending key; undefined when it
 * is gone. Keeps a scrolled-back reader's rows still while the list drops old rows at the top.
 */
export function offsetOfKey(count: number, keyOf: (index: number) => number, heightOf: (index: number) => number, key: number): number | undefined {
  let lo = 0;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const k = keyOf(mid);
    if (k === key) {
      let y = 0;
      for (let i = 0; i < mid; i++) y += heightOf(i);
      return y;
    }
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}
