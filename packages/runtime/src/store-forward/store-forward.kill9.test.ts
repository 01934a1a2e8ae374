import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Runtime } from '../api.js';
import { createRuntime } from '../create-runtime.js';
import { fakeLink, fakeSink, link } from './store-forward.fixture.js';

const here = dirname(fileURLToPath(import.meta.url));
const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  link.up = true;
  link.delivered = [];
});

/** Run the child runtime until it reported at least `atLeast` accepted messages, then SIGKILL it; the accepted payloads in report order. */
function acceptThenKill(dataDir: string, atLeast: number, timeoutMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'runtime-kill9.fixture.ts'), dataDir, '500000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const accepted: number[] = [];
    let partial = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child runtime accepted only ${accepted.length} messages within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) if (/^\d+$/.test(line)) accepted.push(Number(line));
      if (!killed && accepted.length >= atLeast) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`the child runtime exited by itself (code ${code}, signal ${signal}); stderr: ${stderr}`));
      else resolve(accepted);
    });
  });
}

describe('store-and-forward under kill -9 of the runtime', () => {
  it('every message the sink accepted before SIGKILL is delivered, in order, by the next runtime on the same data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'plantwire-sf-kill9-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const accepted = await acceptThenKill(dataDir, 3000, 30_000);
    expect(accepted.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);

    link.up = true;
    const rt: Runtime = createRuntime({ nodeTypes: [fakeSink], connectionTypes: [fakeLink], env: {}, dataDir, connectionBackoff: { initialMs: 10, maxMs: 40 } });
    cleanups.push(() => rt.stop({ drainTimeoutMs: 100 }));
    const result = await rt.deploy({
      version: 1,
      connections: [{ id: 'link', type: 'fake-link', config: {} }],
      nodes: [{ id: 'sink', type: 'fake-sink', config: { link: 'link', buffer: { replayRatePerSecond: 1_000_000 } } }],
      wires: [],
    });
    expect(result).toMatchObject({ ok: true });
    const last = accepted.at(-1)!;
    await vi.waitFor(() => expect(link.delivered.length).toBeGreaterThan(last), { timeout: 20_000, interval: 20 });
    await vi.waitFor(() => expect(rt.metrics()['sink']!.buffer!.queued).toBe(0), { timeout: 20_000, interval: 20 });
    // In order from 0, none missing: everything accepted, and possibly a few written but not yet reported.
    const delivered = link.delivered.map((m) => m.payload);
    expect(delivered).toEqual(Array.from({ length: delivered.length }, (_, i) => i));
    expect(delivered.length).toBeGreaterThan(last);
  }, 60_000);
});
