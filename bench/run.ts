/**
 * `pnpm bench [--quick] [--write] [--only a,b] [--plantwire-on-node22]`
 *
 * Runs every scenario of bench/scenarios on Plantwire and on Node-RED 5.0.7 (installed on demand
 * outside the repository), one system at a time and alternating, and prints a table of ratios
 * against the targets. `--write` also writes bench/RESULTS.md.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { DeployResultReport, DriverRequest, LoadSettings, ThroughputResult } from './drivers/driver-protocol.js';
import { ensureNodeRed, NODE_RED_VERSION, scratchDir, type NodeRedInstall } from './node-red-install.js';
import { freePort, writeNodeRedSettings } from './node-red-settings.js';
import { keepProtocolsBlock } from './protocols/results-block.js';
import { keepEditorBlock } from './editor/results-block.js';
import { keepStoreForwardBlock } from './store-forward/results-block.js';
import { loadNow, machineInfo, median, renderResults, renderTable, type Row } from './report.js';
import { scenarios, type DeployScenario, type Scenario, type StartupScenario, type ThroughputScenario } from './scenarios/scenarios.js';
import { toNodeRedFlows } from './scenarios/to-node-red.js';
import { loadPlantwire, toPlantwireDocument, type PlantwireSide } from './scenarios/to-plantwire.js';
import { measureStartup, runDriverChild, type StartupMeasurement } from './spawn-measured.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = resolve(benchDir, '..');

/** Node-RED 5.0.7 on a 2-core machine, for checking the harness (from the brief). */
const REFERENCE = {
  'chain-mixed': 12_400,
  'chain-change': 23_700,
  'chain-function': 6_000,
  'fan-out': 5_400,
  'deploy-5000': 433,
  startupMs: 1_100,
  idleRssMb: 129,
} as const;

interface Options {
  readonly quick: boolean;
  readonly write: boolean;
  readonly only: readonly string[] | undefined;
  readonly plantwireOnNode22: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const known = new Set(['--quick', '--write', '--only', '--plantwire-on-node22', '--help']);
  const options = { quick: false, write: false, only: undefined as string[] | undefined, plantwireOnNode22: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue; // pnpm passes it through
    if (!known.has(arg)) throw new Error(`bench: unknown option "${arg}" (known: ${[...known].join(' ')})`);
    if (arg === '--help') {
      process.stdout.write('pnpm bench [--quick] [--write] [--only chain-mixed,fan-out,...] [--plantwire-on-node22]\n');
      process.exit(0);
    }
    if (arg === '--quick') options.quick = true;
    if (arg === '--write') options.write = true;
    if (arg === '--plantwire-on-node22') options.plantwireOnNode22 = true;
    if (arg === '--only') {
      const list = argv[++i];
      if (!list) throw new Error('bench: --only needs a comma-separated list of scenario names');
      options.only = list.split(',');
      const names = new Set(scenarios.map((s) => s.name));
      for (const n of options.only) if (!names.has(n)) throw new Error(`bench: unknown scenario "${n}" (known: ${[...names].join(', ')})`);
    }
  }
  return options;
}

/** How hard each scenario is measured; every figure is bounded in time. */
function plan(quick: boolean): { load: LoadSettings; throughputProcesses: number; deployProcesses: number; startupProcesses: number; idleMs: number; settleMs: number } {
  const load: LoadSettings = quick
    ? { warmupMs: 300, durationMs: 300, runs: 2, burst: 100, window: 1000, maxMessages: 2_000_000, drainTimeoutMs: 10_000 }
    : { warmupMs: 700, durationMs: 800, runs: 3, burst: 100, window: 1000, maxMessages: 2_000_000, drainTimeoutMs: 10_000 };
  return quick
    ? { load, throughputProcesses: 1, deployProcesses: 1, startupProcesses: 1, idleMs: 2000, settleMs: 300 }
    : // Five deploys a side: a cold deploy's time swings ±30% on a shared 2-core VM (Node-RED's
      // 5,000-node figure 261–421 ms within one hour), more than a start-up's or a rate's.
      { load, throughputProcesses: 2, deployProcesses: 5, startupProcesses: 3, idleMs: 2000, settleMs: 500 };
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

type SystemName = 'plantwire' | 'node-red';

interface Sides {
  readonly nodeRed: NodeRedInstall & { readonly driver: string; readonly nodesDir: string };
  readonly plantwire: (PlantwireSide & { readonly driver: string; readonly nodeBin: string }) | { readonly unavailable: string };
}

async function bundleDriver(entry: string, outfile: string, format: 'cjs' | 'esm', target: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format,
    target,
    minify: false,
    logLevel: 'error',
    // Prefer ESM entry points: some UMD builds (jsonc-parser) require() siblings a bundle does not have.
    mainFields: ['module', 'main'],
    // Some CommonJS dependencies call require() at run time; give the ESM bundle one.
    banner: format === 'esm' ? { js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);" } : {},
  });
}

/** Alternate the two systems: even repetitions start with Node-RED, odd ones with Plantwire. */
function order(rep: number): SystemName[] {
  return rep % 2 === 0 ? ['node-red', 'plantwire'] : ['plantwire', 'node-red'];
}

class Collector {
  readonly problems: string[] = [];
  fail(system: SystemName, scenario: string, err: unknown): void {
    const text = err instanceof Error ? err.message : String(err);
    this.problems.push(`${scenario} on ${system}: ${text}`);
    log(`  ✗ ${scenario} on ${system}: ${text}`);
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const loadAtStart = loadNow();
  const settings = plan(options.quick);
  const scratch = scratchDir();
  const runDir = mkdtempSync(join(scratch, 'run-'));
  const collector = new Collector();
  try {
    const nodeRedInstall = ensureNodeRed(scratch, log);
    const buildDir = join(scratch, 'build');
    mkdirSync(buildDir, { recursive: true });
    const nodeRedDriver = join(buildDir, 'node-red-driver.cjs');
    await bundleDriver(join(benchDir, 'drivers', 'node-red-driver.ts'), nodeRedDriver, 'cjs', 'node22');

    let plantwire: Sides['plantwire'];
    const loaded = await loadPlantwire();
    if ('unavailable' in loaded) {
      plantwire = loaded;
      log(`Plantwire side unavailable: ${loaded.unavailable}`);
    } else {
      const driver = join(buildDir, 'plantwire-driver.mjs');
      await bundleDriver(join(benchDir, 'drivers', 'plantwire-driver.ts'), driver, 'esm', 'node20');
      plantwire = { ...loaded, driver, nodeBin: options.plantwireOnNode22 ? nodeRedInstall.nodeBin : process.execPath };
    }
    const sides: Sides = { nodeRed: { ...nodeRedInstall, driver: nodeRedDriver, nodesDir: join(benchDir, 'drivers', 'node-red-nodes') }, plantwire };
    const plantwireNode = 'unavailable' in plantwire ? process.version : plantwire.nodeBin === process.execPath ? process.version : nodeRedInstall.nodeVersion;
    log(`Node-RED ${NODE_RED_VERSION} on Node ${nodeRedInstall.nodeVersion}; Plantwire on Node ${plantwireNode}; scratch ${runDir}${options.quick ? '; quick' : ''}`);

    const rows: Row[] = [];
    const selected = scenarios.filter((s) => !options.only || options.only.includes(s.name));
    for (const scenario of selected) {
      const started = performance.now();
      log(`▶ ${scenario.name}: ${scenario.title}`);
      const files = writeFlowFiles(scenario, runDir, sides, collector);
      if (scenario.kind === 'throughput') rows.push(await runThroughput(scenario, files, sides, settings, runDir, collector));
      else if (scenario.kind === 'deploy') rows.push(...(await runDeploy(scenario, files, sides, settings, runDir, collector)));
      else rows.push(...(await runStartup(scenario, files, sides, settings, runDir, collector)));
      log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }

    const table = renderTable(rows);
    process.stdout.write(`\n${table}\n`);
    if (collector.problems.length) process.stdout.write(`\nProblems:\n${collector.problems.map((p) => `- ${p}`).join('\n')}\n`);
    if (options.write) {
      const machine = machineInfo(plantwireNode, nodeRedInstall.nodeVersion, NODE_RED_VERSION, [loadAtStart, loadNow()]);
      const l = settings.load;
      const settingsLine = `${options.quick ? 'quick' : 'full'}; throughput ${settings.throughputProcesses} process(es) × ${l.runs} run(s) of ${l.durationMs} ms after ${l.warmupMs} ms warm-up, burst ${l.burst}, window ${l.window}; deploy ${settings.deployProcesses}×; start-up ${settings.startupProcesses}× with ${settings.idleMs} ms idle`;
      // The protocol benchmarks' block (pnpm bench:protocols --write) is carried over unchanged.
      const resultsFile = join(benchDir, 'RESULTS.md');
      const previous = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : undefined;
      writeFileSync(resultsFile, keepStoreForwardBlock(previous, keepEditorBlock(previous, keepProtocolsBlock(previous, renderResults(machine, settingsLine, rows, collector.problems)))));
      log(`wrote ${join(benchDir, 'RESULTS.md')}`);
    }
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

interface FlowFiles {
  readonly nodeRed: string;
  readonly plantwire?: string | undefined;
}

/** The scenario's graph as each system's own flow file. */
function writeFlowFiles(scenario: Scenario, runDir: string, sides: Sides, collector: Collector): FlowFiles {
  const nodeRed = join(runDir, `${scenario.name}.node-red.json`);
  writeFileSync(nodeRed, JSON.stringify(toNodeRedFlows(scenario.graph)));
  let plantwire: string | undefined;
  if (!('unavailable' in sides.plantwire)) {
    try {
      plantwire = join(runDir, `${scenario.name}.plantwire.json`);
      writeFileSync(plantwire, JSON.stringify(toPlantwireDocument(scenario.graph, sides.plantwire.nodeTypes), null, 2));
    } catch (err) {
      plantwire = undefined;
      collector.fail('plantwire', scenario.name, err);
    }
  }
  return { nodeRed, plantwire };
}

function nodeRedContext(sides: Sides, runDir: string): DriverRequest['nodeRed'] {
  return { nodeRedDir: sides.nodeRed.nodeRedDir, nodesDir: sides.nodeRed.nodesDir, userDir: mkdtempSync(join(runDir, 'nr-user-')) };
}

/** Run one driver child for `system`; undefined (and a recorded problem) when that side cannot run. */
async function runSide(system: SystemName, request: DriverRequest, sides: Sides, scenario: string, collector: Collector, timeoutMs: number): Promise<unknown> {
  try {
    if (system === 'node-red') return await runDriverChild(sides.nodeRed.nodeBin, sides.nodeRed.driver, request, timeoutMs);
    if ('unavailable' in sides.plantwire) return undefined;
    return await runDriverChild(sides.plantwire.nodeBin, sides.plantwire.driver, request, timeoutMs);
  } catch (err) {
    collector.fail(system, scenario, err);
    return undefined;
  }
}

async function runThroughput(scenario: ThroughputScenario, files: FlowFiles, sides: Sides, settings: ReturnType<typeof plan>, runDir: string, collector: Collector): Promise<Row> {
  const rates: Record<SystemName, number[]> = { plantwire: [], 'node-red': [] };
  const l = settings.load;
  const timeoutMs = 30_000 + l.warmupMs + l.runs * (l.durationMs + l.drainTimeoutMs);
  for (let rep = 0; rep < settings.throughputProcesses; rep++) {
    for (const system of order(rep)) {
      const flowFile = system === 'node-red' ? files.nodeRed : files.plantwire;
      if (!flowFile) continue;
      const request: DriverRequest = { mode: 'throughput', flowFile, head: scenario.head, sinks: scenario.sinks, message: scenario.message, ...l, nodeRed: system === 'node-red' ? nodeRedContext(sides, runDir) : undefined };
      const result = (await runSide(system, request, sides, scenario.name, collector, timeoutMs)) as ThroughputResult | undefined;
      if (!result) continue;
      const perRun = result.runs.map((r) => r.msgsPerSec);
      rates[system].push(...perRun);
      const refusals = result.runs.reduce((n, r) => n + r.refusals, 0);
      log(`  ${system.padEnd(9)} ${perRun.map((r) => Math.round(r).toLocaleString('en-US')).join(', ')} msgs/s (${result.runs.map((r) => r.messages).join(', ')} msgs${refusals ? `, ${refusals} refusals` : ''}; RSS ${result.rssMb.toFixed(0)} MB)`);
    }
  }
  return {
    label: scenario.name,
    unit: 'msgs/s',
    better: 'higher',
    plantwire: rates.plantwire.length ? median(rates.plantwire) : undefined,
    nodeRed: rates['node-red'].length ? median(rates['node-red']) : undefined,
    reference: REFERENCE[scenario.name as keyof typeof REFERENCE],
    target: scenario.minRatio,
    note: files.plantwire ? undefined : 'Plantwire side not run',
  };
}

async function runDeploy(scenario: DeployScenario, files: FlowFiles, sides: Sides, settings: ReturnType<typeof plan>, runDir: string, collector: Collector): Promise<Row[]> {
  const times: Record<SystemName, number[]> = { plantwire: [], 'node-red': [] };
  const rss: Record<SystemName, number[]> = { plantwire: [], 'node-red': [] };
  for (let rep = 0; rep < settings.deployProcesses; rep++) {
    for (const system of order(rep)) {
      const flowFile = system === 'node-red' ? files.nodeRed : files.plantwire;
      if (!flowFile) continue;
      const request: DriverRequest = { mode: 'deploy', flowFile, settleMs: settings.settleMs, nodeRed: system === 'node-red' ? nodeRedContext(sides, runDir) : undefined };
      const result = (await runSide(system, request, sides, scenario.name, collector, 120_000)) as DeployResultReport | undefined;
      if (!result) continue;
      if (result.nodes !== scenario.nodeCount) collector.fail(system, scenario.name, new Error(`deployed ${result.nodes} nodes, expected ${scenario.nodeCount}`));
      times[system].push(result.deployMs);
      rss[system].push(result.rssAfterMb);
      log(`  ${system.padEnd(9)} deploy ${result.deployMs.toFixed(0)} ms, RSS ${result.rssBeforeMb.toFixed(0)} → ${result.rssAfterMb.toFixed(0)} MB`);
    }
  }
  const pick = (list: number[]): number | undefined => (list.length ? median(list) : undefined);
  const note = files.plantwire ? undefined : 'Plantwire side not run';
  return [
    { label: `${scenario.name} time`, unit: 'ms', better: 'lower', plantwire: pick(times.plantwire), nodeRed: pick(times['node-red']), reference: scenario.nodeCount === 5000 ? REFERENCE['deploy-5000'] : undefined, target: scenario.maxTimeRatio, note },
    { label: `${scenario.name} RSS after`, unit: 'MB', better: 'lower', plantwire: pick(rss.plantwire), nodeRed: pick(rss['node-red']), note },
  ];
}

/** How `plantwire run` is started: the built CLI bundle when present, else the TS source through tsx (in-process loader, so the pid is the runtime's). */
function plantwireCommand(flowFile: string, nodeBin: string): { command: string; args: string[]; how: string } {
  const bundle = join(repoDir, 'apps', 'cli', 'dist', 'plantwire.js');
  if (existsSync(bundle)) return { command: nodeBin, args: [bundle, 'run', flowFile], how: 'apps/cli/dist/plantwire.js' };
  return { command: nodeBin, args: ['--import', 'tsx', join(repoDir, 'apps', 'cli', 'src', 'main.ts'), 'run', flowFile], how: 'tsx apps/cli/src/main.ts (no CLI bundle)' };
}

/** The JSON log line (stderr) `plantwire run` writes once the flow is deployed and running (apps/cli/src/run-command.ts). */
const PLANTWIRE_READY = /"message"\s*:\s*"running"/;

async function runStartup(scenario: StartupScenario, files: FlowFiles, sides: Sides, settings: ReturnType<typeof plan>, runDir: string, collector: Collector): Promise<Row[]> {
  const results: Record<SystemName | 'node-red-editor', StartupMeasurement[]> = { plantwire: [], 'node-red': [], 'node-red-editor': [] };
  const withTargets = scenario.maxTimeRatio !== undefined || scenario.maxRssRatio !== undefined;
  let how = '';
  const measureNodeRed = async (headless: boolean): Promise<StartupMeasurement> => {
    const userDir = mkdtempSync(join(runDir, 'nr-startup-'));
    writeFileSync(join(userDir, 'flows.json'), JSON.stringify(toNodeRedFlows(scenario.graph)));
    const settingsFile = writeNodeRedSettings(userDir, { headless, port: headless ? 0 : await freePort() });
    return measureStartup(sides.nodeRed.nodeBin, [join(sides.nodeRed.nodeRedDir, 'red.js'), '--settings', settingsFile, '--userDir', userDir], {
      ready: /Started flows/,
      idleMs: settings.idleMs,
      timeoutMs: 60_000,
    });
  };
  for (let rep = 0; rep < settings.startupProcesses; rep++) {
    for (const system of order(rep)) {
      try {
        if (system === 'node-red') {
          results['node-red'].push(await measureNodeRed(true));
          // The editor variant is for information only: once is enough, and keeps the scenario short.
          if (rep === 0 && withTargets) results['node-red-editor'].push(await measureNodeRed(false));
        } else if (files.plantwire && !('unavailable' in sides.plantwire)) {
          const cmd = plantwireCommand(files.plantwire, sides.plantwire.nodeBin);
          how = cmd.how;
          results.plantwire.push(await measureStartup(cmd.command, cmd.args, { ready: PLANTWIRE_READY, idleMs: settings.idleMs, timeoutMs: 60_000, cwd: repoDir }));
        }
      } catch (err) {
        collector.fail(system, scenario.name, err);
      }
    }
  }
  for (const [system, list] of Object.entries(results)) {
    if (list.length) log(`  ${system.padEnd(15)} ready ${list.map((m) => m.readyMs.toFixed(0)).join(', ')} ms; idle RSS ${list.map((m) => m.idleRssMb.toFixed(0)).join(', ')} MB`);
  }
  const pick = (list: StartupMeasurement[], key: keyof StartupMeasurement): number | undefined => (list.length ? median(list.map((m) => m[key])) : undefined);
  const note = files.plantwire ? (how ? `PW via ${how}` : undefined) : 'Plantwire side not run';
  if (!withTargets) {
    return [
      { label: `${scenario.name}: start-up time (NR headless)`, unit: 'ms', better: 'lower', plantwire: pick(results.plantwire, 'readyMs'), nodeRed: pick(results['node-red'], 'readyMs'), note },
      { label: `${scenario.name}: idle RSS (NR headless)`, unit: 'MB', better: 'lower', plantwire: pick(results.plantwire, 'idleRssMb'), nodeRed: pick(results['node-red'], 'idleRssMb') },
    ];
  }
  return [
    { label: 'start-up time (NR headless)', unit: 'ms', better: 'lower', plantwire: pick(results.plantwire, 'readyMs'), nodeRed: pick(results['node-red'], 'readyMs'), target: scenario.maxTimeRatio, note },
    { label: 'idle RSS (NR headless)', unit: 'MB', better: 'lower', plantwire: pick(results.plantwire, 'idleRssMb'), nodeRed: pick(results['node-red'], 'idleRssMb'), target: scenario.maxRssRatio },
    { label: 'start-up time (NR with editor)', unit: 'ms', better: 'lower', plantwire: pick(results.plantwire, 'readyMs'), nodeRed: pick(results['node-red-editor'], 'readyMs'), reference: REFERENCE.startupMs },
    { label: 'idle RSS (NR with editor)', unit: 'MB', better: 'lower', plantwire: pick(results.plantwire, 'idleRssMb'), nodeRed: pick(results['node-red-editor'], 'idleRssMb'), reference: REFERENCE.idleRssMb },
  ];
}

main().catch((err: unknown) => {
  log(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
