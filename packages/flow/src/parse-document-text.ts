import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { ValidationIssue } from './issues.js';
import { positionAt } from './text-position.js';

/** What {@link parseDocumentText} returns. */
export type ParseDocumentTextResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly issue: ValidationIssue };

const REASONS: Readonly<Record<string, string>> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'malformed number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":" after the property name',
  CommaExpected: 'expected "," between items',
  CloseBraceExpected: 'expected "}" to close the object',
  CloseBracketExpected: 'expected "]" to close the array',
  EndOfFileExpected: 'expected the end of the file after the document',
  InvalidCommentToken: 'comments are not allowed in a flow document',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'malformed number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape sequence in a string',
  InvalidCharacter: 'invalid character in a string (control characters must be escaped)',
};

/**
 * Parse the text of a flow document file (strict JSON; a leading byte-order mark is ignored).
 * Never throws: a syntax error comes back as one issue with code INVALID_JSON, path `$`, and a
 * message naming the line and column (1-based) of the first error, e.g.
 * `invalid JSON at line 12, column 7: expected "," between items`.
 *
 * @example
 * const parsed = parseDocumentText(await readFile(file, 'utf8'));
 * if (!parsed.ok) console.error(`${file}: ${parsed.issue.message}`);
 * else report(validate(parsed.value, { nodeTypes: registry.info }));
 */
export function parseDocumentText(text: string): ParseDocumentTextResult {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(source) as unknown };
  } catch {
    // JSON.parse's messages differ between engines and lack line numbers; re-parse for a position.
  }
  const errors: ParseError[] = [];
  const value: unknown = parse(source, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (!first) {
    // Both parsers disagreeing should not happen; trust the tolerant one's value rather than fail.
    return { ok: true, value };
  }
  const { line, column } = positionAt(source, first.offset);
  const reason = REASONS[printParseErrorCode(first.error)] ?? 'syntax error';
  return {
    ok: false,
    issue: {
      severity: 'error',
      code: 'INVALID_JSON',
      path: '$',
      message: `invalid JSON at line ${line}, column ${column}: ${reason}`,
    },
  };
}
