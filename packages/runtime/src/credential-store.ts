import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnyConnectionType } from '@plantwire/node-sdk';
import { createFileAtomically, writeFileAtomically } from './write-file-atomically.js';

/** The environment variable a credential key is derived from (with scrypt); else a key file is used. */
export const CREDENTIAL_SECRET_ENV = 'PLANTWIRE_CREDENTIAL_SECRET';
export const CREDENTIALS_FILE = 'credentials.json';
export const CREDENTIAL_KEY_FILE = 'credential.key';

/** Why a credentials operation failed. Messages name the connection and field, never a value. */
export type CredentialsErrorCode = 'CREDENTIALS_INVALID' | 'CREDENTIALS_UNREADABLE' | 'CREDENTIALS_WRITE_FAILED';

/** A credentials problem: bad values for a connection type, or a store that cannot be read or written. */
export class CredentialsError extends Error {
  readonly code: CredentialsErrorCode;
  constructor(code: CredentialsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CredentialsError';
    this.code = code;
  }
}

/** Secret values by connection id. Decrypted only inside the runtime; handed to nothing but a connection type's context. */
export interface CredentialStore {
  /** The stored values of a connection, or undefined when none are stored. Rejects with a CredentialsError when the store cannot be read. */
  get(connectionId: string): Promise<Readonly<Record<string, unknown>> | undefined>;
  /** Replace the values of a connection (already validated by the caller) and persist them. */
  put(connectionId: string, values: Readonly<Record<string, unknown>>): Promise<void>;
  /** Names of the fields stored for a connection (empty when none); never the values. */
  fields(connectionId: string): Promise<string[]>;
  /** Forget a connection's values; false when there were none. */
  remove(connectionId: string): Promise<boolean>;
  /** Changes so far to a connection's values in this process: part of the connection's signature, so a change counts like a config change. */
  revision(connectionId: string): number;
}

/** Options of {@link createCredentialStore}. */
export interface CredentialStoreOptions {
  /** Where `credentials.json` and `credential.key` live. Without it the store is memory-only. */
  readonly dataDir: string | undefined;
  /** Where `PLANTWIRE_CREDENTIAL_SECRET` is read from. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** One AES-256-GCM ciphertext, base64 fields. */
interface Sealed {
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

/** `credentials.json` on disk. */
interface CredentialsFile {
  readonly format: 'plantwire-credentials';
  readonly version: 1;
  readonly cipher: 'aes-256-gcm';
  readonly key: { readonly source: 'env'; readonly kdf: 'scrypt'; readonly salt: string; readonly N: number; readonly r: number; readonly p: number } | { readonly source: 'file' };
  /** A known plaintext under the key, so a wrong key is told apart from a damaged entry, even with no entries. */
  readonly check: Sealed;
  readonly entries: Readonly<Record<string, Sealed>>;
}

interface Loaded {
  key: Buffer | undefined;
  keyInfo: CredentialsFile['key'] | undefined;
  readonly entries: Map<string, Readonly<Record<string, unknown>>>;
}

const SCRYPT = { N: 16_384, r: 8, p: 1 } as const;
const CHECK_TEXT = 'plantwire-credentials';

function scrypt(secret: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCallback(secret, salt, 32, { ...options, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))));
}

function seal(key: Buffer, plaintext: string, aad: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** Decrypt; throws when the key is wrong or the ciphertext was altered (GCM authentication). */
function open(key: Buffer, sealed: Sealed, aad: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
}

// The id is bound into each entry (as additional authenticated data), so entries cannot be swapped between connections.
const entryAad = (id: string) => `plantwire-credentials:v1:entry:${id}`;
const CHECK_AAD = 'plantwire-credentials:v1:check';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The runtime's credential store. With a data directory, secrets live in
 * `<dataDir>/credentials.json` (mode 0600), each connection's values encrypted with AES-256-GCM.
 * The key is derived with scrypt from `PLANTWIRE_CREDENTIAL_SECRET` when that is set, else read
 * from `<dataDir>/credential.key` (32 random bytes, mode 0600, created on first write). A wrong or
 * missing key is a clear {@link CredentialsError} naming the file and the key source, never a silent
 * empty store. Without a data directory the store is memory-only.
 *
 * The file is loaded lazily on first use and written atomically (temp file + rename).
 *
 * @example
 * const store = createCredentialStore({ dataDir: './data', env: process.env });
 * await store.put('plant-broker', { username: 'edge', password: 's3cret' });
 * await store.fields('plant-broker'); // ['username', 'password']
 */
export function createCredentialStore(options: CredentialStoreOptions): CredentialStore {
  const revisions = new Map<string, number>();
  const bump = (id: string) => revisions.set(id, (revisions.get(id) ?? 0) + 1);
  const dataDir = options.dataDir;
  const secret = options.env[CREDENTIAL_SECRET_ENV];
  const filePath = dataDir === undefined ? undefined : join(dataDir, CREDENTIALS_FILE);
  const keyPath = dataDir === undefined ? undefined : join(dataDir, CREDENTIAL_KEY_FILE);
  const keyDescription = secret ? `the key derived from ${CREDENTIAL_SECRET_ENV}` : `the key in ${keyPath ?? CREDENTIAL_KEY_FILE}`;

  let loading: Promise<Loaded> | undefined;
  /** Writes run one after another, each writing the whole current state. */
  let writing: Promise<unknown> = Promise.resolve();

  const load = (): Promise<Loaded> => (loading ??= filePath === undefined ? Promise.resolve({ key: undefined, keyInfo: undefined, entries: new Map() }) : loadFile(filePath));

  async function readKeyFile(create: boolean): Promise<Buffer | undefined> {
    const path = keyPath!;
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new CredentialsError('CREDENTIALS_UNREADABLE', `reading the credential key file ${path} failed: ${(err as Error).message}`, { cause: err });
    }
    if (text === undefined) {
      if (!create) return undefined;
      const key = randomBytes(32);
      await mkdir(dataDir!, { recursive: true });
      try {
        await createFileAtomically(path, `${key.toString('base64')}\n`);
        return key;
      } catch (err) {
        // Another runtime on the same data directory created it first: use theirs.
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(false);
        throw new CredentialsError('CREDENTIALS_WRITE_FAILED', `creating the credential key file ${path} failed: ${(err as Error).message}`, { cause: err });
      }
    }
    const key = Buffer.from(text.trim(), 'base64');
    if (key.length !== 32) throw new CredentialsError('CREDENTIALS_UNREADABLE', `the credential key file ${path} does not hold a 32-byte base64 key; restore it from a backup (or delete it together with ${CREDENTIALS_FILE} and enter the credentials again)`);
    return key;
  }

  async function loadFile(path: string): Promise<Loaded> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { key: undefined, keyInfo: undefined, entries: new Map() };
      throw new CredentialsError('CREDENTIALS_UNREADABLE', `reading ${path} failed: ${(err as Error).message}`, { cause: err });
    }
    let file: CredentialsFile;
    try {
      file = JSON.parse(text) as CredentialsFile;
    } catch (err) {
      throw new CredentialsError('CREDENTIALS_UNREADABLE', `${path} is not valid JSON (${(err as Error).message}); restore it from a backup or delete it and enter the credentials again`);
    }
    if (!isRecord(file) || file.format !== 'plantwire-credentials' || file.version !== 1 || !isRecord(file.key) || !isRecord(file.entries) || !isRecord(file.check)) {
      throw new CredentialsError('CREDENTIALS_UNREADABLE', `${path} is not a Plantwire credentials file (version 1)`);
    }
    let key: Buffer | undefined;
    if (secret) {
      const salt = file.key.source === 'env' ? Buffer.from(file.key.salt, 'base64') : randomBytes(16);
      const params = file.key.source === 'env' ? { N: file.key.N, r: file.key.r, p: file.key.p } : SCRYPT;
      key = await scrypt(secret, salt, params);
    } else {
      key = await readKeyFile(false);
      if (!key) {
        const hint = file.key.source === 'env' ? `it was encrypted with a key derived from ${CREDENTIAL_SECRET_ENV}, which is not set` : `the key file ${keyPath} is missing`;
        throw new CredentialsError('CREDENTIALS_UNREADABLE', `cannot decrypt ${path}: ${hint}; set the same key again (or delete ${CREDENTIALS_FILE} and enter the credentials again)`);
      }
    }
    try {
      if (open(key, file.check, CHECK_AAD) !== CHECK_TEXT) throw new Error('check value differs');
    } catch {
      const written = file.key.source === 'env' ? `a key derived from ${CREDENTIAL_SECRET_ENV}` : `the key file ${keyPath}`;
      throw new CredentialsError(
        'CREDENTIALS_UNREADABLE',
        `cannot decrypt ${path} with ${keyDescription}: wrong key (the file was written with ${written}); restore that key, or delete ${CREDENTIALS_FILE} and enter the credentials again`,
      );
    }
    const entries = new Map<string, Readonly<Record<string, unknown>>>();
    for (const [id, sealed] of Object.entries(file.entries)) {
      try {
        const values: unknown = JSON.parse(open(key, sealed, entryAad(id)));
        if (isRecord(values)) entries.set(id, values);
      } catch {
        throw new CredentialsError('CREDENTIALS_UNREADABLE', `the credentials of connection "${id}" in ${path} are damaged (they fail authentication); enter them again`);
      }
    }
    return { key, keyInfo: file.key, entries };
  }

  async function ensureKey(state: Loaded): Promise<Buffer> {
    if (state.key) return state.key;
    if (secret) {
      const salt = randomBytes(16);
      state.key = await scrypt(secret, salt, SCRYPT);
      state.keyInfo = { source: 'env', kdf: 'scrypt', salt: salt.toString('base64'), ...SCRYPT };
    } else {
      state.key = (await readKeyFile(true))!;
      state.keyInfo = { source: 'file' };
    }
    return state.key;
  }

  async function persist(state: Loaded): Promise<void> {
    if (filePath === undefined) return;
    const key = await ensureKey(state);
    const entries: Record<string, Sealed> = {};
    for (const [id, values] of [...state.entries].sort(([a], [b]) => a.localeCompare(b))) entries[id] = seal(key, JSON.stringify(values), entryAad(id));
    const file: CredentialsFile = { format: 'plantwire-credentials', version: 1, cipher: 'aes-256-gcm', key: state.keyInfo!, check: seal(key, CHECK_TEXT, CHECK_AAD), entries };
    try {
      await mkdir(dataDir!, { recursive: true });
      await writeFileAtomically(filePath, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    } catch (err) {
      throw new CredentialsError('CREDENTIALS_WRITE_FAILED', `writing ${filePath} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Apply a change to the loaded state and write it; a failed write undoes the change in memory. */
  function change(id: string, apply: (entries: Map<string, Readonly<Record<string, unknown>>>) => boolean): Promise<boolean> {
    const run = writing.then(async () => {
      const state = await load();
      const before = state.entries.get(id);
      const changed = apply(state.entries);
      if (!changed) return false;
      try {
        await persist(state);
      } catch (err) {
        if (before === undefined) state.entries.delete(id);
        else state.entries.set(id, before);
        throw err;
      }
      bump(id);
      return true;
    });
    writing = run.catch(() => undefined);
    return run;
  }

  return {
    async get(id) {
      return (await load()).entries.get(id);
    },
    async put(id, values) {
      const copy = Object.freeze({ ...values });
      await change(id, (entries) => (entries.set(id, copy), true));
    },
    async fields(id) {
      const values = (await load()).entries.get(id);
      return values ? Object.keys(values).filter((k) => values[k] !== undefined) : [];
    },
    remove(id) {
      return change(id, (entries) => entries.delete(id));
    },
    revision: (id) => revisions.get(id) ?? 0,
  };
}

/**
 * Check credential values against a connection type's `credentials` schema: unknown fields and
 * wrong types are a CredentialsError naming the connection and the field (never the value).
 * Returns the parsed values.
 */
export function checkCredentials(connectionType: AnyConnectionType, connectionId: string, values: unknown): Record<string, unknown> {
  const where = `credentials of connection "${connectionId}" (${connectionType.type})`;
  if (!isRecord(values)) throw new CredentialsError('CREDENTIALS_INVALID', `${where}: expected an object of fields, got ${values === null ? 'null' : Array.isArray(values) ? 'an array' : typeof values}`);
  const schema = connectionType.credentials;
  const known = connectionType.credentialFields;
  const unknown = Object.keys(values).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    const expected = known.length > 0 ? `expected only: ${known.join(', ')}` : `"${connectionType.type}" takes no credentials`;
    throw new CredentialsError('CREDENTIALS_INVALID', `${where}: unknown field${unknown.length > 1 ? 's' : ''} "${unknown.join('", "')}"; ${expected}`);
  }
  if (!schema) return {};
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  // zod's own messages say what was expected, not what was received, so they carry no secret.
  const problems = parsed.error.issues.map((issue) => `field "${issue.path.map(String).join('.') || '(root)'}": ${issue.message}`);
  throw new CredentialsError('CREDENTIALS_INVALID', `${where}: ${problems.join('; ')}`);
}
