/**
 * Verdicts and Markdown of the MQTT pipeline benchmark, from the figures alone (no I/O), so
 * bench/protocols/protocols.test.ts can check the logic.
 */
import type { TargetVerdict } from '../section.js';
import { keptUp, type PhaseResult } from './stats.js';

export type MqttSystem = 'broker-only' | 'plantwire' | 'node-red';

export const SYSTEM_LABEL: Record<MqttSystem, string> = { 'broker-only': 'broker only', plantwire: 'Plantwire', 'node-red': 'Node-RED 5.0.7' };

/** The flood as one system went through it. */
export interface FloodResult {
  readonly phase: PhaseResult;
  /** VmRSS of the system's process (MB) before the flood (idle), the highest sample during it, and after the drain. */
  readonly idleRssMb?: number | undefined;
  readonly peakRssMb?: number | undefined;
  readonly afterRssMb?: number | undefined;
  /** Messages the system itself counted as dropped (Plantwire: the sum of plantwire_node_dropped_total). */
  readonly countedDrops?: number | undefined;
  /** Errors the system counted (Plantwire: the sum of plantwire_node_errors_total). */
  readonly countedErrors?: number | undefined;
}

export interface SystemResults {
  /** The fixed-rate phases and the flat-out phase (rate undefined), in order. */
  readonly rates: readonly PhaseResult[];
  readonly flood?: FloodResult | undefined;
  /** Why this system has no (or partial) figures. */
  readonly problem?: string | undefined;
}

export type MqttResults = Partial<Record<MqttSystem, SystemResults>>;

export const KEEP_UP_RATE = 20_000;
export const MAX_ADDED_P99_MS: ReadonlyArray<readonly [rate: number, ms: number]> = [
  [1_000, 1],
  [10_000, 5],
];
export const MAX_FLOOD_GROWTH_MB = 50;

const atRate = (s: SystemResults | undefined, rate: number): PhaseResult | undefined => s?.rates.find((r) => r.rate === rate);

const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(v >= 100 ? 0 : 2)} ms` : '—');
const int = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—');
const mb = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '—' : `${v.toFixed(0)} MB`);
const rateLabel = (rate: number | undefined): string => (rate === undefined ? 'flat out' : `${rate / 1000}k msg/s`);

/** System p99 − broker-only p99 at `rate`; undefined without both figures. */
export function addedP99(system: SystemResults | undefined, broker: SystemResults | undefined, rate: number): number | undefined {
  const s = atRate(system, rate);
  const b = atRate(broker, rate);
  if (!s || !b || s.received === 0 || b.received === 0) return undefined;
  return s.p99Ms - b.p99Ms;
}

/** One verdict per target of the issue, then Node-RED's figures beside them for information. */
export function mqttVerdicts(results: MqttResults): TargetVerdict[] {
  const broker = results['broker-only'];
  const pw = results.plantwire;
  const nr = results['node-red'];
  const verdicts: TargetVerdict[] = [];

  // 1. Keep up wherever broker-only keeps up (20k msg/s in the issue), with zero loss.
  const brokerRates = (broker?.rates ?? []).filter((r) => r.rate !== undefined && keptUp(r)).map((r) => r.rate!);
  const keepUpLabel = brokerRates.includes(KEEP_UP_RATE)
    ? `keep up at ${KEEP_UP_RATE / 1000}k msg/s (and every lower rate), zero loss`
    : `keep up wherever broker-only keeps up (${brokerRates.length ? brokerRates.map((r) => `${r / 1000}k`).join(', ') : 'nowhere'}; not at ${KEEP_UP_RATE / 1000}k on this machine), zero loss`;
  const keepUpOf = (s: SystemResults | undefined): { measured: string; ok: boolean } | undefined => {
    if (!s || brokerRates.length === 0) return undefined;
    const missed = brokerRates.map((rate) => atRate(s, rate)).filter((r): r is PhaseResult => r === undefined || !keptUp(r));
    const top = atRate(s, Math.max(...brokerRates));
    const figure = top ? `at ${rateLabel(top.rate)}: ${int(top.lost)} lost, ${int(top.deliveredPerSec)} msg/s delivered` : 'no figure';
    return { ok: missed.length === 0 && brokerRates.every((r) => atRate(s, r)), measured: `${missed.length === 0 ? 'kept up' : `missed ${missed.map((r) => rateLabel(r.rate)).join(', ')}`}; ${figure}` };
  };
  const pwKeep = keepUpOf(pw);
  verdicts.push({ label: `Plantwire: ${keepUpLabel}`, measured: pwKeep?.measured ?? 'no figure', target: 'kept up, 0 lost', verdict: pwKeep?.ok ? 'PASS' : 'FAIL' });

  // 2./3. Added p99 latency at 1k and 10k msg/s.
  for (const [rate, limit] of MAX_ADDED_P99_MS) {
    const added = addedP99(pw, broker, rate);
    const r = atRate(pw, rate);
    const lost = r !== undefined && r.lost > 0;
    verdicts.push({
      label: `Plantwire: p99 added to broker-only at ${rate / 1000}k msg/s`,
      measured: added === undefined ? 'no figure' : `${ms(added)} (${ms(r!.p99Ms)} vs ${ms(atRate(broker, rate)!.p99Ms)})${lost ? `; ${int(r!.lost)} lost` : ''}`,
      target: `≤ ${limit} ms`,
      verdict: added !== undefined && added <= limit && !lost ? 'PASS' : 'FAIL',
    });
  }

  // 4. Flood memory: within 50 MB of idle.
  const growth = (f: FloodResult | undefined): number | undefined =>
    f?.idleRssMb !== undefined && f.peakRssMb !== undefined ? f.peakRssMb - f.idleRssMb : undefined;
  const pwGrowth = growth(pw?.flood);
  verdicts.push({
    label: `Plantwire: flood of ${int(pw?.flood?.phase.planned ?? Number.NaN)} messages, RSS peak − idle`,
    measured: pwGrowth === undefined ? 'no figure' : `${pwGrowth.toFixed(1)} MB (${mb(pw!.flood!.idleRssMb)} → ${mb(pw!.flood!.peakRssMb)})`,
    target: `≤ ${MAX_FLOOD_GROWTH_MB} MB`,
    verdict: pwGrowth !== undefined && pwGrowth <= MAX_FLOOD_GROWTH_MB ? 'PASS' : 'FAIL',
  });

  // 5. Loss under the flood: counted and reported.
  const f = pw?.flood;
  verdicts.push({
    label: 'Plantwire: flood loss, counted and reported',
    measured: f
      ? `${int(f.phase.lost)} of ${int(f.phase.sent)} lost at the subscriber; Plantwire's own counters: ${f.countedDrops === undefined ? '—' : int(f.countedDrops)} dropped (emits refused under backpressure, which mqtt-in sends again, count there too), ${f.countedErrors === undefined ? '—' : int(f.countedErrors)} errors; backlog ${ms(f.phase.backlogMs)}`
      : 'no figure',
    target: 'counted and reported',
    verdict: 'info',
  });

  // Node-RED beside, for information.
  if (nr) {
    const nrKeep = keepUpOf(nr);
    verdicts.push({ label: `Node-RED: ${keepUpLabel}`, measured: nrKeep?.measured ?? 'no figure', target: '(info)', verdict: 'info' });
    for (const [rate] of MAX_ADDED_P99_MS) {
      const added = addedP99(nr, broker, rate);
      verdicts.push({ label: `Node-RED: p99 added at ${rate / 1000}k msg/s`, measured: added === undefined ? 'no figure' : `${ms(added)} (${ms(atRate(nr, rate)!.p99Ms)})`, target: '(info)', verdict: 'info' });
    }
    const nrGrowth = growth(nr.flood);
    verdicts.push({
      label: 'Node-RED: flood RSS peak − idle, loss, backlog',
      measured: nr.flood
        ? `${nrGrowth === undefined ? '—' : `${nrGrowth.toFixed(1)} MB (${mb(nr.flood.idleRssMb)} → ${mb(nr.flood.peakRssMb)})`}; ${int(nr.flood.phase.lost)} lost; backlog ${ms(nr.flood.phase.backlogMs)}`
        : 'no figure',
      target: '(info)',
      verdict: 'info',
    });
  }
  return verdicts;
}

/** The per-rate table: one row per rate and system. */
export function ratesTable(results: MqttResults): string {
  const systems = (['broker-only', 'plantwire', 'node-red'] as const).filter((s) => results[s]);
  const rates: Array<number | undefined> = [];
  for (const s of systems) for (const r of results[s]!.rates) if (!rates.includes(r.rate)) rates.push(r.rate);
  const header = '| rate | system | sent | received | lost | p50 | p99 | p99 added | delivered msg/s | kept up |';
  const lines = [header, '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |'];
  for (const rate of rates) {
    for (const s of systems) {
      const r = results[s]!.rates.find((x) => x.rate === rate);
      if (!r) continue;
      const added = s === 'broker-only' || rate === undefined ? undefined : addedP99(results[s], results['broker-only'], rate);
      lines.push(
        `| ${rateLabel(rate)} | ${SYSTEM_LABEL[s]} | ${int(r.sent)} | ${int(r.received)} | ${int(r.lost)} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${added === undefined ? '—' : ms(added)} | ${int(r.deliveredPerSec)} | ${keptUp(r) ? 'yes' : 'no'} |`,
      );
    }
  }
  return lines.join('\n');
}

/** The flood table: one row per system that went through it. */
export function floodTable(results: MqttResults): string {
  const lines = [
    '| system | sent | received | lost | own counters: dropped / errors | RSS idle | RSS peak | peak − idle | RSS after | backlog | delivered msg/s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const s of ['broker-only', 'plantwire', 'node-red'] as const) {
    const f = results[s]?.flood;
    if (!f) continue;
    const p = f.phase;
    const growth = f.idleRssMb !== undefined && f.peakRssMb !== undefined ? mb(f.peakRssMb - f.idleRssMb) : '—';
    const counted = f.countedDrops === undefined ? '—' : `${int(f.countedDrops)} / ${int(f.countedErrors ?? Number.NaN)}`;
    lines.push(`| ${SYSTEM_LABEL[s]} | ${int(p.sent)} | ${int(p.received)} | ${int(p.lost)} | ${counted} | ${mb(f.idleRssMb)} | ${mb(f.peakRssMb)} | ${growth} | ${mb(f.afterRssMb)} | ${ms(p.backlogMs)} | ${int(p.deliveredPerSec)} |`);
  }
  return lines.join('\n');
}
