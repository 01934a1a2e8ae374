/** The OPC UA server child (opcua-sim-child.ts) seen from the benchmark: start, counters, freeze, stop. */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { endChild, lineChannel } from '../../spawn-measured.js';

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
  const channel = lineChannel(child, 'OPC UA server child');
  let endpointUrl: string;
  try {
    endpointUrl = await channel.expect('READY ', timeoutMs);
  } catch (err) {
    await endChild(child);
    throw err;
  }
  return {
    endpointUrl,
    pid: child.pid!,
    stats: async () => JSON.parse(await channel.ask('stats', 'STATS ', 10_000)) as SimStats,
    freeze: async () => {
      await channel.ask('freeze', 'FROZEN', 10_000);
    },
    stop: async () => {
      child.stdin.end();
      await endChild(child, 5000);
    },
  };
}
