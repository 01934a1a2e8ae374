// Fuzz support: MQTT payload bytes as devices and broken publishers send them.
import fc from 'fast-check';

/** Bytes a device or a broken publisher might send. */
export const payloadBytesArb: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  // Invalid UTF-8: a lone continuation byte, a cut sequence, an encoded surrogate, an overlong '/', 0xFF.
  fc.constantFrom([0x80], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xff, 0xfe], [0x7b, 0xff, 0x7d]).map((a) => Buffer.from(a)),
  fc.constantFrom('', ' ', '1e999', '-0', '"\\ud800"', '[]', '{}', 'null', 'true', ' 1 ', '\uFEFF{"a":1}', '{"__proto__":{"polluted":1}}', '12345678901234567890', '{"a":1,"a":2}', 'NaN', '[1,]', '"\u0000"').map((t) => Buffer.from(t)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v))),
  fc.string({ unit: 'binary', maxLength: 100 }).map((t) => Buffer.from(t)),
  fc.integer({ min: 1_000, max: 50_000 }).map((depth) => Buffer.from('['.repeat(depth) + ']'.repeat(depth))),
);
