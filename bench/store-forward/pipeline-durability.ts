/**
 * The cost of durability on the MQTT pipeline (bench/protocols/mqtt-pipeline.ts's
 * `mqtt-in → json → change → switch → mqtt-out` through Debian's mosquitto, QoS 1 end to end):
 * the highest fixed rate the pipeline keeps up with at zero loss, with mqtt-out's store-and-forward
 * buffer on a data directory and without it (mqtt-in acknowledging after delivery in both: the
 * at-least-once path), and, for information, the plain pipeline that acknowledges on receipt.
 * Each variant gets a fresh broker (stock mosquitto settings of the protocol benchmark) and process.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keptUp, type PhaseResult } from '../protocols/mqtt/stats.js';
import { plantwireDocument, type PipelineOptions } from '../protocols/mqtt/pipeline-flows.js';
import { bundleLoadClient, mqttPlan, plantwireCommand, runLoad, startBroker, startSystem, type Sides } from '../protocols/mqtt-pipeline.js';
import { endChild } from '../spawn-measured.js';

/** Target of the issue: the durable pipeline's zero-loss rate ≥ 0.8 × the plain one's. */
export const MIN_DURABILITY_RATIO = 0.8;

interface Variant {
  readonly name: string;
  readonly label: string;
  readonly pipeline: PipelineOptions;
  readonly dataDir: boolean;
}

const VARIANTS: readonly Variant[] = [
  { name: 'plain', label: 'QoS 1, acknowledged on receipt, no buffer', pipeline: { qos: 1, acknowledge: 'on-receipt', buffer: false }, dataDir: false },
  { name: 'unbuffered', label: 'QoS 1, acknowledged after delivery, no buffer', pipeline: { qos: 1, acknowledge: 'after-delivery', buffer: false }, dataDir: false },
  { name: 'durable', label: 'QoS 1, acknowledged after delivery, store-and-forward on disk', pipeline: { qos: 1, acknowledge: 'after-delivery', buffer: true }, dataDir: true },
];

export interface DurabilityFigures {
  readonly markdown: string;
  /** Store-and-forward on ÷ off (both acknowledging after delivery), zero-loss rates; undefined when a side has no figure. */
  readonly ratio: number | undefined;
  readonly problems: readonly string[];
}

/** The highest paced rate kept up with zero loss, or undefined when none was. */
export function zeroLossRate(phases: readonly PhaseResult[]): number | undefined {
  const kept = phases.filter((p) => p.rate !== undefined && p.lost === 0 && keptUp(p)).map((p) => p.rate!);
  return kept.length === 0 ? undefined : Math.max(...kept);
}

export async function measureDurability(options: { quick: boolean; scratch: string; log: (line: string) => void }): Promise<DurabilityFigures> {
  const { quick, scratch, log } = options;
  const plan = mqttPlan(quick);
  const dir = mkdtempSync(join(scratch, 'durability-'));
  const problems: string[] = [];
  const results = new Map<string, PhaseResult[]>();
  try {
    const loadClient = await bundleLoadClient(scratch);
    const cmd = plantwireCommand(log);
    for (const variant of VARIANTS) {
      const flowFile = join(dir, `pipeline-${variant.name}.plantwire.json`);
      writeFileSync(flowFile, JSON.stringify(plantwireDocument(variant.pipeline), null, 2));
      const dataDir = variant.dataDir ? join(dir, `data-${variant.name}`) : undefined;
      if (dataDir) mkdirSync(dataDir, { recursive: true });
      const sides: Sides = { plantwire: { command: cmd.command, args: cmd.prefix, how: cmd.how, flowFile, ...(dataDir ? { dataDir } : {}) }, loadClient, dir };
      log(`▶ durability: ${variant.label}`);
      const broker = await startBroker(dir);
      let running: Awaited<ReturnType<typeof startSystem>>;
      try {
        running = await startSystem('plantwire', sides, broker);
        const all = await runLoad(sides, broker, 'plantwire', [plan.warmup, ...plan.phases], undefined, 1);
        const phases = all.slice(1);
        for (const p of phases) log(`  ${p.name.padEnd(8)} sent ${p.sent}, received ${p.received}, lost ${p.lost}, delivered ${Math.round(p.deliveredPerSec)} msg/s, p99 ${p.p99Ms.toFixed(2)} ms`);
        results.set(variant.name, phases);
      } catch (err) {
        problems.push(`durability ${variant.name}: ${(err as Error).message}`);
      } finally {
        if (running!) await endChild(running.child);
        await endChild(broker.child);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rateOf = (name: string): number | undefined => {
    const phases = results.get(name);
    return phases ? zeroLossRate(phases) : undefined;
  };
  const divide = (a: number | undefined, b: number | undefined): number | undefined => (a !== undefined && b !== undefined ? a / b : undefined);
  const ratio = divide(rateOf('durable'), rateOf('unbuffered'));
  const wholeCost = divide(rateOf('durable'), rateOf('plain'));
  const flat = (phases: PhaseResult[] | undefined): PhaseResult | undefined => phases?.find((p) => p.rate === undefined);
  const int = (n: number | undefined): string => (n === undefined ? '—' : Math.round(n).toLocaleString('en-US'));
  const rows = VARIANTS.map((v) => {
    const phases = results.get(v.name);
    const f = flat(phases);
    return `| ${v.label} | ${int(phases ? zeroLossRate(phases) : undefined)} | ${int(f?.deliveredPerSec)} | ${f ? int(f.lost) : '—'} |`;
  });
  const markdown = [
    '## Store and forward: cost of durability on the MQTT pipeline',
    '',
    `Pipeline \`mqtt-in → json → change → switch → mqtt-out\` through Debian's mosquitto, QoS 1 from the load client's publisher to its subscriber,`,
    `paced rates ${plan.phases.filter((p) => p.rate !== undefined).map((p) => `${p.rate! / 1000}k`).join(', ')} msg/s then flat out (${int(plan.phases.at(-1)!.count)} messages), as in the protocol benchmark.`,
    'Zero-loss rate = the highest paced rate with 0 lost and kept up (the benchmark offers at most 20k msg/s, so equal figures at 20k mean "at least").',
    '',
    '| variant | zero-loss rate msg/s | flat out delivered msg/s | flat out lost |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    `Store-and-forward on ÷ off, zero-loss rate: ${ratio === undefined ? '— (no figure)' : `${ratio.toFixed(2)}×`} (target ≥ ${MIN_DURABILITY_RATIO}): ${ratio === undefined ? 'FAIL' : ratio >= MIN_DURABILITY_RATIO ? 'PASS' : 'FAIL'}.`,
    `The whole at-least-once path (after-delivery acknowledgements and the buffer) ÷ the plain pipeline: ${wholeCost === undefined ? '—' : `${wholeCost.toFixed(2)}×`} (information).`,
    'Acknowledging after delivery keeps at most the broker\'s in-flight window of messages in the flow (mosquitto\'s `max_inflight_messages`, 20 by default):',
    'the intake rate is about that window ÷ the time from receipt to the outgoing PUBACK (docs/delivery-guarantees.md).',
  ].join('\n');
  return { markdown, ratio, problems };
}
