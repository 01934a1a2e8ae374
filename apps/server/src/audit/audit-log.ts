import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditEntry } from '@plantwire/protocol';

export type { AuditEntry };

/** `<dataDir>/audit.log`: JSON lines, appended; memory only (the last entries) without a data dir. */
export interface AuditLog {
  /** Append one entry (one write of one line, O_APPEND); resolves when it is written. Never rejects: a failure goes to `onError`. */
  append(entry: AuditEntry): Promise<void>;
  /** The last `limit` entries, oldest first. */
  tail(limit: number): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

/** Entries kept in memory without a data dir, and the most a tail reads. */
export const MAX_AUDIT_TAIL = 1000;
/** A tail reads at most this much of the end of the file (bounded memory however long the log). */
const TAIL_BYTES = 4 * 1024 * 1024;

/** One line of JSON: bigints as decimal strings, binary as hex, nothing that breaks a line. */
export function auditLine(entry: AuditEntry): string {
  return `${JSON.stringify(entry, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))}\n`;
}

/**
 * Open the audit log of a data dir (or a memory-only one). Writes are queued, so entries land in
 * the order they were appended, each with one `write` on a file opened with O_APPEND: another
 * process appending too (a second server on the same dir) never interleaves inside a line.
 */
export function createAuditLog(options: { dataDir: string | undefined; onError: (err: Error) => void }): AuditLog {
  const file = options.dataDir === undefined ? undefined : join(options.dataDir, 'audit.log');
  const memory: AuditEntry[] = [];
  let handle: Promise<FileHandle> | undefined;
  let queue: Promise<void> = Promise.resolve();

  return {
    append(entry) {
      if (file === undefined) {
        memory.push(entry);
        if (memory.length > MAX_AUDIT_TAIL) memory.shift();
        return Promise.resolve();
      }
      const line = auditLine(entry);
      queue = queue.then(async () => {
        try {
          handle ??= openForAppend(file);
          await (await handle).write(line);
        } catch (err) {
          handle = undefined;
          options.onError(new Error(`cannot append to ${file}: ${(err as Error).message}`, { cause: err }));
        }
      });
      return queue;
    },
    async tail(limit) {
      const n = Math.max(0, Math.min(limit, MAX_AUDIT_TAIL));
      if (file === undefined) return memory.slice(memory.length - n);
      await queue;
      let text: string;
      try {
        const { size } = await stat(file);
        if (size <= TAIL_BYTES) text = await readFile(file, 'utf8');
        else {
          const fh = await open(file, 'r');
          try {
            const buffer = Buffer.alloc(TAIL_BYTES);
            await fh.read(buffer, 0, TAIL_BYTES, size - TAIL_BYTES);
            // The first line is likely cut: drop it.
            text = buffer.toString('utf8').split('\n').slice(1).join('\n');
          } finally {
            await fh.close();
          }
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw new Error(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
      }
      const lines = text.split('\n');
      const entries: AuditEntry[] = [];
      for (let i = lines.length - 1; i >= 0 && entries.length < n; i--) {
        const line = lines[i]!;
        if (line.trim() === '') continue;
        try {
          entries.push(JSON.parse(line) as AuditEntry);
        } catch {
          // A line cut by a crash mid-append: skip it, the rest of the log stands.
        }
      }
      return entries.reverse();
    },
    async close() {
      await queue;
      const h = handle;
      handle = undefined;
      if (h) await (await h).close();
    },
  };
}

/**
 * Open with O_APPEND; when a crash cut the last line short, end it first, so the next entry starts
 * on a line of its own (the cut line is skipped by readers).
 */
async function openForAppend(file: string): Promise<FileHandle> {
  const handle = await open(file, 'a+', 0o600);
  const { size } = await handle.stat();
  if (size > 0) {
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] !== 0x0a) await handle.write('\n');
  }
  return handle;
}
