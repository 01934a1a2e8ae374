import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost parameters of new hashes: N = 2^15, r = 8, p = 1 (about 50 ms and 32 MiB here). */
const DEFAULT_PARAMS = { N: 32768, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }, keyLength: number): Promise<Buffer> {
  // maxmem must cover 128·N·r bytes, or node refuses parameters above its 32 MiB default.
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/**
 * Hash a password for `PLANTWIRE_ADMIN_PASSWORD_HASH`: `scrypt$N$r$p$saltBase64$hashBase64`.
 *
 * @example
 * const hash = await hashPassword('correct horse'); // scrypt$32768$8$1$…$…
 */
export async function hashPassword(password: string, params: { N: number; r: number; p: number } = DEFAULT_PARAMS): Promise<string> {
  if (password.length === 0) throw new Error('hashPassword: the password is empty');
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, params, KEY_LENGTH);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface ParsedHash {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly key: Buffer;
}

/** Parse a stored hash; throws an Error saying which part is wrong (never echoing the hash). */
export function parsePasswordHash(hash: string): ParsedHash {
  const parts = hash.trim().split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') throw new Error('a password hash must look like scrypt$N$r$p$salt$hash (from "plantwire hash-password")');
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const isPowerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!isPowerOfTwo || N > 2 ** 20) throw new Error('the password hash has an invalid scrypt N (a power of two up to 2^20)');
  if (!(Number.isInteger(r) && r >= 1 && r <= 32 && Number.isInteger(p) && p >= 1 && p <= 16)) throw new Error('the password hash has an invalid scrypt r or p');
  const salt = Buffer.from(parts[4]!, 'base64');
  const key = Buffer.from(parts[5]!, 'base64');
  if (salt.length < 8 || key.length < 16) throw new Error('the password hash has a salt or key that is too short');
  return { N, r, p, salt, key };
}

/** True when `password` matches `hash` (constant-time comparison of the derived keys). */
export async function verifyPassword(password: string, hash: string | ParsedHash): Promise<boolean> {
  const parsed = typeof hash === 'string' ? parsePasswordHash(hash) : hash;
  const key = await derive(password, parsed.salt, parsed, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}
