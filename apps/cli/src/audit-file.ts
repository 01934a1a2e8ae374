import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { deviceAuditEntry, type Runtime } from '@plantwire/runtime';
import type { JsonLogger } from './json-logger.js';

/** "cli:<OS user>": who runs `plantwire run` (there is no login). */
function cliUser(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    // No passwd entry for this uid (a container): the uid is all there is.
    return `cli:${process.getuid?.() ?? 'unknown'}`;
  }
}

/**
 * Append the runtime's device actions (`ctx.audit`: Modbus and OPC UA writes) to
 * `<dataDir>/audit.log` as the server does (docs/security.md#audit-log), one JSON line per entry,
 * appended with O_APPEND; without a data dir they go to the log. The revision is the hash of the
 * flow file's text. Returns a function that stops listening and closes the file.
 */
export function auditToFile(runtime: Runtime, options: { dataDir: string | undefined; flowText: string; logger: JsonLogger }): () => Promise<void> {
  const user = cliUser();
  // Hashed at the first device action: loading OpenSSL's hashing at start costs an idle edge
  // process ~2 MB of RSS, and most flows never write to a device.
  let revision: string | undefined;
  const file = options.dataDir === undefined ? undefined : join(options.dataDir, 'audit.log');
  let handle: Promise<FileHandle> | undefined;
  let queue: Promise<void> = Promise.resolve();
  const off = runtime.on('audit', (event) => {
    revision ??= createHash('sha256').update(options.flowText).digest('base64url').slice(0, 22);
    const entry = deviceAuditEntry(event, user, revision);
    if (file === undefined) {
      options.logger.info('device action', { audit: entry });
      return;
    }
    const line = `${JSON.stringify(entry, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`;
    queue = queue.then(async () => {
      try {
        handle ??= open(file, 'a', 0o600);
        await (await handle).write(line);
      } catch (err) {
        handle = undefined;
        options.logger.error('the audit log could not be written', { file, error: (err as Error).message });
      }
    });
  });
  return async () => {
    off();
    await queue;
    if (handle) await (await handle).close();
  };
}
