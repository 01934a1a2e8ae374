/**
 * Modbus polling against a pymodbus TCP server (issue "Industrial connectivity"):
 *
 * (a) 100 holding registers polled as fast as the poller allows: Plantwire (`plantwire run`,
 *     modbus-read with `intervalMs: 0`, back to back) and Node-RED 5.0.7 with node-red-contrib-modbus
 *     (modbus-read at its 1 ms minimum rate). Reads/s counted by the server, CPU % of the system's
 *     process from /proc over the same window. Target: Plantwire ≥ 2× Node-RED's reads/s at no more CPU.
 * (b) 1,000 tags over 2 unit ids every 100 ms (Plantwire only): read requests per poll, counted by
 *     the server, against the fewest possible (computed independently of the node's planner), and
 *     CPU %. Targets: ≤ 1.1 × the minimum, ≤ 10 % of one core.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureNodeRed } from '../node-red-install.js';
import { median } from '../report.js';
import { ensureNodeRedModbus, NODE_RED_POLL, nodeRedModbusFlow, startNodeRed, type NodeRedModbusInstall } from './modbus/node-red-modbus.js';
import { startPlantwire, type PlantwireProcess } from './modbus/plantwire-process.js';
import { cpuMark, cpuPercent } from './modbus/process-cpu.js';
import { startBenchModbusServer, type BenchModbusServer, type ServerStats } from './modbus/pymodbus-server.js';
import { hundredRegisters, minimumRequests, tableSizes, thousandTags, toModbusReadTags, type BenchTag } from './modbus/register-maps.js';
import type { ProtocolBench, ProtocolBenchOptions, ProtocolSection, TargetVerdict } from './section.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Plan {
  readonly warmupMs: number;
  readonly windowMs: number;
  /** Processes per system in (a), alternating which system goes first. */
  readonly repetitions: number;
}

function planFor(quick: boolean): Plan {
  return quick ? { warmupMs: 1000, windowMs: 2000, repetitions: 1 } : { warmupMs: 2000, windowMs: 5000, repetitions: 3 };
}

/**
 * A Plantwire flow: one modbus-device on the server, `readers` modbus-read nodes in poll mode (ids
 * `read`, `read2`, …) on it, into an inactive debug node.
 */
function plantwireFlow(port: number, tags: readonly BenchTag[], read: { intervalMs: number; maxGap: number; readers?: number }, name: string): unknown {
  const ids = Array.from({ length: read.readers ?? 1 }, (_, i) => (i === 0 ? 'read' : `read${i + 1}`));
  return {
    version: 1,
    name,
    connections: [{ id: 'server', type: 'modbus-device', config: { host: '127.0.0.1', port, unitId: 1, timeoutMs: 1000 } }],
    nodes: [
      ...ids.map((id) => ({ id, type: 'modbus-read', config: { device: 'server', intervalMs: read.intervalMs, maxGap: read.maxGap, output: 'poll', tags: toModbusReadTags(tags) } })),
      { id: 'sink', type: 'debug', config: { active: false } },
    ],
    wires: ids.map((id) => ({ from: { node: id, port: 'out' }, to: { node: 'sink', port: 'in' } })),
  };
}

/** Pollers of 10 ms (≤ 100 reads/s each) it takes to reach 2× `reads`/s, with a margin for late and skipped ticks. */
export function pacedReaders(reads: number): number {
  return Math.min(40, Math.max(1, Math.ceil((2 * reads * 1.4) / 100)));
}

/** The most frequent value (the smallest of equals); undefined for none. */
export function mode(values: readonly number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | undefined;
  for (const [v, n] of counts) if (best === undefined || n > counts.get(best)! || (n === counts.get(best)! && v < best)) best = v;
  return best;
}

interface PollWindow {
  readonly readsPerSec: number;
  readonly cpuPercent: number;
  readonly serverCpuPercent: number;
}

/** After `warmupMs`, count the server's reads and the process's CPU over `windowMs`. */
async function measurePolling(server: BenchModbusServer, pid: number, plan: Plan): Promise<PollWindow> {
  await sleep(plan.warmupMs);
  const s0 = await server.stats();
  const c0 = cpuMark(pid);
  const p0 = cpuMark(server.pid);
  await sleep(plan.windowMs);
  const s1 = await server.stats();
  const c1 = cpuMark(pid);
  const p1 = cpuMark(server.pid);
  if (s1.reads === s0.reads) throw new Error(`the server answered no read in ${plan.windowMs} ms`);
  return { readsPerSec: (s1.reads - s0.reads) / (s1.t - s0.t), cpuPercent: cpuPercent(c0, c1), serverCpuPercent: cpuPercent(p0, p1) };
}

type System = 'plantwire' | 'node-red';

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** (a) Both systems, alternating, on one server; the figures are medians over the repetitions. */
async function fastPolling(options: ProtocolBenchOptions, plan: Plan, runDir: string, problems: string[]) {
  const { log, scratch } = options;
  const tags = hundredRegisters();
  const server = await startBenchModbusServer({ units: tableSizes(tags) });
  const results: Record<System, PollWindow[]> = { plantwire: [], 'node-red': [] };
  let how = '';
  let nodeRedModbus: NodeRedModbusInstall | undefined;
  let nodeRedNode = '';
  let paced: PollWindow | undefined;
  let readers = 0;
  try {
    const flowFile = join(runDir, 'modbus-100.plantwire.json');
    writeFileSync(flowFile, JSON.stringify(plantwireFlow(server.port, tags, { intervalMs: 0, maxGap: 0 }, 'bench: 100 holding registers back to back'), null, 2));
    for (let rep = 0; rep < plan.repetitions; rep++) {
      const order: System[] = rep % 2 === 0 ? ['node-red', 'plantwire'] : ['plantwire', 'node-red'];
      for (const system of order) {
        try {
          if (system === 'plantwire') {
            const pw = await startPlantwire(flowFile, { dataDir: join(runDir, `pw-a-${rep}`) });
            how = pw.how;
            try {
              results.plantwire.push(await measurePolling(server, pw.pid, plan));
            } finally {
              await pw.stop();
            }
          } else {
            const install = ensureNodeRed(scratch, log);
            nodeRedNode = install.nodeVersion;
            nodeRedModbus ??= ensureNodeRedModbus(scratch, log);
            const nr = await startNodeRed(install, nodeRedModbus.prefix, join(runDir, `nr-a-${rep}`), nodeRedModbusFlow(server.port, tags.length));
            try {
              results['node-red'].push(await measurePolling(server, nr.pid, plan));
            } finally {
              await nr.stop();
            }
          }
          const last = results[system].at(-1)!;
          log(`  ${system.padEnd(9)} ${fmt(last.readsPerSec)} reads/s at ${fmt(last.cpuPercent, 1)}% CPU (pymodbus ${fmt(last.serverCpuPercent, 0)}%)`);
        } catch (err) {
          const text = err instanceof Error ? err.message : String(err);
          problems.push(`modbus (a) on ${system}: ${text}`);
          log(`  ✗ modbus (a) on ${system}: ${text}`);
        }
      }
    }
    // "At no more CPU": Plantwire paced to at least 2× Node-RED's reads/s (k pollers of 10 ms, the
    // shortest interval but back to back), since a back-to-back poller takes what the round trips allow.
    const nrReads = results['node-red'].length ? median(results['node-red'].map((r) => r.readsPerSec)) : undefined;
    if (nrReads !== undefined) {
      readers = pacedReaders(nrReads);
      const pacedFile = join(runDir, 'modbus-100-paced.plantwire.json');
      writeFileSync(pacedFile, JSON.stringify(plantwireFlow(server.port, tags, { intervalMs: 10, maxGap: 0, readers }, `bench: ${readers} pollers of 100 holding registers every 10 ms`), null, 2));
      try {
        const pw = await startPlantwire(pacedFile, { dataDir: join(runDir, 'pw-paced') });
        try {
          paced = await measurePolling(server, pw.pid, plan);
        } finally {
          await pw.stop();
        }
        log(`  plantwire paced (${readers} × 10 ms) ${fmt(paced.readsPerSec)} reads/s at ${fmt(paced.cpuPercent, 1)}% CPU`);
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err);
        problems.push(`modbus (a) on plantwire, paced: ${text}`);
        log(`  ✗ modbus (a) on plantwire, paced: ${text}`);
      }
    }
  } finally {
    await server.stop();
  }
  const pick = (system: System, key: keyof PollWindow) => (results[system].length ? median(results[system].map((r) => r[key])) : undefined);
  return {
    paced,
    readers,
    how,
    nodeRedModbus,
    nodeRedNode,
    pw: { reads: pick('plantwire', 'readsPerSec'), cpu: pick('plantwire', 'cpuPercent'), server: pick('plantwire', 'serverCpuPercent') },
    nr: { reads: pick('node-red', 'readsPerSec'), cpu: pick('node-red', 'cpuPercent'), server: pick('node-red', 'serverCpuPercent') },
  };
}

/**
 * The server's counters and the node's poll count, both taken in one pause between two polls (no
 * request for 20–60 ms, and none while the metrics were read), so they split cleanly at a poll boundary.
 */
async function snapshotBetweenPolls(server: BenchModbusServer, pw: PlantwireProcess): Promise<{ stats: ServerStats; polls: number }> {
  const bursts: number[] = [];
  for (let i = 0; i < 200; i++) {
    const s = await server.stats();
    bursts.push(...s.bursts); // each answer reports a burst once: keep those of the tries too
    if (s.idleMs >= 20 && s.idleMs <= 60) {
      const read = (await pw.metrics()).read;
      if (!read) throw new Error('no metrics for node "read"');
      const after = await server.stats();
      bursts.push(...after.bursts);
      if (after.reads === s.reads) return { stats: { ...s, bursts }, polls: read.out };
    }
    await sleep(5);
  }
  throw new Error('found no quiet pause between two polls in 200 tries: is the poller running every 100 ms?');
}

/** (b) 1,000 tags on 2 unit ids every 100 ms, Plantwire only. */
async function coalescing(plan: Plan, runDir: string) {
  const tags = thousandTags();
  const minimum = minimumRequests(tags);
  const server = await startBenchModbusServer({ units: tableSizes(tags), burstGapMs: 40 });
  let pw: PlantwireProcess | undefined;
  try {
    const flowFile = join(runDir, 'modbus-1000.plantwire.json');
    // maxGap 1: the map's unused registers are single ones between runs, and the server answers them.
    writeFileSync(flowFile, JSON.stringify(plantwireFlow(server.port, tags, { intervalMs: 100, maxGap: 1 }, 'bench: 1,000 tags on 2 unit ids every 100 ms'), null, 2));
    pw = await startPlantwire(flowFile, { dataDir: join(runDir, 'pw-b') });
    await sleep(plan.warmupMs);
    const c0 = cpuMark(pw.pid);
    const first = await snapshotBetweenPolls(server, pw);
    await sleep(plan.windowMs);
    const last = await snapshotBetweenPolls(server, pw);
    const c1 = cpuMark(pw.pid);
    const [s0, s1] = [first.stats, last.stats];
    const polls = last.polls - first.polls;
    if (polls <= 0) throw new Error(`no poll in ${plan.windowMs} ms`);
    const bursts = s1.bursts;
    return {
      minimum,
      requestsPerPoll: (s1.reads - s0.reads) / polls,
      polls,
      pollsPerSec: polls / (s1.t - s0.t),
      burstMode: mode(bursts),
      burstRange: bursts.length ? [Math.min(...bursts), Math.max(...bursts)] : undefined,
      cpuPercent: cpuPercent(c0, c1),
      how: pw.how,
    };
  } finally {
    await pw?.stop();
    await server.stop();
  }
}

async function run(options: ProtocolBenchOptions): Promise<ProtocolSection> {
  const { log, quick } = options;
  const plan = planFor(quick);
  const problems: string[] = [];
  const verdicts: TargetVerdict[] = [];
  const runDir = mkdtempSync(join(options.scratch, 'run-modbus-'));
  mkdirSync(runDir, { recursive: true });
  const md: string[] = [];
  try {
    log(`▶ modbus (a): 100 holding registers as fast as the poller allows; ${plan.repetitions}× per system, ${plan.windowMs} ms window after ${plan.warmupMs} ms warm-up`);
    const a = await fastPolling(options, plan, runDir, problems);
    log('▶ modbus (b): 1,000 tags on 2 unit ids every 100 ms (Plantwire)');
    let b: Awaited<ReturnType<typeof coalescing>> | undefined;
    try {
      b = await coalescing(plan, runDir);
      log(`  plantwire ${fmt(b.requestsPerPoll, 2)} requests/poll (minimum ${b.minimum}), ${fmt(b.pollsPerSec, 1)} polls/s, ${fmt(b.cpuPercent, 1)}% CPU`);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      problems.push(`modbus (b) on plantwire: ${text}`);
      log(`  ✗ modbus (b): ${text}`);
    }

    const ratio = a.pw.reads !== undefined && a.nr.reads ? a.pw.reads / a.nr.reads : undefined;
    const perCpuS = (reads?: number, cpu?: number) => (reads !== undefined && cpu ? reads / (cpu / 100) : undefined);
    const cell = (n: number | undefined, digits = 0, unit = '') => (n === undefined ? '—' : `${fmt(n, digits)}${unit}`);
    verdicts.push({
      label: 'modbus 100 registers: reads/s ÷ Node-RED',
      measured: ratio === undefined ? '—' : `${ratio.toFixed(2)}×`,
      target: '≥ 2×',
      verdict: ratio === undefined ? 'FAIL' : ratio >= 2 ? 'PASS' : 'FAIL',
    });
    const pacedOk = a.paced !== undefined && a.nr.reads !== undefined && a.nr.cpu !== undefined && a.paced.readsPerSec >= 2 * a.nr.reads;
    verdicts.push({
      label: 'modbus 100 registers: CPU % at ≥ 2× Node-RED\'s reads/s vs Node-RED',
      measured: a.paced && a.nr.cpu !== undefined ? `${a.paced.cpuPercent.toFixed(1)}% at ${fmt(a.paced.readsPerSec)} reads/s vs ${a.nr.cpu.toFixed(1)}%` : '—',
      target: '≤ Node-RED',
      verdict: pacedOk && a.paced!.cpuPercent <= a.nr.cpu! ? 'PASS' : 'FAIL',
    });
    verdicts.push({
      label: 'modbus 100 registers: CPU % at full speed (back to back) vs Node-RED',
      measured: a.pw.cpu === undefined || a.nr.cpu === undefined ? '—' : `${a.pw.cpu.toFixed(1)}% vs ${a.nr.cpu.toFixed(1)}%`,
      target: '(info)',
      verdict: 'info',
    });
    const pwPerCpu = perCpuS(a.pw.reads, a.pw.cpu);
    const nrPerCpu = perCpuS(a.nr.reads, a.nr.cpu);
    verdicts.push({
      label: 'modbus 100 registers: reads per CPU-second ÷ Node-RED',
      measured: pwPerCpu !== undefined && nrPerCpu ? `${(pwPerCpu / nrPerCpu).toFixed(1)}×` : '—',
      target: '(info)',
      verdict: 'info',
    });
    verdicts.push({
      label: 'modbus 1,000 tags / 2 units: requests per poll',
      measured: b ? `${b.requestsPerPoll.toFixed(2)} (minimum ${b.minimum})` : '—',
      target: b ? `≤ ${(1.1 * b.minimum).toFixed(1)} (1.1 × minimum)` : '≤ 1.1 × minimum',
      verdict: b && b.requestsPerPoll <= 1.1 * b.minimum ? 'PASS' : 'FAIL',
    });
    verdicts.push({
      label: 'modbus 1,000 tags / 2 units every 100 ms: CPU',
      measured: b ? `${b.cpuPercent.toFixed(1)}% of one core` : '—',
      target: '≤ 10%',
      verdict: b && b.cpuPercent <= 10 ? 'PASS' : 'FAIL',
    });

    md.push(
      'A pymodbus TCP server (python3-pymodbus, its own process, 127.0.0.1) counts every read request it answers;',
      'reads/s are its count over the window. CPU is user + system time of the system\'s process (all threads) from',
      `/proc/<pid>/stat over the same window, in % of one core. ${plan.windowMs / 1000} s window after ${plan.warmupMs / 1000} s warm-up${plan.repetitions > 1 ? `; medians of ${plan.repetitions} processes per system, alternating` : ''}.`,
      '',
      `**(a) 100 holding registers as fast as the poller allows.** Plantwire: \`plantwire run\` (${a.how || 'not run'}), modbus-read with`,
      '`intervalMs: 0` (back to back: the next poll starts when the previous one finished), 100 uint16 tags = one',
      `FC3 request of 100 registers, into an inactive debug node. Node-RED ${a.nodeRedNode ? `on Node ${a.nodeRedNode}` : ''}: node-red-contrib-modbus`,
      `${a.nodeRedModbus ? `${a.nodeRedModbus.version} (${a.nodeRedModbus.modbusLibrary})` : '(not installed)'}, modbus-read of 100 holding registers at its minimum`,
      `rate (${NODE_RED_POLL.rateMs} ms; the client's command delay ${NODE_RED_POLL.commandDelayMs} ms, queue depth ${NODE_RED_POLL.maxQueueDepth}; ticks that find the queue full are dropped by the node),`,
      'into an inactive debug node, red.js headless.',
      '',
      '| System | reads/s | CPU % (one core) | reads per CPU-second | pymodbus CPU % |',
      '| --- | --- | --- | --- | --- |',
      `| Plantwire | ${cell(a.pw.reads)} | ${cell(a.pw.cpu, 1)} | ${cell(perCpuS(a.pw.reads, a.pw.cpu))} | ${cell(a.pw.server)} |`,
      `| Node-RED | ${cell(a.nr.reads)} | ${cell(a.nr.cpu, 1)} | ${cell(perCpuS(a.nr.reads, a.nr.cpu))} | ${cell(a.nr.server)} |`,
      `| Plantwire paced: ${a.readers || '—'} pollers × 10 ms | ${cell(a.paced?.readsPerSec)} | ${cell(a.paced?.cpuPercent, 1)} | ${cell(perCpuS(a.paced?.readsPerSec, a.paced?.cpuPercent))} | ${cell(a.paced?.serverCpuPercent)} |`,
      '',
      'A back-to-back poller uses as much CPU as the round trips leave it, so "at no more CPU" is checked on the paced run:',
      'Plantwire with enough modbus-read nodes polling every 10 ms (its shortest interval) on the same connection to make',
      'at least 2× Node-RED\'s reads/s (measured just before), against Node-RED\'s CPU at full speed.',
      '',
      'Reference from the issue: Node-RED with node-red-contrib-modbus, 369 reads/s at 20% CPU on a 2-core machine.',
      '',
      '**(b) 1,000 tags over 2 unit ids every 100 ms** (Plantwire only). Per unit: 250 uint16 holding registers in 10 runs',
      'of 25 with one unused register after each run (0–258), 100 float32 at holding 1000–1199, 50 int16 input registers,',
      '100 coils. Fewest requests, reading through unused registers (the server answers them) and never splitting a tag:',
      '⌈259/125⌉ + 2 + 1 + 1 = 7 per unit, 14 per poll (`minimumRequests`, bench/protocols/modbus/register-maps.ts, computed',
      'from the map, not by the node\'s planner). modbus-read with `maxGap: 1`. Requests per poll = the server\'s count ÷ polls',
      '(Plantwire\'s messages-out counter, one message per poll), both read in a pause between polls.',
      '',
      'Cross-check: the server also groups requests into bursts (a pause over 40 ms ends one); the most common burst is',
      'one poll (on a busy machine two polls can merge into one burst, or one be split).',
      '',
      '| requests per poll | minimum | polls in window | polls/s | requests per burst: most common (min–max) | CPU % (one core) |',
      '| --- | --- | --- | --- | --- | --- |',
      b
        ? `| ${fmt(b.requestsPerPoll, 2)} | ${b.minimum} | ${b.polls} | ${fmt(b.pollsPerSec, 1)} | ${b.burstMode ?? '—'} (${b.burstRange ? `${b.burstRange[0]}–${b.burstRange[1]}` : '—'}) | ${fmt(b.cpuPercent, 1)} |`
        : '| — | 14 | — | — | — | — |',
    );
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
  return { title: 'Modbus polling against pymodbus', markdown: md.join('\n'), verdicts, problems };
}

/** `--only modbus`. */
export const modbusPollBench: ProtocolBench = { name: 'modbus', run };
