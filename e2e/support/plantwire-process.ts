import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The repository root: the CLI runs from there (tsx and the workspace packages resolve from it). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** `plantwire` from source, as `pnpm plantwire` runs it. */
export const CLI_ARGS = ['--import', 'tsx', join(REPO_ROOT, 'apps/cli/src/main.ts')] as const;

const EDITOR_LINE = /^Plantwire editor: (http:\/\/\S+)$/;
/** How much of a child's stderr is kept to explain a failure. */
const STDERR_TAIL = 8_000;

/** A line-by-line view of a child process's stdout, waited on as events (never by polling on a timer). */
export class LineWatcher {
  readonly lines: string[] = [];
  private readonly waiters = new Set<{ match: (line: string) => boolean; done: (line: string) => void }>();

  constructor(child: ChildProcess) {
    if (!child.stdout) throw new Error('LineWatcher: the child has no stdout pipe');
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.lines.push(line);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(line)) {
          this.waiters.delete(waiter);
          waiter.done(line);
        }
      }
    });
  }

  /** The first line (already printed or still to come) that `match` accepts; rejects after `timeoutMs` or when `exited` settles first. */
  waitFor(match: (line: string) => boolean, what: string, timeoutMs: number, exited: Promise<unknown>, explain: () => string): Promise<string> {
    const seen = this.lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<string>((resolve, reject) => {
      const waiter = {
        match,
        done: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no ${what} within ${timeoutMs} ms\n${explain()}`));
      }, timeoutMs);
      this.waiters.add(waiter);
      void exited.then(() => {
        if (!this.waiters.delete(waiter)) return;
        clearTimeout(timer);
        reject(new Error(`the process exited before printing ${what}\n${explain()}`));
      });
    });
  }
}

/** A child process with its stdout lines, stderr tail and exit, stopped by SIGTERM. */
export class CliProcess {
  readonly stdout: LineWatcher;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderrTail = '';

  constructor(
    readonly child: ChildProcess,
    readonly label: string,
  ) {
    this.stdout = new LineWatcher(child);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL);
    });
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': every stdout line has been read by then.
      child.once('close', (code, signal) => resolve({ code, signal }));
      child.once('error', (err) => {
        this.stderrTail += `\nspawn error: ${err.message}`;
        resolve({ code: null, signal: null });
      });
    });
  }

  explain(): string {
    return `${this.label}\n--- stdout (last 20 lines) ---\n${this.stdout.lines.slice(-20).join('\n')}\n--- stderr (tail) ---\n${this.stderrTail}`;
  }

  waitForLine(match: RegExp | ((line: string) => boolean), what: string, timeoutMs: number): Promise<string> {
    const test = typeof match === 'function' ? match : (line: string) => match.test(line);
    return this.stdout.waitFor(test, what, timeoutMs, this.exited, () => this.explain());
  }

  /** The exit within `timeoutMs`; undefined when it did not come. */
  async waitForExit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM, then the exit within `timeoutMs`; SIGKILL and an error if it does not come. */
  async stop(timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const result = await this.waitForExit(timeoutMs);
    if (result === undefined) {
      this.child.kill('SIGKILL');
      await this.exited;
      throw new Error(`${this.label} did not stop within ${timeoutMs} ms of SIGTERM\n${this.explain()}`);
    }
    return result;
  }
}

/** Start `plantwire <args>` from source with a clean environment overlay. */
export function spawnCli(args: readonly string[], options: { env?: Record<string, string>; label?: string; stdin?: string } = {}): CliProcess {
  const child = spawn(process.execPath, [...CLI_ARGS, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  return new CliProcess(child, options.label ?? `plantwire ${args.join(' ')}`);
}

/** `plantwire hash-password` with the password on stdin: the scrypt hash for PLANTWIRE_ADMIN_PASSWORD_HASH. */
export async function hashPassword(password: string, timeoutMs = 30_000): Promise<string> {
  const cli = spawnCli(['hash-password'], { stdin: `${password}\n`, label: 'plantwire hash-password' });
  const line = await cli.waitForLine(/^scrypt\$/, 'a scrypt hash', timeoutMs);
  const exit = await cli.waitForExit(timeoutMs);
  if (exit === undefined) await cli.stop();
  const code = exit?.code;
  if (code !== 0) throw new Error(`plantwire hash-password exited ${code}\n${cli.explain()}`);
  return line.trim();
}

export interface PlantwireServerOptions {
  /** Start the simulated plant too (MQTT, Modbus, OPC UA on free ports). */
  readonly plant: boolean;
  /** `PLANTWIRE_ADMIN_PASSWORD_HASH`: the editor then asks for the password. */
  readonly adminPasswordHash?: string;
  readonly startTimeoutMs?: number;
}

/** A running `plantwire start` on a free port with a fresh data dir and an empty flow. */
export interface PlantwireServer {
  readonly url: string;
  readonly dataDir: string;
  readonly process: CliProcess;
  stop(): Promise<void>;
}

/**
 * `plantwire start` on 127.0.0.1, port 0 (and the plant's three servers on port 0), with a data
 * dir of its own whose first flow is empty. Resolves on the "Plantwire editor: URL" line.
 */
export async function startPlantwire(options: PlantwireServerOptions): Promise<PlantwireServer> {
  const dir = mkdtempSync(join(tmpdir(), 'plantwire-e2e-'));
  const flowFile = join(dir, 'first.flow.json');
  writeFileSync(flowFile, `${JSON.stringify({ version: 1, name: 'E2E flow', nodes: [], wires: [] }, null, 2)}\n`);
  const dataDir = join(dir, 'data');
  const args = ['start', flowFile, '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'];
  if (options.plant) args.push('--mqtt-port', '0', '--modbus-port', '0', '--opcua-port', '0');
  else args.push('--no-sim');
  const env: Record<string, string> = { [ADMIN_HASH_ENV]: options.adminPasswordHash ?? '' };
  const cli = spawnCli(args, { env });
  try {
    const line = await cli.waitForLine(EDITOR_LINE, '"Plantwire editor: URL" line', options.startTimeoutMs ?? 45_000);
    const url = EDITOR_LINE.exec(line)![1]!;
    return {
      url,
      dataDir,
      process: cli,
      async stop() {
        try {
          const { code, signal } = await cli.stop();
          if (code !== 0) throw new Error(`plantwire start ended with ${code ?? signal} after SIGTERM (expected 0)\n${cli.explain()}`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    await cli.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

const ADMIN_HASH_ENV = 'PLANTWIRE_ADMIN_PASSWORD_HASH';
