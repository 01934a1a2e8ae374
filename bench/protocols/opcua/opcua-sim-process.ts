/** The OPC UA server child (opcua-sim-child.ts) seen from the benchmark: start, counters, freeze, stop. */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { endChild } from '../../spawn-measured.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoDir = resolve(here, '..', '..', '..');

/** Cumulative counters of the server since it started. */
export interface SimStats {
  /** Monitored items that started sampling. */
  readonly itemsStarted: number;
  /** Values queued for the client (sampled changes). */
  readonly queued: number;
  /** Values discarded by a full monitored-item queue. */
  readonly overflows: number;
  /** Data change notifications sent in publish responses. */
  readonly sent: number;
  /** Publish responses with data. */
  readonly publishes: number;
  /** The child's performance.now(), ms. */
  readonly t: number;
}

export interface SimProcess {
  readonly endpointUrl: string;
  readonly pid: number;
  stats(): Promise<SimStats>;
  /** Stop sampling: nothing new is queued; what is queued is still published. */
  freeze(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOpcuaSim(options: { count: number; periodMs: number; dataDir: string; maxNotificationsPerPublish?: number; timeoutMs?: number }): Promise<SimProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'opcua-sim-child.ts'), JSON.stringify(options)], { cwd: repoDir, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let buffer = '';
  const waiting: Array<{ prefix: string; resolve: (rest: string) => void }> = [];
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buffer += d;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const i = waiting.findIndex((w) => line.startsWith(w.prefix));
      if (i >= 0) waiting.splice(i, 1)[0]!.resolve(line);
    }
  });
  const expect = (prefix: string, ms: number, what: string) =>
    new Promise<string>((resolveLine, reject) => {
      const timer = setTimeout(() => reject(new Error(`OPC UA server child: no ${what} within ${ms} ms\n${stderr.slice(-2000)}`)), ms);
      waiting.push({
        prefix,
        resolve: (rest) => {
          clearTimeout(timer);
          resolveLine(rest.slice(prefix.length).trim());
        },
      });
    });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`OPC UA server child exited (code ${code})\n${stderr.slice(-2000)}`))));
  exited.catch(() => undefined);
  let endpointUrl: string;
  try {
    endpointUrl = await Promise.race([expect('READY ', timeoutMs, 'READY line'), exited]);
  } catch (err) {
    await endChild(child);
    throw err;
  }
  return {
    endpointUrl,
    pid: child.pid!,
    stats: async () => {
      const answer = Promise.race([expect('STATS ', 10_000, 'STATS answer'), exited]);
      child.stdin.write('stats\n');
      return JSON.parse(await answer) as SimStats;
    },
    freeze: async () => {
      const answer = Promise.race([expect('FROZEN', 10_000, 'FROZEN answer'), exited]);
      child.stdin.write('freeze\n');
      await answer;
    },
    stop: async () => {
      child.stdin.end();
      await endChild(child, 5000);
    },
  };
}
