/**
 * Child processes of the benchmark: a driver that prints one result line, and a system's own
 * command spawned for the start-up measurement. Every child is bounded in time and ended by its
 * own pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ERROR_PREFIX, RESULT_PREFIX, type DriverRequest, type DriverResult } from './drivers/driver-protocol.js';
import { rssMb } from './drivers/measure-throughput.js';

/** End a child we started: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function endChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Run a driver bundle with `nodeBin`, hand it `request`, and return its result line. */
export async function runDriverChild(nodeBin: string, script: string, request: DriverRequest, timeoutMs: number): Promise<DriverResult> {
  const child = spawn(nodeBin, ['--expose-gc', script, JSON.stringify(request)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void endChild(child, 1000);
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => resolve(c));
  }).finally(() => clearTimeout(timer));
  const lines = stdout.split('\n');
  const result = lines.find((l) => l.startsWith(RESULT_PREFIX));
  if (result) return JSON.parse(result.slice(RESULT_PREFIX.length)) as DriverResult;
  const error = lines.find((l) => l.startsWith(ERROR_PREFIX));
  const why = error ? (JSON.parse(error.slice(ERROR_PREFIX.length)) as string) : timedOut ? `no result within ${timeoutMs} ms` : `exited with code ${code} and no result`;
  throw new Error(`${script}: ${why}${stderr ? `\n--- stderr (tail) ---\n${stderr.trim()}` : ''}`);
}

export interface StartupMeasurement {
  /** Spawn → the ready line. */
  readonly readyMs: number;
  /** VmRSS after idling `idleMs` past ready. */
  readonly idleRssMb: number;
}

/**
 * Spawn `command`, wait for a stdout/stderr line matching `ready`, idle `idleMs`, read the child's
 * VmRSS, and end it. The child must be the measured process itself (not a wrapper that forks).
 */
export async function measureStartup(
  command: string,
  args: readonly string[],
  options: { ready: RegExp; idleMs: number; timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv },
): Promise<StartupMeasurement> {
  const t0 = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd, env: options.env ?? process.env });
  let output = '';
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${options.ready} within ${options.timeoutMs} ms`)), options.timeoutMs);
      const onData = (d: string): void => {
        output = (output + d).slice(-8000);
        if (options.ready.test(output)) {
          clearTimeout(timer);
          resolve(performance.now() - t0);
        }
      };
      child.stdout.setEncoding('utf8').on('data', onData);
      child.stderr.setEncoding('utf8').on('data', onData);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with code ${code} before it was ready`));
      });
    });
    await new Promise((resolve) => setTimeout(resolve, options.idleMs));
    if (child.pid === undefined || child.exitCode !== null) throw new Error('exited while idling');
    return { readyMs, idleRssMb: rssMb(child.pid) };
  } catch (err) {
    throw new Error(`${command} ${args.join(' ')}: ${err instanceof Error ? err.message : String(err)}\n--- output (tail) ---\n${output.trim().slice(-2000)}`);
  } finally {
    child.removeAllListeners('exit');
    await endChild(child);
  }
}
