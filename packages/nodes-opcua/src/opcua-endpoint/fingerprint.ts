import { createHash } from 'node:crypto';

/** The SHA-1 and SHA-256 fingerprints of a certificate, as `AB:CD:…` (the form certificate viewers show). */
export interface CertificateFingerprints {
  readonly sha1: string;
  readonly sha256: string;
}

/**
 * The first certificate of a DER blob. An OPC UA endpoint may advertise a chain (the application
 * certificate followed by its issuers) as concatenated DER; the application certificate is the
 * first SEQUENCE, and the fingerprint a user copies from a viewer is of that one alone.
 */
export function firstCertificate(der: Uint8Array): Buffer {
  const buf = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  if (buf.length < 2 || buf[0] !== 0x30) return buf;
  const first = buf[1]!;
  let length: number;
  let header: number;
  if (first < 0x80) {
    length = first;
    header = 2;
  } else {
    const bytes = first & 0x7f;
    if (bytes === 0 || bytes > 4 || buf.length < 2 + bytes) return buf;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + buf[2 + i]!;
    header = 2 + bytes;
  }
  return header + length <= buf.length ? buf.subarray(0, header + length) : buf;
}

function colonHex(hex: string): string {
  return hex.toUpperCase().match(/.{2}/g)!.join(':');
}

/** SHA-1 and SHA-256 fingerprints of the (first) certificate in `der`. */
export function certificateFingerprints(der: Uint8Array): CertificateFingerprints {
  const cert = firstCertificate(der);
  return {
    sha1: colonHex(createHash('sha1').update(cert).digest('hex')),
    sha256: colonHex(createHash('sha256').update(cert).digest('hex')),
  };
}

/**
 * A fingerprint as written by a user, reduced to lowercase hex: colons, spaces and a
 * `sha1:`/`sha256:` prefix are ignored, so `AB:CD:…`, `abcd…` and `SHA256:AB CD …` compare equal.
 */
export function normalizeFingerprint(text: string): string {
  return text
    .trim()
    .replace(/^sha-?(1|256)\s*[:=]\s*/i, '')
    .replace(/[\s:-]/g, '')
    .toLowerCase();
}

/** Whether one of `trusted` (any notation, SHA-1 or SHA-256) is a fingerprint of `der`. */
export function isFingerprintTrusted(der: Uint8Array, trusted: readonly string[]): boolean {
  const { sha1, sha256 } = certificateFingerprints(der);
  const own = new Set([normalizeFingerprint(sha1), normalizeFingerprint(sha256)]);
  return trusted.some((t) => own.has(normalizeFingerprint(t)));
}
