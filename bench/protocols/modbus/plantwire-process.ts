/**
 * `plantwire run flow.json --metrics-port 0` as a child process of the protocol benchmarks: the
 * built CLI bundle when it is newer than every source file it bundles, else the CLI source through
 * tsx's in-process loader (so the pid is the runtime's either way), and its per-node counters read
 * from the metrics server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { endChild } from '../../spawn-measured.js';

const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Newest modification time (ms) of the non-test TypeScript sources under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * How to start `plantwire run`: the bundle apps/cli/dist/plantwire.js when it exists and is newer
 * than apps/cli/src and packages/<pkg>/src (a stale bundle would measure old code), else tsx.
 */
export function plantwireCommand(): { readonly args: readonly string[]; readonly how: string } {
  const bundle = join(repoDir, 'apps', 'cli', 'dist', 'plantwire.js');
  const main = join(repoDir, 'apps', 'cli', 'src', 'main.ts');
  const viaTsx = (why: string) => ({ args: ['--import', 'tsx', main], how: `tsx apps/cli/src/main.ts (${why})` });
  if (!existsSync(bundle)) return viaTsx('no CLI bundle');
  const sources = [join(repoDir, 'apps', 'cli', 'src'), ...readdirSync(join(repoDir, 'packages')).map((p) => join(repoDir, 'packages', p, 'src'))].filter((d) => existsSync(d));
  const newest = Math.max(...sources.map(newestSource));
  if (statSync(bundle).mtimeMs < newest) return viaTsx('the CLI bundle is older than the sources; `pnpm --filter @plantwire/cli build` to use it');
  return { args: [bundle], how: 'apps/cli/dist/plantwire.js' };
}

/** Counters of one node from `GET /metrics`. */
export interface NodeMetrics {
  readonly in: number;
  readonly out: number;
  readonly errors: number;
  readonly dropped: number;
  readonly queueDepth: number;
}

/** Parse the Prometheus text of `plantwire run --metrics-port` into counters by node id. */
export function parseMetrics(text: string): Record<string, NodeMetrics> {
  const names: Record<string, keyof NodeMetrics> = {
    plantwire_node_messages_in_total: 'in',
    plantwire_node_messages_out_total: 'out',
    plantwire_node_errors_total: 'errors',
    plantwire_node_dropped_total: 'dropped',
    plantwire_node_queue_depth: 'queueDepth',
  };
  const byNode: Record<string, Record<keyof NodeMetrics, number>> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{node="((?:[^"\\]|\\.)*)"[^}]*\}\s+(\S+)$/.exec(line);
    const key = m ? names[m[1]!] : undefined;
    if (!m || !key) continue;
    const node = (byNode[m[2]!] ??= { in: 0, out: 0, errors: 0, dropped: 0, queueDepth: 0 });
    node[key] = Number(m[3]);
  }
  return byNode;
}

export interface PlantwireProcess {
  readonly pid: number;
  /** How it was started (bundle or tsx). */
  readonly how: string;
  metrics(): Promise<Record<string, NodeMetrics>>;
  /** Output lines seen so far (stderr JSON log and stdout), the last ~200. */
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Start `plantwire run <flowFile>` with a metrics server and wait until it logs "running". */
export async function startPlantwire(flowFile: string, options: { readonly dataDir: string; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number }): Promise<PlantwireProcess> {
  const { args, how } = plantwireCommand();
  const child: ChildProcess = spawn(process.execPath, [...args, 'run', flowFile, '--metrics-port', '0', '--data-dir', options.dataDir], {
    cwd: repoDir,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onData = (d: string) => {
    output = (output + d).slice(-40_000);
  };
  child.stdout!.setEncoding('utf8').on('data', onData);
  child.stderr!.setEncoding('utf8').on('data', onData);
  const timeoutMs = options.timeoutMs ?? 60_000;
  let metricsUrl: string;
  try {
    metricsUrl = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "running" log line within ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        if (!/"message"\s*:\s*"running"/.test(output)) return;
        const url = /"message"\s*:\s*"metrics server listening"[^\n]*"url"\s*:\s*"([^"]+)"/.exec(output)?.[1];
        clearTimeout(timer);
        if (url) resolveUrl(url);
        else reject(new Error('running, but no "metrics server listening" line with a url'));
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with code ${code} before it was running`));
      });
    });
  } catch (err) {
    await endChild(child);
    throw new Error(`plantwire run (${how}): ${(err as Error).message}\n--- output (tail) ---\n${output.trim().slice(-3000)}`);
  }
  child.removeAllListeners('exit');
  return {
    pid: child.pid!,
    how,
    output: () => output,
    metrics: async () => {
      const res = await fetch(`${metricsUrl}/metrics`);
      if (!res.ok) throw new Error(`GET ${metricsUrl}/metrics: HTTP ${res.status}`);
      return parseMetrics(await res.text());
    },
    stop: () => endChild(child, 5000),
  };
}
