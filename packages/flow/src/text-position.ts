/** A 1-based line and column (UTF-16 code units, as editors count them). */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/**
 * Offset → line/column for one text, with the line starts computed once so that placing many
 * issues in a large file stays cheap. `\n`, `\r\n` and `\r` all end a line.
 */
export function lineIndex(text: string): (offset: number) => TextPosition {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */ || (c === 13 /* \r */ && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return (offset) => {
    const at = Math.min(Math.max(offset, 0), text.length);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - starts[lo]! + 1 };
  };
}

/** The line and column of one character offset in `text`. */
export function positionAt(text: string, offset: number): TextPosition {
  return lineIndex(text)(offset);
}
