/**
 * Pure figures of the editor benchmark: frame statistics from rAF timestamps, the verdicts against
 * the targets, and the Markdown section. No I/O, so editor-figures.test.ts can check them.
 */
import { percentile } from '../protocols/mqtt/stats.js';
import type { TargetVerdict } from '../protocols/section.js';
import type { MainThreadTasks } from './main-thread-trace.js';

export interface FrameStats {
  /** Frame intervals measured. */
  readonly frames: number;
  /** Frames per second over the recorded window. */
  readonly fps: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
}

/** Frame intervals between consecutive rAF timestamps (ascending, ms); undefined with fewer than 2. */
export function frameStats(timestamps: readonly number[]): FrameStats | undefined {
  if (timestamps.length < 2) return undefined;
  const intervals: number[] = [];
  for (let i = 1; i < timestamps.length; i++) intervals.push(timestamps[i]! - timestamps[i - 1]!);
  const span = timestamps[timestamps.length - 1]! - timestamps[0]!;
  const sorted = [...intervals].sort((a, b) => a - b);
  return { frames: intervals.length, fps: span > 0 ? (intervals.length * 1000) / span : 0, p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), maxMs: sorted[sorted.length - 1]! };
}

export interface TtiRun {
  /** Navigation start → the last long task before a quiet window (or the rAF after ready, if later). */
  readonly ttiMs: number;
  /** Navigation start → all nodes in the model and some drawn. */
  readonly readyMs: number;
  /** The longest long task before interactive. */
  readonly longestTaskMs: number;
}

export interface FloodFigures {
  readonly seconds: number;
  readonly published: number;
  /** What the editor shows as received for the debug node at the end; undefined: it shows no count. */
  readonly shownReceived: number | undefined;
  /** Debug rows drawn at the end. */
  readonly rowsDrawn: number;
  readonly longestTaskMs: number;
  readonly longTasks: number;
  readonly frames: FrameStats | undefined;
  readonly rssBeforeMb: number;
  readonly rssPeakMb: number;
  readonly rssEndMb: number;
  /** From a Chromium trace (`toplevel`) over probes and flood: the renderer main thread's tasks. */
  readonly mainThread?: MainThreadTasks | undefined;
}

export interface SystemFigures {
  /** Runs per flow size. */
  readonly tti: Readonly<Record<string, readonly TtiRun[]>>;
  readonly pan?: FrameStats | undefined;
  readonly drag?: FrameStats | undefined;
  readonly flood?: FloodFigures | undefined;
}

export interface EditorResults {
  readonly plantwire: SystemFigures;
  readonly nodeRed: SystemFigures;
  readonly sizes: readonly number[];
}

/** Targets of issue 4. */
export const TARGETS = { ttiRatio: 0.5, fpsRatio: 3, frameP95Ms: 50, floodLongTaskMs: 100, floodFrameP95Ms: 33, floodRssGrowthMb: 20 } as const;

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const ms = (v: number | undefined): string => (v === undefined ? '—' : `${v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1)} ms`);
const fps = (v: number | undefined): string => (v === undefined ? '—' : `${v.toFixed(1)} fps`);
const ratio = (pw: number | undefined, nr: number | undefined): number | undefined => (pw === undefined || nr === undefined || nr === 0 ? undefined : pw / nr);
const times = (r: number | undefined): string => (r === undefined ? '—' : `${r.toFixed(2)}×`);
const mb = (v: number): string => `${v.toFixed(1)} MB`;

function check(label: string, measured: string, target: string, ok: boolean | undefined): TargetVerdict {
  return { label, measured, target, verdict: ok === undefined ? 'FAIL' : ok ? 'PASS' : 'FAIL' };
}

export const ttiMedian = (f: SystemFigures, size: number): number | undefined => median((f.tti[String(size)] ?? []).map((r) => r.ttiMs));

/** One verdict per target; a figure that is missing fails its target. */
export function editorVerdicts(results: EditorResults): TargetVerdict[] {
  const { plantwire: pw, nodeRed: nr } = results;
  const verdicts: TargetVerdict[] = [];
  for (const size of results.sizes) {
    const r = ratio(ttiMedian(pw, size), ttiMedian(nr, size));
    verdicts.push(check(`time to interactive, ${size.toLocaleString('en-US')} nodes: PW ÷ NR`, `${times(r)} (${ms(ttiMedian(pw, size))} vs ${ms(ttiMedian(nr, size))})`, `≤ ${TARGETS.ttiRatio}×`, r === undefined ? undefined : r <= TARGETS.ttiRatio));
  }
  for (const [name, key] of [['panning the 2,000-node flow', 'pan'], ['dragging 50 selected nodes', 'drag']] as const) {
    const p = pw[key];
    const n = nr[key];
    const r = ratio(p?.fps, n?.fps);
    verdicts.push(check(`${name}: frame rate PW ÷ NR`, `${times(r)} (${fps(p?.fps)} vs ${fps(n?.fps)})`, `≥ ${TARGETS.fpsRatio}×`, r === undefined ? undefined : r >= TARGETS.fpsRatio));
    verdicts.push(check(`${name}: Plantwire frame p95`, ms(p?.p95Ms), `≤ ${TARGETS.frameP95Ms} ms`, p === undefined ? undefined : p.p95Ms <= TARGETS.frameP95Ms));
  }
  const f = pw.flood;
  const label = f ? `debug flood ${(f.published / f.seconds).toLocaleString('en-US', { maximumFractionDigits: 0 })} msg/s × ${f.seconds} s` : 'debug flood';
  const cpu = f?.mainThread ? ` (trace: longest task ${ms(f.mainThread.longestWallMs)} of which CPU ${ms(f.mainThread.longestWallCpuMs)}; longest CPU ${ms(f.mainThread.longestCpuMs)})` : '';
  verdicts.push(check(`${label}: Plantwire longest main-thread task`, f ? `${ms(f.longestTaskMs)}${cpu}` : '—', `≤ ${TARGETS.floodLongTaskMs} ms`, f ? f.longestTaskMs <= TARGETS.floodLongTaskMs : undefined));
  verdicts.push(check(`${label}: Plantwire frame p95`, ms(f?.frames?.p95Ms), `≤ ${TARGETS.floodFrameP95Ms} ms`, f?.frames ? f.frames.p95Ms <= TARGETS.floodFrameP95Ms : undefined));
  verdicts.push(
    check(
      `${label}: Plantwire shows the exact number received`,
      f ? `${f.shownReceived?.toLocaleString('en-US') ?? 'nothing'} shown, ${f.published.toLocaleString('en-US')} published` : '—',
      'shown = published',
      f ? f.shownReceived === f.published : undefined,
    ),
  );
  const growth = f ? f.rssPeakMb - f.rssBeforeMb : undefined;
  verdicts.push(check(`${label}: Plantwire server RSS growth (peak − before)`, growth === undefined ? '—' : mb(growth), `≤ ${TARGETS.floodRssGrowthMb} MB`, growth === undefined ? undefined : growth <= TARGETS.floodRssGrowthMb));
  return verdicts;
}

function tableRow(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

/** The figures side by side (medians), Node-RED's flood figures included as information. */
export function figuresTable(results: EditorResults): string {
  const { plantwire: pw, nodeRed: nr } = results;
  const rows: string[][] = [];
  for (const size of results.sizes) {
    const p = pw.tti[String(size)] ?? [];
    const n = nr.tti[String(size)] ?? [];
    const pick = (runs: readonly TtiRun[], key: keyof TtiRun): number | undefined => median(runs.map((r) => r[key]));
    rows.push([`${size.toLocaleString('en-US')} nodes: time to interactive (${p.length} / ${n.length} runs, median)`, ms(pick(p, 'ttiMs')), ms(pick(n, 'ttiMs')), times(ratio(pick(p, 'ttiMs'), pick(n, 'ttiMs')))]);
    rows.push([`${size.toLocaleString('en-US')} nodes: all nodes in the model and drawn`, ms(pick(p, 'readyMs')), ms(pick(n, 'readyMs')), times(ratio(pick(p, 'readyMs'), pick(n, 'readyMs')))]);
    rows.push([`${size.toLocaleString('en-US')} nodes: longest task while loading`, ms(pick(p, 'longestTaskMs')), ms(pick(n, 'longestTaskMs')), '']);
  }
  for (const [name, key] of [['pan 2,000 nodes', 'pan'], ['drag 50 of 2,000 nodes', 'drag']] as const) {
    const p = pw[key];
    const n = nr[key];
    rows.push([`${name}: frame rate`, fps(p?.fps), fps(n?.fps), times(ratio(p?.fps, n?.fps))]);
    rows.push([`${name}: frame p50 / p95 / max`, p ? `${ms(p.p50Ms)} / ${ms(p.p95Ms)} / ${ms(p.maxMs)}` : '—', n ? `${ms(n.p50Ms)} / ${ms(n.p95Ms)} / ${ms(n.maxMs)}` : '—', '']);
  }
  const fp = pw.flood;
  const fn = nr.flood;
  const floodCell = (f: FloodFigures | undefined, get: (f: FloodFigures) => string): string => (f ? get(f) : '—');
  rows.push(['flood: messages published', floodCell(fp, (f) => f.published.toLocaleString('en-US')), floodCell(fn, (f) => f.published.toLocaleString('en-US')), '']);
  rows.push(['flood: received count shown by the editor', floodCell(fp, (f) => f.shownReceived?.toLocaleString('en-US') ?? 'none'), floodCell(fn, (f) => f.shownReceived?.toLocaleString('en-US') ?? 'none'), '']);
  rows.push(['flood: debug rows drawn at the end', floodCell(fp, (f) => f.rowsDrawn.toLocaleString('en-US')), floodCell(fn, (f) => f.rowsDrawn.toLocaleString('en-US')), '']);
  rows.push(['flood: longest main-thread task (count of long tasks)', floodCell(fp, (f) => `${ms(f.longestTaskMs)} (${f.longTasks})`), floodCell(fn, (f) => `${ms(f.longestTaskMs)} (${f.longTasks})`), '']);
  const traced = (f: FloodFigures): string => (f.mainThread ? `${ms(f.mainThread.longestWallMs)} (CPU ${ms(f.mainThread.longestWallCpuMs)}) / ${ms(f.mainThread.longestCpuMs)}` : '—');
  rows.push(['flood, trace: longest task wall (its CPU) / longest task CPU', floodCell(fp, traced), floodCell(fn, traced), '']);
  rows.push(['flood: frame rate, p50 / p95', floodCell(fp, (f) => (f.frames ? `${fps(f.frames.fps)}, ${ms(f.frames.p50Ms)} / ${ms(f.frames.p95Ms)}` : '—')), floodCell(fn, (f) => (f.frames ? `${fps(f.frames.fps)}, ${ms(f.frames.p50Ms)} / ${ms(f.frames.p95Ms)}` : '—')), '']);
  rows.push(['flood: server RSS before → peak (end)', floodCell(fp, (f) => `${mb(f.rssBeforeMb)} → ${mb(f.rssPeakMb)} (${mb(f.rssEndMb)})`), floodCell(fn, (f) => `${mb(f.rssBeforeMb)} → ${mb(f.rssPeakMb)} (${mb(f.rssEndMb)})`), '']);
  return [tableRow(['figure', 'Plantwire', 'Node-RED 5.0.7', 'PW ÷ NR']), tableRow(['---', '---', '---', '---']), ...rows.map(tableRow)].join('\n');
}
