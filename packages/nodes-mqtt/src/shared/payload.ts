/**
 * Turning MQTT payload bytes into message payloads and back. Pure functions, so the rules are
 * unit-tested apart from any broker.
 */

/** How mqtt-in turns payload bytes into `msg.payload`. */
export type PayloadFormat = 'auto' | 'json' | 'text' | 'bytes';

/** The result of decoding: a value, or why the bytes are not in the expected format. */
export type Decoded = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

/**
 * Decode payload bytes:
 * - `auto`: the parsed JSON value when the UTF-8 text is JSON, else the text (an empty payload is `""`);
 * - `json`: the parsed JSON value, or a failure with the parser's reason (an empty payload fails too);
 * - `text`: the UTF-8 text;
 * - `bytes`: the bytes as a Buffer (a copy, so a message never shares memory with the socket's buffer).
 */
export function decodePayload(bytes: Buffer, format: PayloadFormat): Decoded {
  if (format === 'bytes') return { ok: true, value: Buffer.from(bytes) };
  const text = bytes.toString('utf8');
  if (format === 'text') return { ok: true, value: text };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    if (format === 'auto') return { ok: true, value: text };
    return { ok: false, reason: text === '' ? 'the payload is empty' : (err as Error).message };
  }
}

/**
 * Encode `msg.payload` for publishing: Buffers and typed arrays as they are, strings as UTF-8,
 * `undefined`/`null` as an empty payload, objects and arrays as JSON, anything else with `String()`
 * (numbers, booleans, bigints). Throws for a value JSON cannot encode (a cycle).
 */
export function encodePayload(payload: unknown): Buffer | string {
  if (payload === undefined || payload === null) return '';
  if (Buffer.isBuffer(payload)) return payload;
  if (ArrayBuffer.isView(payload)) return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (payload instanceof ArrayBuffer) return Buffer.from(payload);
  if (typeof payload === 'string') return payload;
  if (typeof payload === 'object') return JSON.stringify(payload);
  return String(payload);
}
