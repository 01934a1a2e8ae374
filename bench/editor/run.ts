/**
 * `pnpm bench:editor [--quick] [--write] [--only tti,pan,drag,flood]`
 *
 * Plantwire's editor side by side with Node-RED 5.0.7's on the same generated flows in the same
 * headless Debian Chromium (measurements: measure-editor.ts; definitions: bench/README.md). The two
 * systems run alternately, never at the same time, each with a fresh server and a fresh browser.
 * Prints the section on stdout, progress on stderr; `--write` replaces the editor block of
 * bench/RESULTS.md (between `<!-- editor:begin -->` and `<!-- editor:end -->`, appended when absent).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { ensureNodeRed, NODE_RED_VERSION, scratchDir, type NodeRedInstall } from '../node-red-install.js';
import { verdictTable } from '../protocols/results-block.js';
import { loadNow, machineInfo } from '../report.js';
import { editorVerdicts, figuresTable, type EditorResults, type FloodFigures, type SystemFigures, type TtiRun } from './editor-figures.js';
import { dragSelection, editorGrid, FLOOD_DEBUG_ID, FLOOD_TOPIC, nodeRedFloodFlows, nodeRedGridFlows, plantwireFloodDocument, plantwireGridDocument } from './editor-flows.js';
import { ADAPTERS, CHROMIUM, launchChromium } from './editor-page.js';
import { killChildren, REPO_ROOT, startBroker, startNodeRed, startPlantwire, type EditorSystem, type RunningServer } from './editor-systems.js';
import { debugFlood, dragSelection as measureDrag, openEditor, pan, QUIET_MS } from './measure-editor.js';
import { mainThreadTasks } from './main-thread-trace.js';
import { replaceEditorBlock } from './results-block.js';

const MEASUREMENTS = ['tti', 'pan', 'drag', 'flood'] as const;
type Measurement = (typeof MEASUREMENTS)[number];

interface Options {
  readonly quick: boolean;
  readonly write: boolean;
  readonly only: readonly Measurement[] | undefined;
}

export interface EditorPlan {
  readonly sizes: readonly number[];
  readonly ttiRuns: number;
  readonly ttiTimeoutMs: number;
  readonly panSteps: number;
  readonly dragSteps: number;
  readonly floodRate: number;
  readonly floodSeconds: number;
}

export function editorPlan(quick: boolean): EditorPlan {
  return quick
    ? { sizes: [2000, 5000], ttiRuns: 1, ttiTimeoutMs: 120_000, panSteps: 60, dragSteps: 60, floodRate: 10_000, floodSeconds: 5 }
    : { sizes: [2000, 5000], ttiRuns: 3, ttiTimeoutMs: 120_000, panSteps: 200, dragSteps: 150, floodRate: 10_000, floodSeconds: 30 };
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Options {
  let quick = false;
  let write = false;
  let only: Measurement[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue; // pnpm passes it through
    if (arg === '--help') {
      process.stdout.write(`pnpm bench:editor [--quick] [--write] [--only ${MEASUREMENTS.join(',')}]\n`);
      process.exit(0);
    } else if (arg === '--quick') quick = true;
    else if (arg === '--write') write = true;
    else if (arg === '--only') {
      const list = argv[++i];
      if (!list) throw new UsageError('bench:editor: --only needs a comma-separated list of measurements');
      only = [];
      for (const name of list.split(',').map((n) => n.trim()).filter(Boolean)) {
        if (!(MEASUREMENTS as readonly string[]).includes(name)) throw new UsageError(`bench:editor: unknown measurement "${name}" (known: ${MEASUREMENTS.join(', ')})`);
        only.push(name as Measurement);
      }
    } else throw new UsageError(`bench:editor: unknown option "${arg}" (known: --quick --write --only --help)`);
  }
  // The block is one run of everything (one date, one machine load): a partial run must not replace it.
  if (write && only !== undefined && !MEASUREMENTS.every((m) => only!.includes(m))) throw new UsageError('bench:editor: --write records a run of every measurement; run it without --only');
  return { quick, write, only };
}

interface MutableFigures {
  tti: Record<string, TtiRun[]>;
  pan?: SystemFigures['pan'];
  drag?: SystemFigures['drag'];
  flood?: SystemFigures['flood'];
}

const SYSTEMS: readonly EditorSystem[] = ['plantwire', 'node-red'];

async function withServer<T>(start: () => Promise<RunningServer>, body: (server: RunningServer) => Promise<T>): Promise<T> {
  const server = await start();
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}

/** A fresh browser per server session, so no session inherits another's caches or memory. */
async function withBrowser<T>(body: (browser: Awaited<ReturnType<typeof launchChromium>>) => Promise<T>): Promise<T> {
  const browser = await launchChromium();
  try {
    return await body(browser);
  } finally {
    await browser.close();
  }
}

async function measureFlows(
  system: EditorSystem,
  size: number,
  plan: EditorPlan,
  wants: (m: Measurement) => boolean,
  scratch: string,
  nodeRed: NodeRedInstall,
  figures: MutableFigures,
): Promise<void> {
  const adapter = ADAPTERS[system];
  const grid = editorGrid(size);
  const start = system === 'plantwire' ? async () => startPlantwire(scratch, await plantwireGridDocument(grid)) : () => startNodeRed(scratch, nodeRed, nodeRedGridFlows(grid));
  const interactionsHere = size === plan.sizes[0] && (wants('pan') || wants('drag'));
  const runs = wants('tti') ? plan.ttiRuns : interactionsHere ? 1 : 0;
  if (runs === 0) return;
  await withServer(start, (server) =>
    withBrowser(async (browser) => {
      for (let run = 0; run < runs; run++) {
        const opened = await openEditor(browser, server.url, adapter, size, plan.ttiTimeoutMs);
        try {
          log(`  ${adapter.label} ${size} nodes run ${run + 1}: interactive ${opened.run.ttiMs.toFixed(0)} ms (model + drawn ${opened.run.readyMs.toFixed(0)} ms, longest task ${opened.run.longestTaskMs.toFixed(0)} ms)`);
          if (wants('tti')) (figures.tti[String(size)] ??= []).push(opened.run);
          if (interactionsHere && run === runs - 1) {
            // Drag first: the selection box needs the default view, which panning leaves.
            if (wants('drag')) {
              figures.drag = await measureDrag(opened.page, adapter, dragSelection(), plan.dragSteps);
              log(`  ${adapter.label} drag 50: ${figures.drag.fps.toFixed(1)} fps, p50 ${figures.drag.p50Ms.toFixed(1)} ms, p95 ${figures.drag.p95Ms.toFixed(1)} ms`);
            }
            if (wants('pan')) {
              figures.pan = await pan(opened.page, adapter, plan.panSteps);
              log(`  ${adapter.label} pan: ${figures.pan.fps.toFixed(1)} fps, p50 ${figures.pan.p50Ms.toFixed(1)} ms, p95 ${figures.pan.p95Ms.toFixed(1)} ms`);
            }
          }
        } finally {
          await opened.context.close();
        }
      }
    }),
  );
}

async function measureFlood(system: EditorSystem, plan: EditorPlan, scratch: string, nodeRed: NodeRedInstall, figures: MutableFigures): Promise<void> {
  const adapter = ADAPTERS[system];
  const broker = await startBroker(scratch);
  try {
    const start = system === 'plantwire' ? () => startPlantwire(scratch, plantwireFloodDocument(broker.url)) : () => startNodeRed(scratch, nodeRed, nodeRedFloodFlows(broker.port));
    await withServer(start, (server) =>
      withBrowser(async (browser) => {
        const client = await mqtt.connectAsync(broker.url, { clientId: `editor-bench-publisher-${process.pid}`, clean: true, reconnectPeriod: 0 });
        const stream = (client as unknown as { stream?: { setNoDelay?: (on: boolean) => void } }).stream;
        stream?.setNoDelay?.(true);
        let seq = 0;
        const source = {
          publish(count: number): void {
            for (let i = 0; i < count; i++) client.publish(FLOOD_TOPIC, `{"seq":${seq++},"value":${(seq % 1000) / 10}}`, { qos: 0 });
          },
        };
        const opened = await openEditor(browser, server.url, adapter, 2, plan.ttiTimeoutMs);
        try {
          // A `toplevel` trace (low overhead) tells a long task from a descheduled short one.
          await browser.startTracing(opened.page, { categories: ['toplevel'] });
          let flood: FloodFigures;
          let trace: Uint8Array;
          try {
            flood = await debugFlood(opened.page, adapter, FLOOD_DEBUG_ID, server.pid, source, plan.floodRate, plan.floodSeconds);
          } finally {
            trace = await browser.stopTracing();
          }
          figures.flood = { ...flood, mainThread: mainThreadTasks(Buffer.from(trace).toString('utf8')) };
          const f = figures.flood;
          log(
            `  ${adapter.label} flood: ${f.published} published, shown ${f.shownReceived ?? 'no count'}, rows ${f.rowsDrawn}, longest task ${f.longestTaskMs.toFixed(0)} ms, frame p95 ${f.frames?.p95Ms.toFixed(1) ?? '—'} ms, RSS ${f.rssBeforeMb.toFixed(1)} → ${f.rssPeakMb.toFixed(1)} MB`,
          );
        } finally {
          await opened.context.close();
          await client.endAsync(true);
        }
      }),
    );
  } finally {
    await broker.stop();
  }
}

function describe(plan: EditorPlan, quick: boolean): string {
  return [
    `Both editors in the same headless Debian Chromium (\`${CHROMIUM}\`, viewport 1920 × 1200, a fresh browser per server and a fresh context per page load),`,
    'the servers on 127.0.0.1, one system at a time. Flows: chains `inject → 8 × change → debug (off)`, 4 chains per grid row, the same grid cells in both',
    "(Node-RED spaced 170 × 50 px for its ~120 × 30 px nodes, Plantwire 220 × 100 px for its 180 × 72 px nodes), each editor at its default view. See bench/README.md for the definitions.",
    '',
    `- Time to interactive: navigation start → all nodes in the editor's model and drawn, a double rAF, then the end of the last long task before ${QUIET_MS} ms without one;`,
    `  ${plan.ttiRuns} page load(s) per size and system, median${quick ? ' (quick)' : ''}.`,
    `- Panning the 2,000-node flow: ${plan.panSteps} mouse moves of ≤ 8 px (half up, half back) with each editor's pan gesture (Plantwire left-drag, Node-RED middle-drag) on the empty canvas.`,
    `- Dragging 50 selected nodes: a mouse selection box around 5 × 10 nodes (Plantwire Shift-drag, Node-RED drag), then ${plan.dragSteps} mouse moves of (3, 2) px holding one of them.`,
    `  Frame times are the intervals between requestAnimationFrame callbacks while the mouse moves.`,
    `- Debug flood: mqtt-in (QoS 0, text) → debug (active, to the sidebar) through Debian mosquitto; ${plan.floodRate.toLocaleString('en-US')} msg/s for ${plan.floodSeconds} s paced in 1 ms ticks`,
    '  after probes that prove the subscription, with the debug sidebar open. Long tasks by PerformanceObserver, server VmRSS every 200 ms (before = median of 5 samples).',
    '  Plantwire\'s count is `data-testid="debug-received-flood-debug"` once the editor shows every message (bounded wait); Node-RED shows no count.',
  ].join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const plan = editorPlan(options.quick);
  const wants = (m: Measurement): boolean => options.only === undefined || options.only.includes(m);
  const loadAtStart = loadNow();
  const scratch = scratchDir();
  const nodeRed = ensureNodeRed(scratch, log);
  const figures: Record<EditorSystem, MutableFigures> = { plantwire: { tti: {} }, 'node-red': { tti: {} } };
  const problems: string[] = [];
  const attempt = async (what: string, body: () => Promise<void>): Promise<void> => {
    const started = performance.now();
    try {
      await body();
    } catch (err) {
      const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`  ✗ ${what}: ${text}`);
      problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
    log(`  (${what}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  };
  for (const size of plan.sizes) {
    for (const system of SYSTEMS) {
      log(`■ ${ADAPTERS[system].label}: ${size.toLocaleString('en-US')}-node flow`);
      await attempt(`${ADAPTERS[system].label}, ${size} nodes`, () => measureFlows(system, size, plan, wants, scratch, nodeRed, figures[system]));
    }
  }
  if (wants('flood')) {
    for (const system of SYSTEMS) {
      log(`■ ${ADAPTERS[system].label}: debug flood`);
      await attempt(`${ADAPTERS[system].label}, debug flood`, () => measureFlood(system, plan, scratch, nodeRed, figures[system]));
    }
  }
  const loadAtEnd = loadNow();
  const results: EditorResults = { plantwire: figures.plantwire, nodeRed: figures['node-red'], sizes: wants('tti') ? plan.sizes : [] };
  const verdicts = editorVerdicts(results).filter((v) => {
    if (v.label.startsWith('time to interactive')) return wants('tti');
    if (v.label.startsWith('panning')) return wants('pan');
    if (v.label.startsWith('dragging')) return wants('drag');
    return wants('flood');
  });
  const markdown = [describe(plan, options.quick), '', figuresTable(results)].join('\n');
  process.stdout.write(`\n## Editor benchmarks\n\n${markdown}\n\n${verdictTable(verdicts)}\n`);
  if (problems.length) process.stdout.write(`\nProblems:\n${problems.map((p) => `- ${p.split('\n')[0]}`).join('\n')}\n`);
  if (options.write) {
    const machine = machineInfo(process.version, nodeRed.nodeVersion, NODE_RED_VERSION, [loadAtStart, loadAtEnd]);
    const pass = verdicts.filter((v) => v.verdict === 'PASS').length;
    const busy = machine.loadAverage[0] > 0.5;
    let chromiumVersion = '—';
    try {
      const { execFileSync } = await import('node:child_process');
      chromiumVersion = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
    } catch {
      // No version line: the figures still say which binary ran.
    }
    const body = [
      '## Editor benchmarks',
      '',
      'Written by `pnpm bench:editor --write` (bench/editor/run.ts). Ratios are Plantwire ÷ Node-RED.',
      '',
      `- Date: ${machine.date}`,
      `- Machine: ${machine.nproc} cores (nproc), ${machine.cpuModel}, ${machine.memoryGb} GB memory; ${chromiumVersion}`,
      `- Plantwire on Node ${machine.plantwireNode}; Node-RED ${machine.nodeRedVersion} on Node ${machine.nodeRedNode}`,
      `- Settings: ${options.quick ? 'quick' : 'full'}`,
      `- Load average (1 min) at start / end: ${machine.loadAverage.map((l) => l.toFixed(2)).join(' / ')} on ${machine.nproc} cores${busy ? ' (the machine was busy: treat the figures as noise)' : ''}`,
      `- Verdicts: ${pass} PASS, ${verdicts.length - pass} FAIL`,
      '',
      markdown,
      '',
      verdictTable(verdicts),
      ...(problems.length ? ['', 'Problems:', '', ...problems.map((p) => `- ${p.split('\n')[0]}`)] : []),
    ].join('\n');
    const file = join(REPO_ROOT, 'bench', 'RESULTS.md');
    const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
    writeFileSync(file, replaceEditorBlock(previous, body));
    log(`wrote the editor block of ${file}`);
  }
  if (problems.length) process.exitCode = 1;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killChildren();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

main().catch((err: unknown) => {
  log(err instanceof UsageError ? err.message : `bench:editor failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  killChildren();
  process.exitCode = 1;
});
