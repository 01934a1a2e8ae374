/**
 * The contract between `bench/protocols/run.ts` (`pnpm bench:protocols`) and each protocol
 * benchmark (mqtt-pipeline, modbus-poll, opcua-subscribe). A benchmark measures, then returns a
 * section: its own table in Markdown plus one verdict per target, which the runner prints and,
 * with `--write`, puts into bench/RESULTS.md between the protocol markers.
 */

export interface ProtocolBenchOptions {
  /** Fewer and shorter runs; figures are indicative only. */
  readonly quick: boolean;
  /** Scratch folder outside the repository (installs, bundles, flow files, temp configs). */
  readonly scratch: string;
  /** Progress lines go here (stderr), never stdout. */
  readonly log: (line: string) => void;
}

export interface TargetVerdict {
  /** What is compared, e.g. "modbus 100 registers: reads/s ÷ Node-RED". */
  readonly label: string;
  /** The measured figure as text, with unit: "2.4×", "0.6 ms", "0 lost". */
  readonly measured: string;
  /** The target as text: "≥ 2×", "≤ 1 ms", "0 lost". */
  readonly target: string;
  readonly verdict: 'PASS' | 'FAIL' | 'info';
}

export interface ProtocolSection {
  /** Section heading, e.g. "MQTT pipeline through mosquitto". */
  readonly title: string;
  /** The section body in Markdown: what was measured and how, then the table(s). */
  readonly markdown: string;
  readonly verdicts: readonly TargetVerdict[];
  /** Anything that went wrong (a side that could not run, a run that lost messages unexpectedly). */
  readonly problems: readonly string[];
}

export interface ProtocolBench {
  /** Name for `--only`: "mqtt", "modbus", "opcua". */
  readonly name: string;
  readonly run: (options: ProtocolBenchOptions) => Promise<ProtocolSection>;
}
