import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scrapeMetrics, type Metrics } from './metrics.js';
import { readProcStatusKb } from './proc-status.js';

/** The repository root: `plantwire run` is started from there, as `pnpm plantwire run` does. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** One line a debug node printed: `{node, name, msgId, time, value}`. */
export interface DebugLine {
  readonly node: string;
  readonly name: string | null;
  readonly msgId: string;
  readonly time: string;
  readonly value: unknown;
}

/** A `plantwire run` child process running one flow document on a fresh data dir. */
export interface RuntimeProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  readonly dataDir: string;
  readonly metricsUrl: string;
  /** Every stderr line (JSON log lines), for assertions and failure messages. */
  readonly logs: readonly string[];
  /** Called for every debug line on stdout; returns the unsubscribe function. */
  onDebug(listener: (line: DebugLine) => void): () => void;
  /** GET /metrics, parsed. */
  metrics(): Promise<Metrics>;
  /** Peak resident set size of the process so far (VmHWM), in MB. */
  peakRssMb(): Promise<number>;
  /** True while the process has not exited. */
  alive(): boolean;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
  /** SIGTERM and wait for the exit; SIGKILL after `timeoutMs`. Resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | string>;
  /** SIGKILL and wait (a crash of the edge box). */
  kill(): Promise<void>;
  /** Remove the data dir (and the flow file); the process must have exited. */
  cleanUp(): Promise<void>;
}

/** Options of {@link startRuntime}. */
export interface StartRuntimeOptions {
  /** Variables for `${NAME}` in the flow (over the process environment). */
  readonly env?: Record<string, string>;
  /** Reuse a data dir (a restart after a crash); default a fresh temporary one. */
  readonly dataDir?: string;
  /** How long to wait for the `running` log line. */
  readonly startTimeoutMs?: number;
}

/**
 * Write `flow` to a temporary file and start `node --import tsx apps/cli/src/main.ts run FILE
 * --data-dir DIR --metrics-port 0` (what `pnpm plantwire run` execs), then wait for its `running`
 * log line. The process is the runtime itself (no wrapper), so its pid's /proc status is the
 * runtime's memory.
 */
export async function startRuntime(flow: object, options: StartRuntimeOptions = {}): Promise<RuntimeProcess> {
  const ownDir = await mkdtemp(join(tmpdir(), 'plantwire-faults-'));
  const dataDir = options.dataDir ?? join(ownDir, 'data');
  const file = join(ownDir, 'flow.json');
  await writeFile(file, JSON.stringify(flow, null, 2));
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'apps/cli/src/main.ts'), 'run', file, '--data-dir', dataDir, '--metrics-port', '0'], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const debugListeners = new Set<(line: DebugLine) => void>();
  const exited = new Promise<number | string>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal ?? -1)));
  let exitCode: number | string | undefined;
  void exited.then((code) => (exitCode = code));

  splitLines(child, 'stdout', (line) => {
    if (!line.startsWith('{')) return;
    const parsed = JSON.parse(line) as DebugLine;
    for (const listener of debugListeners) listener(parsed);
  });
  let onLog: ((line: string) => void) | undefined;
  splitLines(child, 'stderr', (line) => {
    logs.push(line);
    onLog?.(line);
  });

  const running = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    const fail = (why: string) => reject(new Error(`plantwire run ${why} before its "running" line:\n${logs.join('\n')}`));
    const timer = setTimeout(() => fail(`gave no sign within ${timeoutMs} ms`), timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(`exited (${code})`);
    });
    onLog = (line) => {
      const entry = parseJson(line);
      if (entry?.['message'] === 'running') {
        clearTimeout(timer);
        onLog = undefined;
        resolve(entry);
      }
    };
  });
  const metricsUrl = String(running['metrics']);
  const pid = child.pid!;

  const alive = () => exitCode === undefined && child.exitCode === null && child.signalCode === null;
  return {
    pid,
    child,
    dataDir,
    metricsUrl,
    logs,
    onDebug(listener) {
      debugListeners.add(listener);
      return () => debugListeners.delete(listener);
    },
    metrics: () => scrapeMetrics(metricsUrl),
    async peakRssMb() {
      const status = await readProcStatusKb(pid);
      return Math.round((status.VmHWM ?? 0) / 1024);
    },
    alive,
    exited,
    async stop(timeoutMs = 15_000) {
      if (!alive()) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async cleanUp() {
      if (alive()) {
        child.kill('SIGKILL');
        await exited;
      }
      await rm(ownDir, { recursive: true, force: true });
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function splitLines(child: ChildProcess, stream: 'stdout' | 'stderr', onLine: (line: string) => void): void {
  let partial = '';
  child[stream]!.setEncoding('utf8');
  child[stream]!.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const line of parts) onLine(line);
  });
}

/** Parse a JSON log line, or undefined. */
export function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Log lines of `runtime` at `level` or worse (`warn` → warn and error), parsed. */
export function logsAtLeast(runtime: RuntimeProcess, level: 'warn' | 'error'): Array<Record<string, unknown>> {
  const levels = level === 'warn' ? ['warn', 'error'] : ['error'];
  return runtime.logs.map(parseJson).filter((e): e is Record<string, unknown> => e !== undefined && levels.includes(String(e['level'])));
}
