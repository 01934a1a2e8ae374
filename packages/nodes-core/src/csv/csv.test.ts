import { testNode } from '@plantwire/testing';
import { describe, expect, it } from 'vitest';
import { csv } from './csv.node.js';

const convert = async (config: Record<string, unknown>, msg: Record<string, unknown>) => {
  const node = await testNode(csv, config);
  return (await node.input(msg)).map((s) => s.msg);
};

const FILE = 'time,tag,value,note\n2024-03-01T10:00:00Z,007,21.5,"ok, checked"\n2024-03-01T10:01:00Z,008,-3e2,\n\n2024-03-01T10:02:00Z,009,"42"\n';

describe('csv: parse', () => {
  it('turns text into an array of objects named by the header row, with numbers parsed', async () => {
    const [out] = await convert({}, { _msgid: 'm1', payload: FILE, topic: 'file' });
    expect(out).toEqual({
      _msgid: 'm1',
      topic: 'file',
      payload: [
        { time: '2024-03-01T10:00:00Z', tag: '007', value: 21.5, note: 'ok, checked' },
        { time: '2024-03-01T10:01:00Z', tag: '008', value: -300, note: '' },
        // A short row leaves the missing field out; a quoted number stays text.
        { time: '2024-03-01T10:02:00Z', tag: '009', value: '42' },
      ],
    });
  });

  it('uses given columns (skipping the header row), separator and quote', async () => {
    const [out] = await convert({ columns: ['a', 'b'], separator: ';', quote: "'", parseNumbers: false }, { payload: 'x;y\n1;\'2;3\'\n' });
    expect(out!.payload).toEqual([{ a: '1', b: '2;3' }]);
  });

  it('returns arrays of fields when there is neither a header row nor columns', async () => {
    const [out] = await convert({ header: false }, { payload: '1,2\n3,4' });
    expect(out!.payload).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('sends one message per row with parts, when output is rows', async () => {
    const out = await convert({ output: 'rows' }, { _msgid: 'file1', payload: 'a,b\n1,2\n3,4\n5,6', topic: 't' });
    expect(out.map((m) => m.payload)).toEqual([
      { a: 1, b: 2 },
      { a: 3, b: 4 },
      { a: 5, b: 6 },
    ]);
    expect(out.map((m) => m.parts)).toEqual([0, 1, 2].map((index) => ({ id: 'file1', index, count: 3 })));
    expect(out.every((m) => m.topic === 't')).toBe(true);
    expect(new Set(out.map((m) => m._msgid)).size).toBe(3);
    expect(out.map((m) => m._msgid)).not.toContain('file1');
  });

  it('parses UTF-8 bytes and skips a byte-order mark', async () => {
    const [out] = await convert({}, { payload: new TextEncoder().encode('\uFEFFa,b\n1,x\n') });
    expect(out!.payload).toEqual([{ a: 1, b: 'x' }]);
  });

  it('raises DECODE_FAILED with the line for bad CSV, including a row longer than the header', async () => {
    const node = await testNode(csv, {});
    await expect(node.input({ payload: 'a,b\n1,"open\n2,3' })).rejects.toMatchObject({
      code: 'DECODE_FAILED',
      message: expect.stringMatching(/^cannot parse payload as CSV at line 3: Quote Not Closed/),
      details: expect.objectContaining({ line: 3, csvCode: 'CSV_QUOTE_NOT_CLOSED' }),
    });
    await expect(node.input({ payload: 'a,b\n1,2,3' })).rejects.toMatchObject({ code: 'DECODE_FAILED', message: expect.stringContaining('at line 2') });
  });
});

describe('csv: write', () => {
  it('writes objects with a header of every key, in order of first appearance', async () => {
    const [out] = await convert({}, { payload: [{ tag: 'a', value: 1 }, { tag: 'b', value: 'x,y', ok: false }, { tag: 'c', value: { n: 1 } }] });
    expect(out!.payload).toBe('tag,value,ok\na,1,\nb,"x,y",false\nc,"{""n"":1}",\n');
  });

  it('writes the given columns only, with the separator and CRLF line endings', async () => {
    const [out] = await convert({ columns: ['value', 'tag'], separator: ';', lineEnding: 'crlf' }, { payload: [{ tag: 'a', value: 1, extra: 'no' }] });
    expect(out!.payload).toBe('value;tag\r\n1;a\r\n');
  });

  it('writes arrays of arrays, a single object, and a single row of values', async () => {
    expect((await convert({ header: false }, { payload: [[1, 'a'], [2, 'b']] }))[0]!.payload).toBe('1,a\n2,b\n');
    expect((await convert({}, { payload: { a: 1, b: true } }))[0]!.payload).toBe('a,b\n1,true\n');
    expect((await convert({}, { payload: [1, 'two', null] }))[0]!.payload).toBe('1,two,\n');
  });

  it('raises ENCODE_FAILED for mixed rows and INPUT_INVALID for a number or a missing property', async () => {
    const node = await testNode(csv, {});
    await expect(node.input({ payload: [{ a: 1 }, [1]] })).rejects.toMatchObject({ code: 'ENCODE_FAILED', message: expect.stringContaining('mixes objects, arrays and plain values') });
    await expect(node.input({ payload: 5 })).rejects.toMatchObject({ code: 'INPUT_INVALID', message: 'payload is a number: expected CSV text, or an array or object to write' });
    await expect(node.input({ topic: 'x' })).rejects.toMatchObject({ code: 'INPUT_INVALID', message: expect.stringContaining('payload is missing') });
  });

  it('round-trips: what it writes, it reads back', async () => {
    const rows = [{ tag: 'a', value: 1.5, note: 'say "hi"\nthen leave' }];
    const [text] = await convert({}, { payload: rows });
    const [back] = await convert({}, { payload: text!.payload });
    expect(back!.payload).toEqual(rows);
  });

  it('rejects an empty separator and a two-character quote at config time', () => {
    const paths = csv.config.safeParse({ separator: '', quote: '""' }).error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(['separator', 'quote']);
  });
});
