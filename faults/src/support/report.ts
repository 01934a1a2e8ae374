/** The figures every case prints, on one line. */
export interface CaseFigures {
  /** Messages (or polls, values) the case put in. */
  readonly sent: number | string;
  /** What came out at the end of the flow. */
  readonly arrived: number;
  /** What never came out (and should not have, or was counted as dropped). */
  readonly lost: number;
  /** Peak memory of the runtime in MB (VmHWM of the child process, or sampled RSS in-process). */
  readonly peakMb: number;
  /** Anything else worth a figure: recovery time, rates, dropped counters. */
  readonly [extra: string]: number | string | boolean;
}

/**
 * Print one line for a case: `[faults] <case> sent=… arrived=… lost=… peakMb=… key=value…`, grep-able
 * in the test output and quoted in docs/faults.md.
 */
export function reportCase(name: string, figures: CaseFigures): void {
  const fields = Object.entries(figures).map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : v}`);
  console.log(`[faults] ${name} ${fields.join(' ')}`);
}
