/**
 * The protocol benchmarks' block in bench/RESULTS.md, between {@link PROTOCOLS_BEGIN} and
 * {@link PROTOCOLS_END}: written by `pnpm bench:protocols --write`, carried over unchanged by
 * `pnpm bench --write` (which rewrites the rest of the file).
 */
import type { MachineInfo } from '../report.js';
import type { ProtocolSection, TargetVerdict } from './section.js';

export const PROTOCOLS_BEGIN = '<!-- protocols:begin -->';
export const PROTOCOLS_END = '<!-- protocols:end -->';

/** The block (markers included) in `text`, or undefined when it has none (or only one marker). */
export function extractProtocolsBlock(text: string): string | undefined {
  const begin = text.indexOf(PROTOCOLS_BEGIN);
  if (begin === -1) return undefined;
  const end = text.indexOf(PROTOCOLS_END, begin + PROTOCOLS_BEGIN.length);
  if (end === -1) return undefined;
  return text.slice(begin, end + PROTOCOLS_END.length);
}

/**
 * `text` with the part between the markers replaced by `body` (markers kept); when the markers are
 * absent (or unpaired: the stray one is removed) the block is appended at the end, after one blank line.
 */
export function replaceProtocolsBlock(text: string, body: string): string {
  const block = `${PROTOCOLS_BEGIN}\n${body.trim()}\n${PROTOCOLS_END}`;
  const old = extractProtocolsBlock(text);
  if (old !== undefined) {
    const at = text.indexOf(old);
    return text.slice(0, at) + block + text.slice(at + old.length);
  }
  // A stray marker (one without its partner) would pair up with the appended block's: drop it.
  const base = text.split(PROTOCOLS_BEGIN).join('').split(PROTOCOLS_END).join('').replace(/\s*$/, '');
  return `${base}${base ? '\n\n' : ''}${block}\n`;
}

/** `fresh` (a newly rendered RESULTS.md) with the protocols block of `previous` carried over, if it had one. */
export function keepProtocolsBlock(previous: string | undefined, fresh: string): string {
  const block = previous === undefined ? undefined : extractProtocolsBlock(previous);
  if (block === undefined) return fresh;
  const inner = block.slice(PROTOCOLS_BEGIN.length, block.length - PROTOCOLS_END.length);
  return replaceProtocolsBlock(fresh, inner);
}

/** A verdict list as a Markdown table. */
export function verdictTable(verdicts: readonly TargetVerdict[]): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    '| target | measured | goal | verdict |',
    '| --- | --- | --- | --- |',
    ...verdicts.map((v) => `| ${cell(v.label)} | ${cell(v.measured)} | ${cell(v.target)} | ${v.verdict} |`),
  ].join('\n');
}

/** The block's body: heading, date, machine, settings, then each section with its verdicts and problems. */
export function renderProtocolsBody(machine: MachineInfo, settingsLine: string, sections: readonly ProtocolSection[]): string {
  const all = sections.flatMap((s) => s.verdicts);
  const pass = all.filter((v) => v.verdict === 'PASS').length;
  const fail = all.filter((v) => v.verdict === 'FAIL').length;
  const busy = machine.loadAverage[0] > 0.5;
  return [
    '## Protocol benchmarks',
    '',
    'Written by `pnpm bench:protocols --write` (bench/protocols/run.ts); `pnpm bench --write` keeps this block.',
    '',
    `- Date: ${machine.date}`,
    `- Machine: ${machine.nproc} cores (nproc), ${machine.cpuModel}, ${machine.memoryGb} GB memory`,
    `- Plantwire on Node ${machine.plantwireNode}; Node-RED ${machine.nodeRedVersion} on Node ${machine.nodeRedNode}`,
    `- Settings: ${settingsLine}`,
    `- Load average (1 min) at start / end: ${machine.loadAverage.map((l) => l.toFixed(2)).join(' / ')} on ${machine.nproc} cores${busy ? ' (the machine was busy: treat the figures as noise)' : ''}`,
    `- Verdicts: ${pass} PASS, ${fail} FAIL`,
    ...sections.flatMap((s) => [
      '',
      `### ${s.title}`,
      '',
      s.markdown.trim(),
      '',
      verdictTable(s.verdicts),
      ...(s.problems.length ? ['', 'Problems:', '', ...s.problems.map((p) => `- ${p.split('\n')[0]}`)] : []),
    ]),
  ].join('\n');
}
