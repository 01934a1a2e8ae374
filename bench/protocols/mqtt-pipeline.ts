/**
 * MQTT pipeline through mosquitto on 127.0.0.1: `mqtt-in → json → change → switch → mqtt-out`
 * on Plantwire and on Node-RED 5.0.7, beside the broker-only path (publisher → mosquitto →
 * subscriber). A load client process (mqtt/load-client.ts) publishes at fixed rates and flat out
 * and measures loss, latency and delivered rate; then a flood on a fresh system process, with the
 * system's RSS sampled from /proc. Each system gets its own fresh mosquitto. Every child process is
 * bounded in time and ended by its pid, also on failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { rssMb } from '../drivers/measure-throughput.js';
import { ensureNodeRed, NODE_RED_VERSION } from '../node-red-install.js';
import { endChild, waitForLine } from '../spawn-measured.js';
import { LOAD_ERROR, LOAD_PHASE, LOAD_READY, LOAD_RESULT, type LoadPhase, type LoadRequest } from './mqtt/load-protocol.js';
import { freePort, nodeRedSettingsJs } from '../node-red-settings.js';
import { IN_FILTER, nodeRedFlows, OUT_TOPIC, plantwireDocument, PUBLISH_TOPIC } from './mqtt/pipeline-flows.js';
import { floodTable, mqttVerdicts, ratesTable, SYSTEM_LABEL, type FloodResult, type MqttResults, type MqttSystem, type SystemResults } from './mqtt/pipeline-verdicts.js';
import type { PhaseResult } from './mqtt/stats.js';
import type { ProtocolBench, ProtocolBenchOptions, ProtocolSection } from './section.js';

const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const RATES = [1_000, 5_000, 10_000, 15_000, 20_000] as const;

/** How hard each phase is measured; every phase is bounded in count and time. */
export function mqttPlan(quick: boolean): {
  warmup: LoadPhase;
  phases: LoadPhase[];
  flood: LoadPhase;
  settleMs: number;
} {
  const perRateMs = quick ? 1_000 : 3_000;
  const drain = { drainIdleMs: 1_000, drainMaxMs: quick ? 8_000 : 15_000 };
  return {
    // Long enough to take in each system's start-up transients: JIT warm-up, and the first full
    // GC of the heap start-up built, which came ~3 s after start and landed in the 1k phase's p99.
    warmup: { name: 'warm-up', rate: 1_000, count: quick ? 500 : 5_000, maxSendMs: 10_000, ...drain },
    phases: [
      ...RATES.map((rate) => ({ name: `${rate / 1000}k`, rate, count: (rate * perRateMs) / 1000, maxSendMs: perRateMs * 2, ...drain })),
      { name: 'flat out', rate: undefined, count: quick ? 30_000 : 100_000, maxSendMs: 10_000, ...drain },
    ],
    // Node-RED queues without bound: in the issue, 300,000 messages left a 33 s backlog.
    flood: { name: 'flood', rate: undefined, count: quick ? 100_000 : 300_000, maxSendMs: 30_000, drainIdleMs: 3_000, drainMaxMs: quick ? 45_000 : 120_000 },
    settleMs: quick ? 1_000 : 2_000,
  };
}

/** Children of this benchmark, ended on failure and on exit. */
const children = new Set<ChildProcess>();
/** This run's scratch folder, removed on exit too. */
let runDir: string | undefined;
const killAll = (): void => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (runDir) rmSync(runDir, { recursive: true, force: true });
};
process.once('exit', killAll);
// A signal ends Node without 'exit': end our children first (mosquitto would outlive us otherwise).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

const MOSQUITTO_SETTINGS = [
  'persistence false',
  'allow_anonymous true',
  // Per-client queue far above the flood (default 1000), so the broker is not where messages are lost.
  'max_queued_messages 1000000',
  'max_queued_bytes 0',
  // Nagle off on the broker's client sockets too, for every system alike.
  'set_tcp_nodelay true',
  'log_dest stderr',
  'log_type error',
  'log_type warning',
  'log_type notice',
  'log_type information',
];

export interface Broker {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
}


function mosquittoBinary(): string {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) if (existsSync(join(dir, 'mosquitto'))) return join(dir, 'mosquitto');
  throw new Error('mosquitto not found (Debian package mosquitto; scripts/ensure-system-packages.sh installs it)');
}

/** Debian's mosquitto on 127.0.0.1 and a free port, with a temp config in `dir`. */
export async function startBroker(dir: string): Promise<Broker> {
  const port = await freePort();
  const conf = join(dir, `mosquitto-${port}.conf`);
  writeFileSync(conf, `${[`listener ${port} 127.0.0.1`, ...MOSQUITTO_SETTINGS].join('\n')}\n`);
  const child = track(spawn(mosquittoBinary(), ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] }));
  await waitForLine(child, / running/, 10_000, 'mosquitto');
  return { url: `mqtt://127.0.0.1:${port}`, port, child };
}


/** The system under test, started; `metricsUrl` only for Plantwire. */
export interface RunningSystem {
  readonly child: ChildProcess;
  readonly metricsUrl?: string | undefined;
}

export interface Sides {
  /** `dataDir`: passed as `--data-dir` (store-and-forward queues on disk); none by default. */
  readonly plantwire?: { readonly command: string; readonly args: readonly string[]; readonly how: string; readonly flowFile: string; readonly dataDir?: string } | undefined;
  readonly nodeRed?: { readonly nodeBin: string; readonly redJs: string; readonly nodeVersion: string } | undefined;
  readonly loadClient: string;
  readonly dir: string;
}

/** Newest mtime of the .ts sources the CLI bundle is built from. */
function newestSource(dirs: readonly string[]): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of dirs) if (existsSync(dir)) walk(dir);
  return newest;
}

/**
 * `plantwire run`'s command: the CLI bundle (built with apps/cli's build script when missing or
 * older than the sources), else the CLI source through tsx's in-process loader.
 */
export function plantwireCommand(log: (line: string) => void): { command: string; prefix: string[]; how: string } {
  const bundle = join(repoDir, 'apps', 'cli', 'dist', 'plantwire.js');
  const sources = [join(repoDir, 'apps', 'cli', 'src'), ...readdirSync(join(repoDir, 'packages')).map((p) => join(repoDir, 'packages', p, 'src'))];
  const stale = !existsSync(bundle) || statSync(bundle).mtimeMs < newestSource(sources);
  if (stale) {
    log(`  building the CLI bundle (${existsSync(bundle) ? 'older than the sources' : 'missing'}): node apps/cli/build.mjs`);
    const built = spawnSync(process.execPath, [join(repoDir, 'apps', 'cli', 'build.mjs')], { cwd: join(repoDir, 'apps', 'cli'), encoding: 'utf8', timeout: 120_000 });
    if (built.status !== 0) log(`  CLI build failed (${built.status ?? built.signal}); ${existsSync(bundle) ? 'falling back to the sources' : 'using the sources'}: ${(built.stderr ?? '').trim().split('\n').slice(-3).join(' / ')}`);
    else return { command: process.execPath, prefix: [bundle], how: 'apps/cli/dist/plantwire.js (rebuilt)' };
    return { command: process.execPath, prefix: ['--import', 'tsx', join(repoDir, 'apps', 'cli', 'src', 'main.ts')], how: 'tsx apps/cli/src/main.ts' };
  }
  return { command: process.execPath, prefix: [bundle], how: 'apps/cli/dist/plantwire.js' };
}

export async function startSystem(system: MqttSystem, sides: Sides, broker: Broker): Promise<RunningSystem | undefined> {
  if (system === 'broker-only') return undefined;
  if (system === 'plantwire') {
    const pw = sides.plantwire!;
    const child = track(
      spawn(pw.command, [...pw.args, 'run', pw.flowFile, '--metrics-port', '0', '--log-level', 'info', ...(pw.dataDir ? ['--data-dir', pw.dataDir] : [])], {
        cwd: repoDir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, BENCH_MQTT_URL: broker.url },
      }),
    );
    let metricsUrl: string | undefined;
    await waitForLine(child, /"message"\s*:\s*"running"/, 60_000, 'plantwire run', {
      onLine: (line) => {
        if (line.includes('metrics server listening')) metricsUrl = (JSON.parse(line) as { url?: string }).url;
      },
    });
    return { child, metricsUrl };
  }
  const nr = sides.nodeRed!;
  const userDir = mkdtempSync(join(sides.dir, 'nr-user-'));
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(nodeRedFlows(broker.port)));
  writeFileSync(join(userDir, 'settings.js'), nodeRedSettingsJs({ headless: true }));
  const child = track(spawn(nr.nodeBin, [nr.redJs, '--settings', join(userDir, 'settings.js'), '--userDir', userDir], { stdio: ['ignore', 'pipe', 'pipe'] }));
  await waitForLine(child, /Started flows/, 60_000, 'node-red');
  return { child };
}

/** Run the load client with `phases`; `onPhase` hears each phase start (the flood's RSS sampling starts there). */
export async function runLoad(
  sides: Sides,
  broker: Broker,
  system: MqttSystem,
  phases: readonly LoadPhase[],
  onPhase: (name: string) => void = () => undefined,
  qos: 0 | 1 = 0,
): Promise<PhaseResult[]> {
  const request: LoadRequest = {
    url: broker.url,
    publishTopic: PUBLISH_TOPIC,
    subscribeTopic: system === 'broker-only' ? IN_FILTER : OUT_TOPIC,
    readyTimeoutMs: 20_000,
    phases,
    qos,
  };
  const timeoutMs = 30_000 + phases.reduce((sum, p) => sum + p.maxSendMs + p.drainMaxMs + 2_000, 0);
  const child = track(spawn(process.execPath, [sides.loadClient, JSON.stringify(request)], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const results: PhaseResult[] = [];
  const errors: string[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith(LOAD_RESULT)) results.push(JSON.parse(line.slice(LOAD_RESULT.length)) as PhaseResult);
      else if (line.startsWith(LOAD_PHASE)) onPhase(line.slice(LOAD_PHASE.length));
      else if (line.startsWith(LOAD_ERROR)) errors.push(JSON.parse(line.slice(LOAD_ERROR.length)) as string);
      else if (line === LOAD_READY) onPhase('(ready)');
    }
  });
  const timer = setTimeout(() => void endChild(child, 1000), timeoutMs);
  const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
  clearTimeout(timer);
  if (code !== 0 || results.length !== phases.length) {
    throw new Error(`load client against ${SYSTEM_LABEL[system]}: ${errors.join('; ') || `exited with ${code} after ${results.length} of ${phases.length} phases`}${stderr ? `\n${stderr.trim()}` : ''}`);
  }
  return results;
}

/** A Prometheus counter by node id (`node` label), from the CLI's /metrics endpoint; undefined when it cannot be read. */
async function scrape(url: string, metric: string): Promise<Record<string, number> | undefined> {
  try {
    const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    const byNode: Record<string, number> = {};
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${metric}{`)) continue;
      const node = /node="([^"]*)"/.exec(line)?.[1] ?? '?';
      byNode[node] = Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return byNode;
  } catch {
    return undefined;
  }
}

const total = (byNode: Record<string, number> | undefined): number | undefined => (byNode ? Object.values(byNode).reduce((a, b) => a + b, 0) : undefined);
const nonZero = (byNode: Record<string, number> | undefined): string =>
  Object.entries(byNode ?? {})
    .filter(([, v]) => v !== 0)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function formatPhase(r: PhaseResult): string {
  return `${r.name.padEnd(8)} sent ${r.sent}, received ${r.received}, lost ${r.lost}, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, delivered ${Math.round(r.deliveredPerSec)} msg/s, backlog ${r.backlogMs.toFixed(0)} ms`;
}

/** One system: rates (and flat out) on one process, then the flood on a fresh one, each on a fresh broker. */
async function measureSystem(system: MqttSystem, sides: Sides, plan: ReturnType<typeof mqttPlan>, log: (line: string) => void): Promise<SystemResults> {
  log(`▶ mqtt ${SYSTEM_LABEL[system]}`);
  let rates: PhaseResult[] = [];
  let broker = await startBroker(sides.dir);
  let running: RunningSystem | undefined;
  try {
    running = await startSystem(system, sides, broker);
    const all = await runLoad(sides, broker, system, [plan.warmup, ...plan.phases]);
    rates = all.slice(1);
    for (const r of rates) log(`  ${formatPhase(r)}`);
  } finally {
    if (running) await endChild(running.child);
    await endChild(broker.child);
  }

  // The flood, on a fresh process and broker: idle RSS is that of a process that has done nothing yet.
  broker = await startBroker(sides.dir);
  running = undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    running = await startSystem(system, sides, broker);
    await sleep(plan.settleMs);
    const pid = running?.child.pid;
    const sample = (): number | undefined => {
      try {
        return pid === undefined ? undefined : rssMb(pid);
      } catch {
        return undefined; // the process is gone
      }
    };
    const idleRssMb = sample();
    let peakRssMb = idleRssMb;
    const [phase] = await runLoad(sides, broker, system, [plan.flood], (name) => {
      if (name !== plan.flood.name || pid === undefined || sampler) return;
      sampler = setInterval(() => {
        const v = sample();
        if (v !== undefined && (peakRssMb === undefined || v > peakRssMb)) peakRssMb = v;
      }, 50);
    });
    clearInterval(sampler);
    const v = sample();
    if (v !== undefined && (peakRssMb === undefined || v > peakRssMb)) peakRssMb = v;
    await sleep(1000);
    const afterRssMb = sample();
    const dropped = running?.metricsUrl ? await scrape(running.metricsUrl, 'plantwire_node_dropped_total') : undefined;
    const errors = running?.metricsUrl ? await scrape(running.metricsUrl, 'plantwire_node_errors_total') : undefined;
    const flood: FloodResult = {
      phase: phase!,
      idleRssMb,
      peakRssMb: pid === undefined ? undefined : peakRssMb,
      afterRssMb,
      countedDrops: total(dropped),
      countedErrors: total(errors),
    };
    if (total(dropped) || total(errors)) log(`  counted by node: dropped ${nonZero(dropped) || '0'}; errors ${nonZero(errors) || '0'}`);
    log(`  ${formatPhase(flood.phase)}${idleRssMb !== undefined ? `; RSS ${idleRssMb.toFixed(0)} → peak ${peakRssMb?.toFixed(0)} → ${afterRssMb?.toFixed(0)} MB` : ''}${flood.countedDrops !== undefined ? `; counted ${flood.countedDrops} dropped, ${flood.countedErrors} errors` : ''}`);
    return { rates, flood };
  } finally {
    clearInterval(sampler);
    if (running) await endChild(running.child);
    await endChild(broker.child);
  }
}

export async function bundleLoadClient(scratch: string): Promise<string> {
  const dir = join(scratch, 'build');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'mqtt-load-client.cjs');
  await build({
    entryPoints: [join(repoDir, 'bench', 'protocols', 'mqtt', 'load-client.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
  });
  return outfile;
}

function describe(sides: Sides, plan: ReturnType<typeof mqttPlan>, quick: boolean): string {
  const per = plan.phases[0]!;
  const flat = plan.phases[plan.phases.length - 1]!;
  return [
    'Pipeline `mqtt-in → json → change → switch → mqtt-out` at QoS 0: messages published to `bench/in/1` (subscribed as `bench/in/+`, read as text),',
    'parsed, `payload.stage` set, passed by `payload.value ≥ 0` (always true), published as JSON to `bench/out`. The broker-only row subscribes to the',
    'input topic directly (no runtime). One load client process publishes `{run, seq, t, value}` and subscribes, so send and receive time come from',
    'the same clock; latency = receive time − `t`; loss = sent − received after the drain wait; delivered = received ÷ (last receive − first send);',
    `"kept up" = 0 lost, offered ≥ 95 % of the rate and delivered ≥ 95 % of offered. Fixed rates paced in 1 ms ticks, ${per.count / (per.rate! / 1000)} ms per rate,`,
    `after a ${plan.warmup.count}-message warm-up; flat out = ${flat.count.toLocaleString('en-US')} messages as fast as the publisher's socket takes them.`,
    `Flood: ${plan.flood.count.toLocaleString('en-US')} messages flat out on a fresh system process and broker; RSS (/proc VmRSS) sampled every 50 ms:`,
    `idle = after start-up + ${plan.settleMs} ms, peak during, after = 1 s past the drain; backlog = last receive − last send. ${quick ? '**Quick run: indicative only.**' : ''}`,
    '',
    `Broker: Debian mosquitto (fresh per system and phase group), 127.0.0.1, \`${MOSQUITTO_SETTINGS.filter((l) => !l.startsWith('log_')).join('`, `')}\`.`,
    'Nagle: the load client calls `setNoDelay(true)` on both of its sockets (mqtt.js does not by itself); mosquitto has `set_tcp_nodelay true`;',
    'Plantwire\'s mqtt-broker connection sets no-delay on its TCP/TLS socket; Node-RED 5.0.7 is run as shipped (its mqtt.js sockets keep Nagle on).',
    `Plantwire: \`plantwire run flow.json --metrics-port 0\` via ${sides.plantwire ? sides.plantwire.how : '— (not run)'} on Node ${process.versions.node}, two mqtt-broker connection entries`,
    '(reading and publishing; mqtt-in\'s backpressure holds its connection\'s reads), dropped/error counts from its /metrics endpoint after the flood.',
    `Node-RED ${NODE_RED_VERSION}: \`red.js\` headless (no editor/HTTP) on Node ${sides.nodeRed?.nodeVersion ?? '—'}, one mqtt-broker config node.`,
  ].join('\n');
}

async function runMqttPipeline(options: ProtocolBenchOptions): Promise<ProtocolSection> {
  const { log, quick, scratch } = options;
  const plan = mqttPlan(quick);
  const problems: string[] = [];
  const dir = (runDir = mkdtempSync(join(scratch, 'mqtt-run-')));
  // Started as root, mosquitto drops to its own user; it only reads the config before that.
  chmodSync(dir, 0o755);
  const results: MqttResults = {};
  let sides: Sides | undefined;
  try {
    const loadClient = await bundleLoadClient(scratch);
    let plantwire: Sides['plantwire'];
    try {
      const cmd = plantwireCommand(log);
      const flowFile = join(dir, 'pipeline.plantwire.json');
      writeFileSync(flowFile, JSON.stringify(plantwireDocument(), null, 2));
      const check = spawnSync(cmd.command, [...cmd.prefix, 'validate', flowFile], { cwd: repoDir, encoding: 'utf8', env: { ...process.env, BENCH_MQTT_URL: 'mqtt://127.0.0.1:1883' }, timeout: 60_000 });
      if (check.status !== 0) throw new Error(`plantwire validate: ${(check.stdout + check.stderr).trim()}`);
      plantwire = { command: cmd.command, args: cmd.prefix, how: cmd.how, flowFile };
    } catch (err) {
      problems.push(`Plantwire side not run: ${(err as Error).message}`);
    }
    let nodeRed: Sides['nodeRed'];
    try {
      const install = ensureNodeRed(scratch, log);
      nodeRed = { nodeBin: install.nodeBin, redJs: join(install.nodeRedDir, 'red.js'), nodeVersion: install.nodeVersion };
    } catch (err) {
      problems.push(`Node-RED side not run: ${(err as Error).message}`);
    }
    sides = { plantwire, nodeRed, loadClient, dir };
    // PLANTWIRE_BENCH_MQTT_SYSTEMS=broker-only,plantwire narrows a run while working on one side.
    const wanted = process.env.PLANTWIRE_BENCH_MQTT_SYSTEMS?.split(',').map((s) => s.trim());
    const systems = (['broker-only', ...(plantwire ? (['plantwire'] as const) : []), ...(nodeRed ? (['node-red'] as const) : [])] as MqttSystem[]).filter(
      (s) => !wanted || wanted.includes(s),
    );
    for (const system of systems) {
      try {
        results[system] = await measureSystem(system, sides, plan, log);
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err);
        problems.push(`${SYSTEM_LABEL[system]}: ${text}`);
        log(`  ✗ ${SYSTEM_LABEL[system]}: ${text}`);
      }
    }
  } finally {
    for (const child of [...children]) await endChild(child, 2000);
    rmSync(dir, { recursive: true, force: true });
    runDir = undefined;
  }
  const markdown = [
    describe(sides ?? { loadClient: '', dir }, plan, quick),
    '',
    ratesTable(results),
    '',
    'Flood:',
    '',
    floodTable(results),
  ].join('\n');
  return { title: 'MQTT pipeline through mosquitto', markdown, verdicts: mqttVerdicts(results), problems };
}

/** `pnpm bench:protocols --only mqtt`. */
export const mqttPipelineBench: ProtocolBench = { name: 'mqtt', run: runMqttPipeline };
