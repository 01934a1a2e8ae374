import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConnection } from '@plantwire/node-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { checkCredentials, createCredentialStore } from './credential-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plantwire-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const readJson = async () => JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8')) as { entries: Record<string, unknown> };

describe('createCredentialStore', () => {
  it('round-trips values through the encrypted file and counts revisions', async () => {
    const store = createCredentialStore({ dataDir: dir, env: {} });
    expect(await store.fields('a')).toEqual([]);
    expect(store.revision('a')).toBe(0);
    await store.put('a', { user: 'edge', password: 'secret-1' });
    await store.put('b', { token: 'secret-2' });
    expect(store.revision('a')).toBe(1);
    expect(await store.fields('a')).toEqual(['user', 'password']);

    const again = createCredentialStore({ dataDir: dir, env: {} });
    expect(await again.get('a')).toEqual({ user: 'edge', password: 'secret-1' });
    expect(await again.remove('a')).toBe(true);
    expect(again.revision('a')).toBe(1);
    expect(Object.keys((await readJson()).entries)).toEqual(['b']);
  });

  it('binds each entry to its connection id: swapped ciphertexts fail authentication', async () => {
    const store = createCredentialStore({ dataDir: dir, env: {} });
    await store.put('a', { password: 'secret-a' });
    await store.put('b', { password: 'secret-b' });
    const file = (await readJson()) as { entries: Record<string, unknown> };
    await writeFile(join(dir, 'credentials.json'), JSON.stringify({ ...file, entries: { a: file.entries['b'], b: file.entries['a'] } }));
    await expect(createCredentialStore({ dataDir: dir, env: {} }).get('a')).rejects.toThrow(/the credentials of connection "a" in .* are damaged/);
  });

  it('says what is wrong with a file it cannot use', async () => {
    const store = createCredentialStore({ dataDir: dir, env: {} });
    await store.put('a', { password: 'secret-a' });
    await rm(join(dir, 'credential.key'));
    await expect(createCredentialStore({ dataDir: dir, env: {} }).fields('a')).rejects.toThrow(/cannot decrypt .* the key file .*credential\.key is missing/);
    await writeFile(join(dir, 'credentials.json'), '{ nope');
    await expect(createCredentialStore({ dataDir: dir, env: {} }).fields('a')).rejects.toThrow(/credentials\.json is not valid JSON/);
    await writeFile(join(dir, 'credentials.json'), '{"format":"something-else"}');
    await expect(createCredentialStore({ dataDir: dir, env: {} }).fields('a')).rejects.toThrow(/is not a Plantwire credentials file/);
  });

  it('serialises concurrent writes so none is lost', async () => {
    const store = createCredentialStore({ dataDir: dir, env: {} });
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.put(`c${i}`, { password: `secret-${i}` })));
    const again = createCredentialStore({ dataDir: dir, env: {} });
    expect(await Promise.all(Array.from({ length: 10 }, (_, i) => again.get(`c${i}`)))).toEqual(Array.from({ length: 10 }, (_, i) => ({ password: `secret-${i}` })));
  });

  it('keeps values in memory without a data directory', async () => {
    const store = createCredentialStore({ dataDir: undefined, env: {} });
    await store.put('a', { password: 'x' });
    expect(await store.get('a')).toEqual({ password: 'x' });
  });
});

describe('checkCredentials', () => {
  const withCreds = defineConnection({
    type: 'with-creds',
    version: 1,
    summary: 'x',
    config: z.object({}),
    credentials: z.object({ user: z.string(), password: z.string().min(8) }),
    connect: async () => ({}),
    disconnect: async () => undefined,
  });
  const without = defineConnection({ type: 'without', version: 1, summary: 'x', config: z.object({}), connect: async () => ({}), disconnect: async () => undefined });

  it('returns the parsed values, or names the field (never the value)', () => {
    expect(checkCredentials(withCreds, 'c', { user: 'u', password: 'long-enough' })).toEqual({ user: 'u', password: 'long-enough' });
    expect(() => checkCredentials(withCreds, 'c', { user: 'u', password: 'short' })).toThrow(/^credentials of connection "c" \(with-creds\): field "password": Too small/);
    expect(() => checkCredentials(withCreds, 'c', { password: 'long-enough' })).toThrow(/field "user"/);
    expect(() => checkCredentials(withCreds, 'c', 'password')).toThrow(/expected an object of fields, got string/);
    expect(() => checkCredentials(without, 'c', { token: 't' })).toThrow('credentials of connection "c" (without): unknown field "token"; "without" takes no credentials');
    expect(checkCredentials(without, 'c', {})).toEqual({});
  });
});
