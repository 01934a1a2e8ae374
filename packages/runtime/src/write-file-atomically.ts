import { link, open, rename, rm } from 'node:fs/promises';

let sequence = 0;

/**
 * Write `text` to a temp file beside `file`, fsync it, and rename it over `file`: a reader (or the
 * next start after a crash) sees the old file or the new one, never half of one. The temp file is
 * removed when any step fails; the error is rethrown for the caller to name what was being saved.
 * Used for everything in the data directory: context, credentials, the server's flows.json.
 */
export async function writeFileAtomically(file: string, text: string, options: { readonly mode?: number } = {}): Promise<void> {
  // pid + a counter: unique among concurrent writes of this process and of another one sharing the directory.
  const temp = `${file}.${process.pid}.${++sequence}.tmp`;
  try {
    const handle = await open(temp, 'w', options.mode ?? 0o666);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/**
 * Create `file` with `text` unless it exists (then reject with EEXIST, like the `wx` flag): the
 * text goes to a synced temp file that is then hard-linked into place, so a crash never leaves a
 * half-written file (a credential key cut short would lock the credentials away for good).
 */
export async function createFileAtomically(file: string, text: string, options: { readonly mode?: number } = {}): Promise<void> {
  const temp = `${file}.${process.pid}.${++sequence}.tmp`;
  try {
    const handle = await open(temp, 'wx', options.mode ?? 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temp, file);
  } finally {
    await rm(temp, { force: true });
  }
}
