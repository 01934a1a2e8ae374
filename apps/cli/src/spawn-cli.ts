// Test support: run the real `plantwire` command as a child process and wait on its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, where `pnpm plantwire` runs. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** A running CLI with its output split into lines, and promises that wait on them. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves with the first line (already seen or still to come) that matches; rejects when the process exits first or after `timeoutMs`. */
  line(stream: 'stdout' | 'stderr', match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (signal name when killed). */
  readonly exited: Promise<number | string>;
}

/**
 * Spawn `node --import tsx apps/cli/src/main.ts …args` from the repo root (or another entry, e.g.
 * the bundle). Output is collected line by line; waiting is on events, never on time.
 */
export function spawnCli(
  args: readonly string[],
  options: { readonly entry?: readonly string[]; readonly launcher?: readonly [string, ...string[]]; readonly env?: Record<string, string> } = {},
): CliProcess {
  const entry = options.entry ?? ['--import', 'tsx', join(repoRoot, 'apps/cli/src/main.ts')];
  // `launcher` runs the command the way users type it (e.g. `pnpm plantwire`) instead of node directly.
  const [command, ...prefix] = options.launcher ?? [process.execPath, ...entry];
  const child = spawn(command, [...prefix, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const waiters: Array<{ stream: 'stdout' | 'stderr'; match: (l: string) => boolean; resolve: (l: string) => void }> = [];
  let exitedWith: number | string | undefined;
  const onExit: Array<() => void> = [];

  for (const stream of ['stdout', 'stderr'] as const) {
    let partial = '';
    child[stream]!.setEncoding('utf8');
    child[stream]!.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      for (const line of parts) {
        lines[stream].push(line);
        for (const w of [...waiters]) {
          if (w.stream === stream && w.match(line)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      }
    });
  }

  const exited = new Promise<number | string>((resolve) => {
    // 'close' fires after the output streams ended, so every line has been seen.
    child.on('close', (code, signal) => {
      exitedWith = code ?? signal ?? -1;
      resolve(exitedWith);
      onExit.splice(0).forEach((f) => f());
    });
  });

  const line = (stream: 'stdout' | 'stderr', match: (l: string) => boolean, timeoutMs = 15_000): Promise<string> => {
    const seen = lines[stream].find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const fail = (why: string) => () => {
        const i = waiters.indexOf(waiter);
        if (i < 0) return;
        waiters.splice(i, 1);
        reject(new Error(`${why} before a matching ${stream} line.\nstdout:\n${lines.stdout.join('\n')}\nstderr:\n${lines.stderr.join('\n')}`));
      };
      const timer = setTimeout(fail(`no match within ${timeoutMs} ms`), timeoutMs);
      const waiter = {
        stream,
        match,
        resolve: (l: string) => {
          clearTimeout(timer);
          resolve(l);
        },
      };
      waiters.push(waiter);
      if (exitedWith !== undefined) fail(`the CLI exited (${exitedWith})`)();
      else
        onExit.push(() => {
          clearTimeout(timer);
          fail(`the CLI exited (${exitedWith})`)();
        });
    });
  };

  return { child, stdout: lines.stdout, stderr: lines.stderr, line, exited };
}

/** Run the CLI to completion. */
export async function runToExit(args: readonly string[], options?: Parameters<typeof spawnCli>[1]): Promise<{ code: number | string; stdout: string[]; stderr: string[] }> {
  const cli = spawnCli(args, options);
  const code = await cli.exited;
  return { code, stdout: cli.stdout, stderr: cli.stderr };
}

/** Parse a JSON log line, or undefined when the line is not JSON. */
export function jsonLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * For an `afterEach`: SIGKILL every process in `running` that has not exited, wait for it, and empty
 * the list, so a failed assertion never leaves a flow or a plant running (and holding its ports).
 *
 * @example
 * const running: CliProcess[] = [];
 * afterEach(() => killStillRunning(running));
 */
export async function killStillRunning(running: CliProcess[]): Promise<void> {
  for (const cli of running.splice(0)) {
    if (cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill('SIGKILL');
      await cli.exited;
    }
  }
}
