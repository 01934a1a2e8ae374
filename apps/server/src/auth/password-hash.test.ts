import { describe, expect, it } from 'vitest';
import { hashPassword, parsePasswordHash, verifyPassword } from './password-hash.js';

const FAST = { N: 1024, r: 8, p: 1 };

describe('password hashes', () => {
  it('hashes with a random salt and verifies only the same password', async () => {
    const a = await hashPassword('a long enough password', FAST);
    const b = await hashPassword('a long enough password', FAST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[^$]+\$[^$]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('a long enough password', a)).toBe(true);
    expect(await verifyPassword('a long enough passworD', a)).toBe(false);
  });

  it('refuses malformed hashes with a reason, never echoing the hash', () => {
    expect(() => parsePasswordHash('secret-plain-text')).toThrow(/scrypt\$N\$r\$p\$salt\$hash/);
    expect(() => parsePasswordHash('scrypt$1000$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==')).toThrow(/invalid scrypt N/);
    expect(() => parsePasswordHash('scrypt$1024$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==')).not.toThrow();
  });
});
