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

/** The sequence numbers below `sent` never seen, as ranges `a-b`, at most five (for the report line). */
export function missingRanges(seen: ReadonlySet<number | undefined>, sent: number, from = 0): string {
  const ranges: string[] = [];
  let start = -1;
  for (let i = from; i <= sent; i++) {
    const missing = i < sent && !seen.has(i);
    if (missing && start < 0) start = i;
    if (!missing && start >= 0) {
      ranges.push(start === i - 1 ? `${start}` : `${start}-${i - 1}`);
      start = -1;
    }
  }
  return ranges.length === 0 ? 'none' : ranges.slice(0, 5).join(',') + (ranges.length > 5 ? `,…(${ranges.length} ranges)` : '');
}
