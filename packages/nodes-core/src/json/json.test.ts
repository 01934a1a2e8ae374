import { testNode } from '@plantwire/testing';
import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../shared/parse-json-text.js';
import { json } from './json.node.js';

const convert = async (config: Record<string, unknown>, msg: Record<string, unknown>) => {
  const node = await testNode(json, config);
  const [out] = await node.input(msg);
  return out!.msg;
};

describe('json', () => {
  it('auto: parses text and stringifies values', async () => {
    expect((await convert({}, { _msgid: 'm1', payload: '{"a":[1,2]}', topic: 't' }))).toEqual({ _msgid: 'm1', payload: { a: [1, 2] }, topic: 't' });
    expect((await convert({}, { payload: { a: [1, 2] } })).payload).toBe('{"a":[1,2]}');
    expect((await convert({}, { payload: 5 })).payload).toBe('5');
  });

  it('pretty-prints when asked', async () => {
    expect((await convert({ action: 'stringify', pretty: true }, { payload: { a: 1 } })).payload).toBe('{\n  "a": 1\n}');
  });

  it('works on a nested property', async () => {
    const out = await convert({ property: 'payload.body' }, { payload: { status: 200, body: '[true,null]' } });
    expect(out.payload).toEqual({ status: 200, body: [true, null] });
  });

  it('parse passes an already parsed value unchanged; stringify passes text unchanged', async () => {
    const msg = { payload: { a: 1 } };
    const node = await testNode(json, { action: 'parse' });
    const [out] = await node.input(msg);
    expect(out!.msg.payload).toEqual({ a: 1 });
    expect((await convert({ action: 'stringify' }, { payload: '{"a":1}' })).payload).toBe('{"a":1}');
  });

  it('parses UTF-8 bytes, as MQTT delivers them', async () => {
    const out = await convert({}, { payload: new TextEncoder().encode('{"temperature":21.5,"unit":"°C"}') });
    expect(out.payload).toEqual({ temperature: 21.5, unit: '°C' });
  });

  it('raises DECODE_FAILED with line, column and position for bad text', async () => {
    const node = await testNode(json, {});
    await expect(node.input({ payload: '{\n  "a": 1,\n  "b": }' })).rejects.toMatchObject({
      code: 'DECODE_FAILED',
      message: 'cannot parse payload as JSON: expected a JSON value, found "}" at line 3, column 8 (position 19)',
      details: { property: 'payload', position: 19, line: 3, column: 8, excerpt: '{\n  "a": 1,\n  "b": ⟶}' },
    });
  });

  it('raises INPUT_INVALID for a missing property and ENCODE_FAILED for a value with no JSON form', async () => {
    const node = await testNode(json, { property: 'payload.body' });
    await expect(node.input({ payload: {} })).rejects.toMatchObject({ code: 'INPUT_INVALID', message: 'payload.body is missing: nothing to convert' });
    const big = await testNode(json, { action: 'stringify' });
    await expect(big.input({ payload: { n: 10n } })).rejects.toMatchObject({ code: 'ENCODE_FAILED', message: expect.stringContaining('cannot write payload as JSON') });
  });

  it('rejects an unknown action at config time', () => {
    expect(json.config.safeParse({ action: 'decode' }).error?.issues[0]?.path).toEqual(['action']);
  });
});

describe('parseJsonText', () => {
  it.each([
    ['{"a":1', 6, 'expected "," or "}", found end of text'],
    ['[1,2,,3]', 5, 'expected a JSON value, found ","'],
    ['{a:1}', 1, 'expected a property name in double quotes, found "a"'],
    ['"abc', 4, 'expected a closing \'"\', found end of text'],
    ['{"a":1} x', 8, 'expected the end of the text, found "x"'],
    ['', 0, 'expected a JSON value, found end of text'],
    ['01', 1, 'expected the end of the text, found "1"'],
    ['"bad \\q escape"', 6, 'expected an escape such as \\n or \\", found "q"'],
  ])('locates the error in %j at %i', (text, position, error) => {
    const result = parseJsonText(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.position).toBe(position);
      expect(result.error).toContain(error);
    }
  });

  it('parses valid text', () => {
    expect(parseJsonText(' {"a": [1, -2.5e3, "x\\n", true, null]} ')).toEqual({ ok: true, value: { a: [1, -2500, 'x\n', true, null] } });
  });
});
