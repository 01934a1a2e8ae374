// Flood probe (run with `node --expose-gc --import tsx`): a server whose debug node receives
// FLOOD_RATE msg/s for FLOOD_SECONDS while the parent process holds an editor socket open.
// Prints JSON lines: {"url"} when listening, then {"emitted","heapGrowthMb","peakGrowthMb"} at the end.
// The parent connects first and sends "go\n" on stdin; measuring starts after a warm-up second.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coreNodes } from '@plantwire/nodes-core';
import { createPlantwireServer } from '../create-plantwire-server.js';
import { SMALL_FLOW } from './start-test-server.js';

const seconds = Number(process.env['FLOOD_SECONDS'] ?? 5);
const rate = Number(process.env['FLOOD_RATE'] ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('flood-probe needs node --expose-gc');

const dataDir = mkdtempSync(join(tmpdir(), 'plantwire-flood-'));
const server = await createPlantwireServer({ nodeTypes: coreNodes, port: 0, env: {}, dataDir, initialDocument: SMALL_FLOW });
let emitted = 0;
let accepted = 0;
server.runtime.on('debug', () => emitted++);
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));

const flood = async (durationMs: number) => {
  const start = performance.now();
  let sent = 0;
  let peak = 0;
  while (performance.now() - start < durationMs) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    for (; sent < due; sent++) if (server.runtime.inject('print', { payload: { n: sent, reading: 20 + (sent % 100) / 10, text: 'x'.repeat(200) } })) accepted++;
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return peak;
};

await flood(1000); // warm-up: JIT, socket buffers, maps reach their steady size
gc();
const before = process.memoryUsage().heapUsed;
const peak = await flood(seconds * 1000);
// Measure what stays once the queues are empty: every accepted message has reached the debug node
// (bounded: a stuck queue ends the probe with what it has).
const drainedBy = performance.now() + 10_000;
while (emitted < accepted && performance.now() < drainedBy) await new Promise((resolve) => setImmediate(resolve));
gc();
const after = process.memoryUsage().heapUsed;
process.stdout.write(`${JSON.stringify({ emitted, heapGrowthMb: (after - before) / 2 ** 20, peakGrowthMb: (peak - before) / 2 ** 20 })}\n`);
await server.close();
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
