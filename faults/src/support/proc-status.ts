import { readFile } from 'node:fs/promises';

/**
 * The `kB` fields of /proc/<pid>/status (VmHWM: peak resident set size, VmRSS: now). Linux only,
 * as the suite is. Rejects when the process is gone.
 */
export async function readProcStatusKb(pid: number): Promise<Record<string, number>> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const fields: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (m) fields[m[1]!] = Number(m[2]);
  }
  return fields;
}

/**
 * Sample the RSS of this process every `intervalMs` and keep the peak: for cases whose system
 * under test runs in-process (VmHWM would include the test runner's own history).
 */
export function sampleOwnPeakRss(intervalMs = 100): { peakMb(): number; stop(): void } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), intervalMs);
  timer.unref();
  return {
    peakMb: () => Math.round(Math.max(peak, process.memoryUsage.rss()) / 1024 / 1024),
    stop: () => clearInterval(timer),
  };
}
