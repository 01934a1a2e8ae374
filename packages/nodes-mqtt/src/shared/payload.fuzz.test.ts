// Fuzz: decodePayload and encodePayload over every declared format and any input. They never
// throw (encode throws only a plain Error for a value JSON cannot hold, which mqtt-out turns into
// ENCODE_FAILED), and each format keeps its documented contract.
// A failure prints fast-check's seed and path; rerun with FUZZ_SEED=<seed> to reproduce.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { payloadBytesArb } from '../test-support/payload-arbitraries.js';
import { decodePayload, encodePayload, type PayloadFormat } from './payload.js';

const seed = Number(process.env['FUZZ_SEED'] ?? 20261206);
const FORMATS: readonly PayloadFormat[] = ['auto', 'json', 'text', 'bytes'];

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('MQTT payloads under fuzzing', () => {
  it('decodePayload: never throws; each format keeps its contract', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(payloadBytesArb, fc.constantFrom(...FORMATS), (bytes, format) => {
        const decoded = decodePayload(bytes, format);
        const text = bytes.toString('utf8');
        if (text.startsWith('[[[[') && format !== 'bytes') {
          // Nested thousands deep: the comparison below would overflow the test's own stack.
          expect(decoded.ok).toBe(format !== 'json' || parses(text));
        } else if (format === 'bytes') {
          expect(decoded.ok && Buffer.isBuffer(decoded.value) && decoded.value.equals(bytes)).toBe(true);
          // A copy: writing to it leaves the socket's bytes alone.
          const copy = (decoded as { value: Buffer }).value;
          if (copy.length > 0) {
            const before = bytes[0];
            copy[0] = (copy[0]! + 1) & 0xff;
            expect(bytes[0]).toBe(before);
          }
        } else if (format === 'text') {
          expect(decoded).toEqual({ ok: true, value: text });
        } else if (format === 'auto') {
          expect(decoded).toEqual({ ok: true, value: parses(text) ? JSON.parse(text) : text });
        } else if (parses(text)) {
          expect(decoded).toEqual({ ok: true, value: JSON.parse(text) });
        } else {
          expect(decoded.ok).toBe(false);
          if (!decoded.ok) expect(decoded.reason.length).toBeGreaterThan(0);
        }
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      { seed, numRuns: 3_000 },
    );
  });

  it('encodePayload then decodePayload gives the value back (strings as text, the rest as json)', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const encoded = encodePayload(value);
        // Strings are sent as their UTF-8 text, not as JSON; null travels as the empty payload.
        if (value === null) expect(encoded).toBe('');
        // -0 is written "0", like JSON.stringify does.
        else expect(decodePayload(Buffer.from(encoded), typeof value === 'string' ? 'text' : 'json')).toEqual({ ok: true, value: typeof value === 'string' ? value : JSON.parse(JSON.stringify(value)) });
      }),
      { seed, numRuns: 2_000 },
    );
  });

  it('encodePayload: a Buffer or a string for anything, or an Error for what JSON cannot hold', { timeout: 30_000 }, () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    const odd = fc.oneof(
      fc.anything({ withBigInt: true, withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withDate: true, withSparseArray: true, withObjectString: true }),
      fc.constantFrom<unknown>(cyclic, [cyclic], Symbol('tag'), () => 1, 10n ** 30n, { big: 1n }, NaN, -Infinity, new Uint16Array([1, 2, 3]), new ArrayBuffer(4), { toJSON: () => { throw new Error('no'); } }),
    );
    fc.assert(
      fc.property(odd, (value) => {
        try {
          const encoded = encodePayload(value);
          expect(typeof encoded === 'string' || Buffer.isBuffer(encoded)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
          expect((err as Error).message.length).toBeGreaterThan(0);
        }
      }),
      { seed, numRuns: 2_000 },
    );
  });
});
