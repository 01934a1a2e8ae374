import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openDiskQueue } from './disk-queue.js';

const here = dirname(fileURLToPath(import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Run the writer until it acknowledged at least `atLeast` records, then SIGKILL it; the highest acknowledged index. */
function writeThenKill(dir: string, atLeast: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'kill9-writer.fixture.ts'), dir, '2000000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let acked = -1;
    let buffered = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the writer acknowledged only ${acked + 1} records within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) if (/^\d+$/.test(line)) acked = Math.max(acked, Number(line));
      if (!killed && acked + 1 >= atLeast) {
        killed = true;
        // Mid-stream: the writer is in the middle of its next batches when the signal lands.
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`the writer exited by itself (code ${code}, signal ${signal}) before it was killed; stderr: ${stderr}`));
      else resolve(acked);
    });
  });
}

describe('disk queue under kill -9', () => {
  it('every append acknowledged before SIGKILL is there after reopening, in order, none missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plantwire-kill9-'));
    dirs.push(dir);
    const acked = await writeThenKill(dir, 20_000, 30_000);
    expect(acked).toBeGreaterThanOrEqual(19_999);

    const warnings: string[] = [];
    const queue = openDiskQueue({ dir, maxBytes: 1e9, maxAgeSeconds: 3600, overflow: 'drop-oldest', fsync: 'never', segmentBytes: 64 * 1024, warn: (m) => warnings.push(m) });
    try {
      let expected = 0;
      for (let e = queue.take(); e !== undefined; e = queue.take()) {
        // In order and contiguous from 0: nothing lost, nothing reordered.
        if ((e.value as { payload: number }).payload !== expected) expect((e.value as { payload: number }).payload).toBe(expected);
        expected++;
        queue.done(e, 'delivered');
      }
      // Everything acknowledged is there; records written but not yet acknowledged may be too.
      expect(expected).toBeGreaterThan(acked);
      // A torn tail is possible (the kill may land mid-write) and is reported, never thrown.
      for (const w of warnings) expect(w).toMatch(/torn or corrupt tail/);
    } finally {
      await queue.close();
    }
  }, 60_000);
});
