import { describe, expect, it } from 'vitest';
import { jsonText, parseJsonText, parseNumberText, showEscapes, takeEscapes } from './text-escapes.js';

describe('input text', () => {
  it('shows separators as escapes and reads them back', () => {
    for (const v of ['\n', '\t', ',', 'a\\nb', '\r\n']) expect(takeEscapes(showEscapes(v))).toBe(v);
    expect(showEscapes('\n')).toBe('\\n');
    expect(takeEscapes('\\t')).toBe('\t');
  });

  it('reads numbers, keeps ${NAME} references and says when text is not a number yet', () => {
    expect(parseNumberText('12', true)).toBe(12);
    expect(parseNumberText(' -1.5e3 ', false)).toBe(-1500);
    expect(parseNumberText('', true)).toBeUndefined();
    expect(parseNumberText('${PORT}', true)).toBe('${PORT}');
    expect(parseNumberText('1.5', true)).toBeInstanceOf(Error);
    expect(parseNumberText('-', false)).toBeInstanceOf(Error);
    expect(parseNumberText('12abc', false)).toBeInstanceOf(Error);
  });

  it('reads JSON leniently where text is allowed, strictly elsewhere, and writes it back the same', () => {
    const any = ['string', 'number', 'boolean', 'null', 'array', 'object'];
    expect(parseJsonText('10', any)).toEqual({ value: 10 });
    expect(parseJsonText('on', any)).toEqual({ value: 'on' });
    expect(parseJsonText('"10"', any)).toEqual({ value: '10' });
    expect(parseJsonText('{"a": ', any)).toBeInstanceOf(Error);
    expect(parseJsonText('on', ['number'])).toBeInstanceOf(Error);
    for (const v of ['on', '10', 10, true, null, { a: [1] }, 'true', '']) {
      const back = parseJsonText(jsonText(v, any), any);
      expect(back).toEqual({ value: v });
    }
  });
});
