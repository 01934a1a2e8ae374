/**
 * The pymodbus peer of the Modbus benchmark: `pymodbus-bench-server.py` in its own process, on an
 * ephemeral port of 127.0.0.1, counting the read requests it answers.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { endChild } from '../../spawn-measured.js';

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
  let stdout = '';
  let stderr = '';
  const waiting: Array<(line: string) => void> = [];
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pymodbus server: not listening within ${timeoutMs} ms\n${stderr}`)), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      let nl: number;
      while ((nl = stdout.indexOf('\n')) >= 0) {
        const line = stdout.slice(0, nl);
        stdout = stdout.slice(nl + 1);
        const listening = /^LISTENING (\d+)/.exec(line);
        if (listening) {
          clearTimeout(timer);
          resolve(Number(listening[1]));
        } else if (line.startsWith('STATS ')) waiting.shift()?.(line.slice(6));
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start python3 for the pymodbus server: ${err.message} (install python3-pymodbus: scripts/ensure-system-packages.sh)`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the pymodbus server exited (code ${code}) before listening; is python3-pymodbus installed (scripts/ensure-system-packages.sh)?\n${stderr}`));
    });
  });
  return {
    port,
    pid: child.pid!,
    stats: () =>
      new Promise<ServerStats>((resolve, reject) => {
        if (child.exitCode !== null) return reject(new Error(`the pymodbus server has exited\n${stderr}`));
        const timer = setTimeout(() => reject(new Error('the pymodbus server did not answer "stats" within 5 s')), 5000);
        waiting.push((json) => {
          clearTimeout(timer);
          resolve(JSON.parse(json) as ServerStats);
        });
        child.stdin.write('stats\n');
      }),
    stop: async () => {
      child.stdin.end();
      await endChild(child, 2000);
    },
  };
}
