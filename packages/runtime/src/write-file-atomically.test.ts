import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileAtomically, writeFileAtomically } from './write-file-atomically.js';

const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'plantwire-atomic-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('writeFileAtomically', () => {
  it('replaces the file with the new text, with the mode asked for, and leaves no temp file', async () => {
    const dir = scratch();
    const file = join(dir, 'flows.json');
    writeFileSync(file, 'old');
    await writeFileAtomically(file, 'new text', { mode: 0o600 });
    expect(readFileSync(file, 'utf8')).toBe('new text');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['flows.json']);
  });

  it('keeps the old file whole and removes its temp file when the last step fails', async () => {
    const dir = scratch();
    // A directory where the file should be: the rename over it fails after the temp file was written.
    const target = join(dir, 'context.json');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'kept');
    await expect(writeFileAtomically(target, '{"a":1}')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['context.json']);
    expect(readFileSync(join(target, 'inside'), 'utf8')).toBe('kept');
  });

  it('createFileAtomically creates a file once (EEXIST after), with mode 0600 and no temp file left', async () => {
    const dir = scratch();
    const file = join(dir, 'credential.key');
    await createFileAtomically(file, 'first\n');
    await expect(createFileAtomically(file, 'second\n')).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(file, 'utf8')).toBe('first\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['credential.key']);
  });
});
