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

/**
 * Resolve with the first stdout/stderr line of `child` matching `ready`; reject (with the output's
 * tail) when a line matches `fail`, the child exits or errors first, or after `timeoutMs`.
 * `onLine` sees every line on the way.
 */
export function waitForLine(
  child: ChildProcess,
  ready: RegExp,
  timeoutMs: number,
  what: string,
  options: { readonly onLine?: (line: string) => void; readonly fail?: { readonly pattern: RegExp; readonly message: string } } = {},
): Promise<string> {
  return new Promise((resolveLine, reject) => {
    let tail = '';
    let pending = '';
    let done = false;
    const timer = setTimeout(() => finish(new Error(`${what}: no line matching ${ready} within ${timeoutMs} ms\n${tail.trim().slice(-2000)}`)), timeoutMs);
    const finish = (err?: Error, line?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolveLine(line!);
    };
    const onData = (d: string): void => {
      tail = (tail + d).slice(-8000);
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        options.onLine?.(line);
        if (done) continue;
        if (options.fail?.pattern.test(line)) finish(new Error(`${what}: ${options.fail.message}\n${tail.trim().slice(-2000)}`));
        else if (ready.test(line)) finish(undefined, line);
      }
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.stderr?.setEncoding('utf8').on('data', onData);
    child.once('error', (err) => finish(err));
    child.once('exit', (code, signal) => finish(new Error(`${what} exited (${signal ?? `code ${code}`}) before it was ready\n${tail.trim().slice(-2000)}`)));
  });
}

/** A child that prints prefixed lines on stdout, some of them answers to commands on its stdin. */
export interface LineChannel {
  /** The rest of the next stdout line starting with `prefix` (trimmed); rejects after `timeoutMs` or when the child exits. */
  expect(prefix: string, timeoutMs: number): Promise<string>;
  /** Write `command` and a newline, and wait for the answer line starting with `prefix`. */
  ask(command: string, prefix: string, timeoutMs: number): Promise<string>;
  /** The last 4,000 characters of the child's stderr, for error messages. */
  stderrTail(): string;
}

/** Read `child`'s stdout line by line and hand each line to whoever waits for its prefix; `what` names the child in errors. */
export function lineChannel(child: ChildProcess, what: string): LineChannel {
  let stderr = '';
  let buffer = '';
  const waiting: Array<{ prefix: string; resolve: (line: string) => void }> = [];
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    buffer += d;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const i = waiting.findIndex((w) => line.startsWith(w.prefix));
      if (i >= 0) waiting.splice(i, 1)[0]!.resolve(line);
    }
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (err) => reject(new Error(`${what}: ${err.message}`)));
    child.once('exit', (code) => reject(new Error(`${what} exited (code ${code})\n${stderr.slice(-2000)}`)));
  });
  exited.catch(() => undefined);
  const expect = (prefix: string, timeoutMs: number): Promise<string> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const line = new Promise<string>((resolveLine, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no "${prefix.trim()}" line within ${timeoutMs} ms\n${stderr.slice(-2000)}`)), timeoutMs);
      waiting.push({ prefix, resolve: (l) => resolveLine(l.slice(prefix.length).trim()) });
    });
    return Promise.race([line, exited]).finally(() => clearTimeout(timer));
  };
  return {
    expect,
    ask(command, prefix, timeoutMs) {
      const answer = expect(prefix, timeoutMs);
      child.stdin?.write(`${command}\n`);
      return answer;
    },
    stderrTail: () => stderr,
  };
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
  try {
    await waitForLine(child, options.ready, options.timeoutMs, `${command} ${args.join(' ')}`);
    const readyMs = performance.now() - t0;
    await new Promise((resolve) => setTimeout(resolve, options.idleMs));
    if (child.pid === undefined || child.exitCode !== null) throw new Error(`${command} ${args.join(' ')}: exited while idling`);
    return { readyMs, idleRssMb: rssMb(child.pid) };
  } finally {
    child.removeAllListeners('exit');
    await endChild(child);
  }
}
