import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { mqttConnections } from '@plantwire/nodes-mqtt';
import { createRuntime } from '@plantwire/runtime';
import { createFlowStore } from './flow-store.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '../../..');
const child = join(here, 'test-support/save-then-crash.child.ts');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Run the child until its save has written and synced the temp file and is about to rename it,
 * then SIGKILL it there. Resolves with the temp file's path (read before the kill).
 */
async function crashMidSave(kind: 'flows' | 'credentials', dataDir: string): Promise<{ temp: string; tempText: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, kind, dataDir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<string | number | null>((resolve) => proc.on('exit', (code, signal) => resolve(signal ?? code)));
  const temp = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /RENAMING (\S+)\n/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then((how) => reject(new Error(`the child ended (${String(how)}) before renaming: ${stderr}`)));
  });
  const tempText = readFileSync(temp, 'utf8');
  proc.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  return { temp, tempText };
}

describe('a crash mid-save leaves the data dir as it was', () => {
  it('flows.json: the old document stays whole and loads', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'plantwire-crash-'));
    dirs.push(dataDir);
    const store = await createFlowStore({ dataDir, initial: undefined });
    await store.save({ version: 1, name: 'the old flow', nodes: [], wires: [] } as never);
    const before = readFileSync(join(dataDir, 'flows.json'), 'utf8');

    const { temp, tempText } = await crashMidSave('flows', dataDir);
    // The new text was written in full, only never published.
    expect(tempText).toContain('the new flow, never published');
    expect(existsSync(temp)).toBe(true);
    expect(readFileSync(join(dataDir, 'flows.json'), 'utf8')).toBe(before);
    const reloaded = await createFlowStore({ dataDir, initial: undefined });
    expect(reloaded.current().document).toMatchObject({ name: 'the old flow' });
  }, 30_000);

  it('credentials.json: the old encrypted store stays whole and decrypts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'plantwire-crash-'));
    dirs.push(dataDir);
    const runtime = createRuntime({ nodeTypes: [], connectionTypes: mqttConnections, dataDir, env: {} });
    await runtime.credentials.set('broker', { password: 'the old test value' }, { type: 'mqtt-broker' });
    await runtime.stop();
    const before = readFileSync(join(dataDir, 'credentials.json'), 'utf8');

    await crashMidSave('credentials', dataDir);
    expect(readFileSync(join(dataDir, 'credentials.json'), 'utf8')).toBe(before);
    const again = createRuntime({ nodeTypes: [], connectionTypes: mqttConnections, dataDir, env: {} });
    // Readable with the same key: has() decrypts the store (a damaged file would reject).
    expect(await again.credentials.has('broker')).toEqual(['password']);
    await again.stop();
  }, 30_000);
});
