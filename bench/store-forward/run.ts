/**
 * `pnpm bench:store-forward [--quick] [--write]`
 *
 * Disk-queue throughput of store-and-forward (docs/store-and-forward.md): messages/s appended
 * (write) and taken and confirmed after a reopen (replay), for a 50-tag JSON message, under each
 * fsync policy. Each phase is bounded: 200,000 messages or 10 s (quick: 20,000 or 2 s). Appends
 * are issued 100 at a time, as a runtime batch hands them over, so `interval` and `always` commit
 * in groups. Prints Markdown; with `--write` replaces the store-forward block of bench/RESULTS.md
 * (between `<!-- store-forward:begin -->` and `<!-- store-forward:end -->`, appended when absent).
 *
 * The queue lives under the bench scratch directory (`PLANTWIRE_BENCH_DIR`, default the OS temp
 * dir): fsync figures only mean something on a real disk, so the file system type is printed.
 * Then the cost of durability on the MQTT pipeline through mosquitto (pipeline-durability.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDiskQueue, type FsyncPolicy, type MessageQueue } from '@plantwire/runtime';
import { scratchDir } from '../node-red-install.js';
import { measureDurability } from './pipeline-durability.js';
import { replaceStoreForwardBlock } from './results-block.js';

const here = dirname(fileURLToPath(import.meta.url));
const benchDir = dirname(here);
const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface Options {
  readonly quick: boolean;
  readonly write: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const options = { quick: false, write: false };
  for (const arg of argv) {
    if (arg === '--') continue;
    if (arg === '--quick') options.quick = true;
    else if (arg === '--write') options.write = true;
    else if (arg === '--help') {
      process.stdout.write('pnpm bench:store-forward [--quick] [--write]\n');
      process.exit(0);
    } else throw new Error(`bench:store-forward: unknown option "${arg}" (known: --quick --write --help)`);
  }
  return options;
}

/** A message as an OPC UA or Modbus poll of 50 tags would make it. */
function message(i: number): Record<string, unknown> {
  const tags: Record<string, unknown> = {};
  const sourceTime = new Date(1_780_000_000_000 + i * 100).toISOString();
  for (let t = 0; t < 50; t++) tags[`line1.cell${Math.floor(t / 10)}.tag${t}`] = { value: Math.round((i * 0.37 + t * 1.1) * 1000) / 1000, quality: 'good', sourceTime };
  return { _msgid: `bench-${i}`, topic: 'plant/line1/poll', payload: tags };
}

interface PhaseResult {
  readonly messages: number;
  readonly seconds: number;
  readonly bytes: number;
}

const BATCH = 100;

async function measureWrite(queue: MessageQueue, maxMessages: number, maxSeconds: number, messages: readonly Record<string, unknown>[]): Promise<PhaseResult> {
  const t0 = performance.now();
  const deadline = t0 + maxSeconds * 1000;
  let n = 0;
  while (n < maxMessages && performance.now() < deadline) {
    const batch: Array<Promise<boolean>> = [];
    for (let i = 0; i < BATCH && n < maxMessages; i++, n++) batch.push(queue.append(messages[n % messages.length]!));
    await Promise.all(batch);
  }
  return { messages: n, seconds: (performance.now() - t0) / 1000, bytes: queue.counters().bytes };
}

function measureReplay(queue: MessageQueue, maxSeconds: number): PhaseResult {
  const bytes = queue.counters().bytes;
  const total = Math.max(1, queue.size);
  const t0 = performance.now();
  const deadline = t0 + maxSeconds * 1000;
  let n = 0;
  for (let e = queue.take(); e !== undefined; e = queue.take()) {
    queue.done(e, 'delivered');
    n++;
    if ((n & 1023) === 0 && performance.now() > deadline) break;
  }
  return { messages: n, seconds: (performance.now() - t0) / 1000, bytes: (bytes * n) / total };
}

function fileSystemOf(dir: string): string {
  try {
    return execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const rate = (r: PhaseResult): string => (r.seconds === 0 ? '—' : Math.round(r.messages / r.seconds).toLocaleString('en-US'));
const mbps = (r: PhaseResult): string => (r.seconds === 0 ? '—' : (r.bytes / 1e6 / r.seconds).toFixed(1));

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const maxMessages = options.quick ? 20_000 : 200_000;
  const maxSeconds = options.quick ? 2 : 10;
  const root = join(scratchDir(), 'store-forward');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const messages = Array.from({ length: 1000 }, (_, i) => message(i));
  const recordBytes = Buffer.byteLength(JSON.stringify(messages[0]));
  const load0 = loadavg()[0] ?? 0;
  const rows: string[] = [];
  for (const fsync of ['never', 'interval', 'always'] as FsyncPolicy[]) {
    const dir = join(root, fsync);
    const warn = (m: string): void => log(`  warning: ${m}`);
    const budget = { maxBytes: 10e9, maxAgeSeconds: 86_400, overflow: 'drop-oldest' as const };
    log(`■ fsync ${fsync}: writing…`);
    const writer = openDiskQueue({ dir, ...budget, fsync, warn });
    const write = await measureWrite(writer, maxMessages, maxSeconds, messages);
    await writer.close();
    const t0 = performance.now();
    const reader = openDiskQueue({ dir, ...budget, fsync, warn });
    const openSeconds = (performance.now() - t0) / 1000;
    log(`  replaying ${reader.size} messages…`);
    const replay = measureReplay(reader, maxSeconds);
    await reader.close();
    rows.push(`| \`${fsync}\` | ${write.messages.toLocaleString('en-US')} | ${rate(write)} | ${mbps(write)} | ${(openSeconds * 1000).toFixed(0)} | ${rate(replay)} | ${mbps(replay)} |`);
    rmSync(dir, { recursive: true, force: true });
  }
  const durability = await measureDurability({ quick: options.quick, scratch: scratchDir(), log });
  for (const problem of durability.problems) log(`  problem: ${problem}`);
  const load1 = loadavg()[0] ?? 0;
  const body = [
    '## Store and forward: disk queue',
    '',
    `${new Date().toISOString().slice(0, 10)}, ${options.quick ? 'quick' : 'full'} run; Node ${process.version}; ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}; load ${load0.toFixed(2)} → ${load1.toFixed(2)}; queue on ${fileSystemOf(root)}.`,
    `One message: 50 tags (value, quality, sourceTime), ${recordBytes} bytes as JSON. Appends 100 at a time; each phase bounded by ${maxMessages.toLocaleString('en-US')} messages or ${maxSeconds} s. Replay: reopen (scan and CRC check of every record), then take and confirm in order, deserialising each (no delivery, no rate limit).`,
    '',
    '| fsync | messages | write msg/s | write MB/s | reopen ms | replay msg/s | replay MB/s |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    durability.markdown,
  ].join('\n');
  process.stdout.write(`${body}\n`);
  if (options.write) {
    const file = join(benchDir, 'RESULTS.md');
    const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
    writeFileSync(file, replaceStoreForwardBlock(previous, body));
    log(`wrote the store-forward block of ${file}`);
  }
  rmSync(root, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  log(`bench:store-forward failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
