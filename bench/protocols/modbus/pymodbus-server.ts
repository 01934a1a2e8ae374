/**
 * The pymodbus peer of the Modbus benchmark: `pymodbus-bench-server.py` in its own process, on an
 * ephemeral port of 127.0.0.1, counting the read requests it answers.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { endChild, lineChannel } from '../../spawn-measured.js';

const SCRIPT = fileURLToPath(new URL('./pymodbus-bench-server.py', import.meta.url));

/** One unit id and the size of each of its tables (registers or bits from address 0; 0 = none used). */
export interface ServerUnit {
  readonly id: number;
  readonly holding?: number;
  readonly input?: number;
  readonly coil?: number;
  readonly discrete?: number;
}

export interface ServerLayout {
  readonly units: readonly ServerUnit[];
  /** A pause longer than this between two requests ends a burst (one poll cycle). */
  readonly burstGapMs?: number;
}

/** What the server answered so far. */
export interface ServerStats {
  /** Monotonic seconds (the server's clock). */
  readonly t: number;
  /** Read requests answered since start. */
  readonly reads: number;
  /** Requests per burst, for bursts that ended since the previous `stats()`. */
  readonly bursts: readonly number[];
  /** Milliseconds since the last request (-1 before the first). */
  readonly idleMs: number;
}

export interface BenchModbusServer {
  readonly port: number;
  readonly pid: number;
  /** Ask the server for its counters (one question at a time). */
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

/** Start the server; rejects with python's stderr when it cannot (python3 or pymodbus missing). */
export async function startBenchModbusServer(layout: ServerLayout, timeoutMs = 20_000): Promise<BenchModbusServer> {
  const child = spawn('python3', [SCRIPT, JSON.stringify(layout)], {
    env: { ...process.env, PYENV_VERSION: 'system' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const channel = lineChannel(child, 'the pymodbus server');
  let port: number;
  try {
    port = Number(await channel.expect('LISTENING ', timeoutMs));
  } catch (err) {
    await endChild(child);
    throw new Error(`${(err as Error).message}\n(is python3-pymodbus installed? scripts/ensure-system-packages.sh)`);
  }
  return {
    port,
    pid: child.pid!,
    stats: async () => JSON.parse(await channel.ask('stats', 'STATS ', 5000)) as ServerStats,
    stop: async () => {
      child.stdin.end();
      await endChild(child, 2000);
    },
  };
}
