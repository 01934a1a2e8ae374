/** The outcome of {@link parseJsonText}: the value, or where and why the text is not JSON. */
export type JsonTextResult =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      /** The reason, ending with the line and column, e.g. `unexpected "}" at line 1, column 6`. */
      readonly error: string;
      /** 0-based offset of the first character that is not valid JSON (the text's length when it ends early). */
      readonly position: number;
      readonly line: number;
      readonly column: number;
      /** Up to 40 characters around the position, with `⟶` marking it. */
      readonly excerpt: string;
    };

/**
 * Parse JSON text. On failure, report the exact position of the first error, with line, column and
 * an excerpt: `JSON.parse` names a position for only some errors, and operators need it for all.
 */
export function parseJsonText(text: string): JsonTextResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    const { position, expected } = findJsonError(text);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < position && i < text.length; i++) {
      if (text[i] === '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    const column = position - lineStart + 1;
    const found = position >= text.length ? 'end of text' : JSON.stringify(text[position]);
    const excerpt = `${text.slice(Math.max(0, position - 20), position)}⟶${text.slice(position, position + 20)}`;
    return { ok: false, error: `expected ${expected}, found ${found} at line ${line}, column ${column} (position ${position})`, position, line, column, excerpt };
  }
}

class JsonSyntax {
  constructor(
    readonly position: number,
    readonly expected: string,
  ) {}
}

/** A small JSON scanner, run only after JSON.parse failed, to find where and what it expected. */
function findJsonError(text: string): { position: number; expected: string } {
  let i = 0;
  const fail = (expected: string): never => {
    throw new JsonSyntax(i, expected);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    // `nope` is reported where the word starts: it is an unquoted text more often than a misspelt null.
    if (!text.startsWith(word, i)) fail('a JSON value');
    i += word.length;
  };
  const string = () => {
    if (text[i] !== '"') fail('a string');
    i++;
    for (;;) {
      if (i >= text.length) fail('a closing \'"\'');
      const ch = text[i]!;
      if (ch === '"') {
        i++;
        return;
      }
      if (ch.charCodeAt(0) < 0x20) fail('an escaped control character');
      if (ch === '\\') {
        i++;
        const e = text[i];
        if (e === 'u') {
          i++;
          for (let k = 0; k < 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail('a hex digit');
            i++;
          }
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) fail('an escape such as \\n or \\"');
      }
      i++;
    }
  };
  const digits = () => {
    const start = i;
    while (i < text.length && text[i]! >= '0' && text[i]! <= '9') i++;
    if (i === start) fail('a digit');
  };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('a property name in double quotes');
        string();
        ws();
        if (text[i] !== ':') fail('":"');
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail('"," or "}"');
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail('"," or "]"');
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return number();
    fail('a JSON value');
  };
  try {
    value();
    ws();
    if (i < text.length) fail('the end of the text');
  } catch (err) {
    if (err instanceof JsonSyntax) return { position: err.position, expected: err.expected };
    // Nesting deeper than the stack (JSON.parse itself does not recurse): no position to give.
    return { position: 0, expected: 'valid JSON (nested too deeply to locate the error)' };
  }
  // JSON.parse refused text this scanner accepts (e.g. a lone surrogate is fine for both); report the start.
  return { position: 0, expected: 'valid JSON' };
}
