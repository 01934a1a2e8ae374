import { describe, expect, it } from 'vitest';
import { fixtureText } from './fixtures/test-node-types.js';
import { parseDocumentText } from './parse-document-text.js';

describe('parseDocumentText', () => {
  it('parses a document file', () => {
    const result = parseDocumentText(fixtureText());
    expect(result.ok).toBe(true);
    expect(result.ok && (result.value as { name: string }).name).toBe('Line 3 oven temperature');
  });

  it('ignores a byte-order mark', () => {
    expect(parseDocumentText('\uFEFF{"version": 1}')).toEqual({ ok: true, value: { version: 1 } });
  });

  it.each([
    ['a missing comma', '{\n  "version": 1\n  "nodes": []\n}', 'line 3, column 3: expected "," between items'],
    ['a trailing comma', '{\n  "nodes": [\n    1,\n  ]\n}', 'line 4, column 3: expected a value'],
    ['a comment', '{\n  // flows are JSON\n  "version": 1\n}', 'line 2, column 3: comments are not allowed in a flow document'],
    ['an unterminated string', '{ "name": "oven }', 'line 1, column 11: unterminated string'],
    ['an empty file', '', 'line 1, column 1: expected a value'],
    ['text after the document', '{}\n{}', 'line 2, column 1: expected the end of the file after the document'],
  ])('reports %s with line and column', (_label, text, where) => {
    const result = parseDocumentText(text);
    expect(result).toEqual({ ok: false, issue: { severity: 'error', code: 'INVALID_JSON', path: '$', message: `invalid JSON at ${where}` } });
  });
});
