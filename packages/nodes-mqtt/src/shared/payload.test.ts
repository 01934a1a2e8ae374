import { describe, expect, it } from 'vitest';
import { decodePayload, encodePayload } from './payload.js';

const b = (s: string) => Buffer.from(s);

describe('decodePayload', () => {
  it('auto: JSON when it parses, else the text', () => {
    expect(decodePayload(b('{"t":21.5}'), 'auto')).toEqual({ ok: true, value: { t: 21.5 } });
    expect(decodePayload(b('42'), 'auto')).toEqual({ ok: true, value: 42 });
    expect(decodePayload(b('RUNNING'), 'auto')).toEqual({ ok: true, value: 'RUNNING' });
    expect(decodePayload(b(''), 'auto')).toEqual({ ok: true, value: '' });
  });

  it('json: a failure with the reason when it does not parse', () => {
    expect(decodePayload(b('[1,2]'), 'json')).toEqual({ ok: true, value: [1, 2] });
    const bad = decodePayload(b('{"t":'), 'json');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/JSON/);
    expect(decodePayload(b(''), 'json')).toEqual({ ok: false, reason: 'the payload is empty' });
  });

  it('text and bytes', () => {
    expect(decodePayload(b('{"a":1}'), 'text')).toEqual({ ok: true, value: '{"a":1}' });
    const source = Buffer.from([0, 255, 7]);
    const decoded = decodePayload(source, 'bytes');
    expect(decoded.ok && decoded.value).toEqual(Buffer.from([0, 255, 7]));
    source[0] = 9; // the message does not share memory with the socket's buffer
    expect(decoded.ok && (decoded.value as Buffer)[0]).toBe(0);
  });
});

describe('encodePayload', () => {
  it('objects as JSON, Buffers raw, strings as they are, others with String()', () => {
    expect(encodePayload({ t: 1 })).toBe('{"t":1}');
    expect(encodePayload([1, 'a'])).toBe('[1,"a"]');
    const buf = Buffer.from([1, 2]);
    expect(encodePayload(buf)).toBe(buf);
    expect(encodePayload(new Uint8Array([3, 4]))).toEqual(Buffer.from([3, 4]));
    expect(encodePayload('hi')).toBe('hi');
    expect(encodePayload(21.5)).toBe('21.5');
    expect(encodePayload(true)).toBe('true');
    expect(encodePayload(10n)).toBe('10');
    expect(encodePayload(undefined)).toBe('');
    expect(encodePayload(null)).toBe('');
  });

  it('throws for a value JSON cannot encode', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => encodePayload(cyclic)).toThrow(/circular/i);
  });
});
