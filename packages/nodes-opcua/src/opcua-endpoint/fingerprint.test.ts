import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certificateFingerprints, firstCertificate, isFingerprintTrusted, normalizeFingerprint } from './fingerprint.js';

// Two fake DER SEQUENCEs (short and long form lengths) concatenated, as a chain would be.
const cert = Buffer.concat([Buffer.from([0x30, 0x81, 0x03]), Buffer.from([1, 2, 3])]);
const issuer = Buffer.from([0x30, 0x01, 0x09]);
const chain = Buffer.concat([cert, issuer]);

describe('fingerprints', () => {
  it('hashes the first certificate of a chain', () => {
    expect(firstCertificate(chain)).toEqual(cert);
    const sha1 = createHash('sha1').update(cert).digest('hex');
    expect(certificateFingerprints(chain).sha1).toBe(sha1.toUpperCase().match(/../g)!.join(':'));
  });

  it('compares fingerprints in any common notation, SHA-1 or SHA-256', () => {
    const { sha1, sha256 } = certificateFingerprints(chain);
    expect(normalizeFingerprint(`SHA256: ${sha256.replaceAll(':', ' ')}`)).toBe(normalizeFingerprint(sha256));
    expect(isFingerprintTrusted(chain, [sha1.toLowerCase()])).toBe(true);
    expect(isFingerprintTrusted(chain, [sha256.replaceAll(':', '')])).toBe(true);
    expect(isFingerprintTrusted(chain, [certificateFingerprints(issuer).sha256])).toBe(false);
    expect(isFingerprintTrusted(chain, [])).toBe(false);
  });
});
