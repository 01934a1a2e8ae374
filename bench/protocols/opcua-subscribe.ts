/**
 * OPC UA subscription throughput (issue "Industrial connectivity"): 10,000 monitored items on the
 * simulated plant's server, each changing every 100 ms, subscribed by `plantwire run` (one
 * opcua-subscribe node into an inactive debug node). Measured: sustained values/s out of the node,
 * values lost anywhere between the server's sampling and the sink, and the RSS of the Plantwire
 * process. The server runs in its own process (bench/protocols/opcua/opcua-sim-child.ts) and counts
 * what it queues, discards and sends.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rssMb } from '../drivers/measure-throughput.js';
import { startPlantwire, type NodeMetrics, type PlantwireProcess } from './modbus/plantwire-process.js';
import { cpuMark, cpuPercent } from './modbus/process-cpu.js';
import { startOpcuaSim, type SimProcess, type SimStats } from './opcua/opcua-sim-process.js';
import type { ProtocolBench, ProtocolBenchOptions, ProtocolSection, TargetVerdict } from './section.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const ITEMS = 10_000;
const PERIOD_MS = 100;
/** Per item: sampled every period; a queue of 10 rides out publishes up to a second late without discarding. */
const QUEUE_SIZE = 10;
const PUBLISHING_INTERVAL_MS = 100;
/**
 * The server's cap on values per publish response, raised from node-opcua's 1,000: at 1,000 the sim
 * answers one publish per publishing interval (measured), so it could never send more than
 * 10,000 values/s, a tenth of what changes; 10,000 is one interval's worth of changes.
 */
const SERVER_MAX_NOTIFICATIONS_PER_PUBLISH = 10_000;
/**
 * Queue capacity of the subscribe node (its outbox) and the sink: a publish response of up to
 * 10,000 values arrives in one go, and with the default 1,000 the node's backpressure (keep the
 * latest value per item) would coalesce a backlog's older values of the same item.
 */
const QUEUE_CAPACITY = 20_000;

/** The sim's extra variables: `ns=1;s=Extra.V0000` … (zero-padded to the digits of count − 1). */
export function extraVariableIds(count: number): string[] {
  const digits = String(count - 1).length;
  return Array.from({ length: count }, (_, i) => `ns=1;s=Extra.V${String(i).padStart(digits, '0')}`);
}

function flow(endpointUrl: string): unknown {
  return {
    version: 1,
    name: `bench: ${ITEMS} OPC UA monitored items every ${PERIOD_MS} ms`,
    connections: [{ id: 'plant', type: 'opcua-endpoint', config: { endpointUrl } }],
    nodes: [
      {
        id: 'sub',
        type: 'opcua-subscribe',
        queue: { capacity: QUEUE_CAPACITY },
        config: {
          endpoint: 'plant',
          publishingIntervalMs: PUBLISHING_INTERVAL_MS,
          items: extraVariableIds(ITEMS).map((nodeId) => ({ nodeId, samplingIntervalMs: PERIOD_MS, queueSize: QUEUE_SIZE })),
        },
      },
      { id: 'sink', type: 'debug', queue: { capacity: QUEUE_CAPACITY }, config: { active: false } },
    ],
    wires: [{ from: { node: 'sub', port: 'out' }, to: { node: 'sink', port: 'in' } }],
  };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(250);
  }
}

interface Counters {
  readonly sim: SimStats;
  readonly sub: NodeMetrics;
  readonly sink: NodeMetrics;
}

async function counters(sim: SimProcess, pw: PlantwireProcess): Promise<Counters> {
  const [s, m] = await Promise.all([sim.stats(), pw.metrics()]);
  if (!m.sub || !m.sink) throw new Error('no metrics for nodes "sub" and "sink"');
  return { sim: s, sub: m.sub, sink: m.sink };
}

async function run(options: ProtocolBenchOptions): Promise<ProtocolSection> {
  const { log, quick } = options;
  const warmupMs = quick ? 2000 : 3000;
  const windowMs = quick ? 4000 : 10_000;
  const problems: string[] = [];
  const verdicts: TargetVerdict[] = [];
  const runDir = mkdtempSync(join(options.scratch, 'run-opcua-'));
  let sim: SimProcess | undefined;
  let pw: PlantwireProcess | undefined;
  let md = '';
  log(`▶ opcua: ${fmt(ITEMS)} monitored items changing every ${PERIOD_MS} ms; ${windowMs / 1000} s window after ${warmupMs / 1000} s warm-up`);
  try {
    sim = await startOpcuaSim({ count: ITEMS, periodMs: PERIOD_MS, dataDir: join(runDir, 'plant'), maxNotificationsPerPublish: SERVER_MAX_NOTIFICATIONS_PER_PUBLISH });
    const flowFile = join(runDir, 'opcua.plantwire.json');
    writeFileSync(flowFile, JSON.stringify(flow(sim.endpointUrl)));
    const t0 = performance.now();
    pw = await startPlantwire(flowFile, { dataDir: join(runDir, 'pw') });
    const simRef = sim;
    await waitFor(`${ITEMS} monitored items sampling on the server`, 180_000, async () => ((await simRef.stats()).itemsStarted >= ITEMS ? true : undefined));
    const subscribedMs = performance.now() - t0;
    log(`  all ${fmt(ITEMS)} items monitored ${fmt(subscribedMs / 1000, 1)} s after plantwire run started (${pw.how})`);
    await sleep(warmupMs);

    const c0 = await counters(sim, pw);
    const pwCpu0 = cpuMark(pw.pid);
    const simCpu0 = cpuMark(sim.pid);
    const w0 = performance.now();
    await sleep(windowMs);
    const c1 = await counters(sim, pw);
    const pwCpu1 = cpuMark(pw.pid);
    const simCpu1 = cpuMark(sim.pid);
    const seconds = (performance.now() - w0) / 1000;
    const rss = rssMb(pw.pid);

    // Stop sampling, then wait until everything the server sent has come out of the node and into the sink.
    await sim.freeze();
    const pwRef = pw;
    let settled: Counters | undefined;
    let previous = -1;
    try {
      settled = await waitFor('the last values to arrive after sampling stopped', 30_000, async () => {
        const c = await counters(simRef, pwRef);
        const done = c.sub.out === c.sim.sent && c.sink.in === c.sub.out && c.sim.sent === previous;
        previous = c.sim.sent;
        return done ? c : undefined;
      });
    } catch {
      settled = await counters(simRef, pwRef); // did not settle: the difference is the loss
    }

    const valuesPerSec = (c1.sub.out - c0.sub.out) / seconds;
    const sampledPerSec = (c1.sim.queued - c0.sim.queued) / seconds;
    const sentPerSec = (c1.sim.sent - c0.sim.sent) / seconds;
    const changesPerSec = (ITEMS * 1000) / PERIOD_MS;
    const notDelivered = settled.sim.sent - settled.sub.out;
    const notAtSink = settled.sub.out - settled.sink.in;
    // (The subscribe node's own runtime "dropped" counts emits its full outbox refused; the node keeps
    // those values and sends them on drain, so they are not lost unless sent − out says so.)
    const lost = settled.sim.overflows + Math.max(0, notDelivered) + Math.max(0, notAtSink) + settled.sink.dropped;
    const pwCpu = cpuPercent(pwCpu0, pwCpu1);
    const simCpu = cpuPercent(simCpu0, simCpu1);
    log(`  plantwire ${fmt(valuesPerSec)} values/s (server sampled ${fmt(sampledPerSec)}/s, sent ${fmt(sentPerSec)}/s); lost ${fmt(lost)}; RSS ${fmt(rss)} MB; CPU ${fmt(pwCpu)}% (server ${fmt(simCpu)}%)`);

    verdicts.push({ label: `opcua ${fmt(ITEMS)} items / ${PERIOD_MS} ms: values lost`, measured: `${fmt(lost)} lost`, target: '0 lost', verdict: lost === 0 ? 'PASS' : 'FAIL' });
    verdicts.push({ label: `opcua ${fmt(ITEMS)} items / ${PERIOD_MS} ms: sustained values/s`, measured: `${fmt(valuesPerSec)}/s`, target: `≈ ${fmt(changesPerSec)}/s`, verdict: 'info' });
    verdicts.push({ label: `opcua ${fmt(ITEMS)} items: Plantwire RSS`, measured: `${fmt(rss)} MB`, target: '(info)', verdict: 'info' });
    md = [
      `The simulated plant's OPC UA server (packages/sim, \`opcuaExtraVariables: {count: ${ITEMS}, periodMs: ${PERIOD_MS}}\`: Doubles`,
      `\`ns=1;s=Extra.V0000\`… whose value moves every ${PERIOD_MS} ms) runs in its own Node process; \`plantwire run\` (${pw.how})`,
      `subscribes to all ${fmt(ITEMS)} with one opcua-subscribe node (publishing interval ${PUBLISHING_INTERVAL_MS} ms, sampling ${PERIOD_MS} ms, queue size`,
      `${QUEUE_SIZE}, discard oldest; node queue capacity ${fmt(QUEUE_CAPACITY)}) into an inactive debug node (capacity ${fmt(QUEUE_CAPACITY)}); the server's cap on values per`,
      `publish is raised from node-opcua's 1,000 to ${fmt(SERVER_MAX_NOTIFICATIONS_PER_PUBLISH)} (at 1,000 it answers one publish per interval: ≤ 10,000 values/s).`,
      `Values/s = the node's messages-out counter (metrics) over ${windowMs / 1000} s, ${warmupMs / 1000} s after`,
      'every item was sampling. Loss: the server process counts (instrumenting node-opcua) the values it queued, the values',
      'a full monitored-item queue discarded (overflow) and the notifications it sent; after the window sampling stops and',
      'the queues drain (30 s at most), and lost = overflows + (sent − the node\'s messages out) + (out − the sink\'s messages in)',
      '+ the sink\'s drops. RSS: VmRSS of the Plantwire process at the end of the window.',
      '',
      '| values/s out of the node | server: sampled values/s | server: sent values/s | changes/s at the source | lost | Plantwire RSS | Plantwire CPU % | server CPU % | items monitored after |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      `| ${fmt(valuesPerSec)} | ${fmt(sampledPerSec)} | ${fmt(sentPerSec)} | ${fmt(changesPerSec)} | ${fmt(lost)} (overflows ${fmt(settled.sim.overflows)}, not delivered ${fmt(notDelivered)}) | ${fmt(rss)} MB | ${fmt(pwCpu)} | ${fmt(simCpu)} | ${fmt(subscribedMs / 1000, 1)} s |`,
      '',
      'CPU is in % of one core (the machine has 2 shared by both processes). A server that samples fewer values than change',
      'at the source (its sampling timer drifts late, or it cannot keep up) is shown as sampled < changes: those changes were',
      'never values, so they are not counted as lost.',
    ].join('\n');
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    problems.push(`opcua: ${text}`);
    log(`  ✗ opcua: ${text}`);
    if (!verdicts.length) verdicts.push({ label: `opcua ${fmt(ITEMS)} items / ${PERIOD_MS} ms: values lost`, measured: '—', target: '0 lost', verdict: 'FAIL' });
    md ||= 'The OPC UA benchmark did not complete; see Problems.';
  } finally {
    await pw?.stop();
    await sim?.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
  return { title: `OPC UA: ${fmt(ITEMS)} monitored items through opcua-subscribe`, markdown: md, verdicts, problems };
}

/** `--only opcua`. */
export const opcuaSubscribeBench: ProtocolBench = { name: 'opcua', run };
