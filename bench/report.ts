/** The results table: one row per figure, a ratio Plantwire ÷ Node-RED, and a verdict against its target. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

export type Better = 'higher' | 'lower';

export interface Row {
  readonly label: string;
  readonly unit: string;
  readonly better: Better;
  readonly plantwire?: number | undefined;
  readonly nodeRed?: number | undefined;
  /** Node-RED 5.0.7's figure on a 2-core reference machine, to check the harness against. */
  readonly reference?: number | undefined;
  /** Ratio Plantwire ÷ Node-RED that passes: ≥ for `higher`, ≤ for `lower`; none = for information. */
  readonly target?: number | undefined;
  /** Why a side has no figure. */
  readonly note?: string | undefined;
}

export type Verdict = 'PASS' | 'FAIL' | 'info' | 'n/a';

export function ratioOf(row: Row): number | undefined {
  if (row.plantwire === undefined || row.nodeRed === undefined || row.nodeRed === 0) return undefined;
  return row.plantwire / row.nodeRed;
}

export function verdictOf(row: Row): Verdict {
  const ratio = ratioOf(row);
  if (ratio === undefined) return 'n/a';
  if (row.target === undefined) return 'info';
  return (row.better === 'higher' ? ratio >= row.target : ratio <= row.target) ? 'PASS' : 'FAIL';
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function formatNumber(value: number | undefined, unit: string): string {
  if (value === undefined) return '—';
  if (unit === 'msgs/s') return Math.round(value).toLocaleString('en-US');
  if (unit === 'ms') return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
  return value.toFixed(1);
}

function formatTarget(row: Row): string {
  if (row.target === undefined) return '(info)';
  const t = Math.abs(row.target - 1 / 3) < 1e-9 ? '⅓' : Math.abs(row.target - 1 / 2) < 1e-9 ? '½' : String(row.target);
  return row.better === 'higher' ? `≥ ${t}×` : `≤ ${t}×`;
}

function formatRatio(row: Row): string {
  const ratio = ratioOf(row);
  if (ratio === undefined) return '—';
  return `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}

/** The rows as a Markdown table (it reads fine on a terminal too). */
export function renderTable(rows: readonly Row[]): string {
  const header = ['Scenario', 'Unit', 'Plantwire', 'Node-RED', 'PW ÷ NR', 'Target', 'Verdict', 'NR ref. (2-core)'];
  const body = rows.map((r) => [
    r.label + (r.note ? ` (${r.note})` : ''),
    `${r.unit}, ${r.better} is better`,
    formatNumber(r.plantwire, r.unit),
    formatNumber(r.nodeRed, r.unit),
    formatRatio(r),
    formatTarget(r),
    verdictOf(r),
    formatNumber(r.reference, r.unit),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** The 1-minute load average now. */
export function loadNow(): number {
  return loadavg()[0] ?? 0;
}

export interface MachineInfo {
  readonly date: string;
  readonly nproc: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly plantwireNode: string;
  readonly nodeRedNode: string;
  readonly nodeRedVersion: string;
  /** 1-minute load average when the run started and ended: a busy machine makes the figures noise. */
  readonly loadAverage: readonly [number, number];
}

export function machineInfo(plantwireNode: string, nodeRedNode: string, nodeRedVersion: string, loadAverage: readonly [number, number]): MachineInfo {
  let nproc = cpus().length;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    // nproc missing: os.cpus() is the same figure without cgroup limits
  }
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // no /proc/cpuinfo (not Linux): keep os.cpus()' model
  }
  return {
    date: new Date().toISOString(),
    nproc,
    cpuModel,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    plantwireNode,
    nodeRedNode,
    nodeRedVersion,
    loadAverage,
  };
}

/** bench/RESULTS.md: machine, settings, the table, and any per-system failures. */
export function renderResults(machine: MachineInfo, settingsLine: string, rows: readonly Row[], problems: readonly string[]): string {
  const verdicts = rows.map(verdictOf);
  const passed = verdicts.filter((v) => v === 'PASS').length;
  const failed = verdicts.filter((v) => v === 'FAIL').length;
  const missing = rows.filter((r) => r.target !== undefined && verdictOf(r) === 'n/a').length;
  return [
    '# Plantwire vs Node-RED: benchmark results',
    '',
    'Written by `pnpm bench --write` (bench/run.ts). Do not edit by hand; rerun instead.',
    '',
    `- Date: ${machine.date}`,
    `- Machine: ${machine.nproc} cores (nproc), ${machine.cpuModel}, ${machine.memoryGb} GB memory`,
    `- Plantwire on Node ${machine.plantwireNode}; Node-RED ${machine.nodeRedVersion} on Node ${machine.nodeRedNode}`,
    `- Settings: ${settingsLine}`,
    `- Load average (1 min) at start / end: ${machine.loadAverage.map((l) => l.toFixed(2)).join(' / ')} on ${machine.nproc} cores${machine.loadAverage[0] > 0.5 ? ' (the machine was busy: treat the figures as noise)' : ''}`,
    `- Verdicts: ${passed} PASS, ${failed} FAIL${missing ? `, ${missing} without a figure` : ''}`,
    '',
    renderTable(rows),
    '',
    'Throughput is the median over runs of messages ÷ (last arrival at every sink − first inject), with at most',
    '`window` messages in flight; times and RSS are medians over fresh processes. Ratios are Plantwire ÷ Node-RED.',
    ...(problems.length ? ['', '## Problems', '', ...problems.map((p) => `- ${p.split('\n')[0]}`)] : []),
    '',
  ].join('\n');
}
