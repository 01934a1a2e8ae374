/**
 * CPU time of another process from /proc/<pid>/stat (user + system time of all its threads, GC and
 * libuv pool included), and the CPU % of one core it used over a window.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** utime and stime (fields 14 and 15) of a /proc/<pid>/stat line, in clock ticks. */
export function parseProcStat(text: string): { readonly utime: number; readonly stime: number } {
  // The command name (field 2) is in parentheses and may itself hold spaces or ')': split after the last ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  const fields = text.slice(close + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`no utime/stime in /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  return { utime, stime };
}

let ticksPerSecond: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`, 100 on Linux nearly always). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100; // getconf missing: the Linux default
    }
  }
  return ticksPerSecond;
}

/** CPU seconds `pid` has used so far (user + system). */
export function cpuSeconds(pid: number): number {
  const { utime, stime } = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return (utime + stime) / clockTicksPerSecond();
}

/** A point to measure from: wall time and the process's CPU time. */
export interface CpuMark {
  readonly wallMs: number;
  readonly cpuS: number;
}

export function cpuMark(pid: number): CpuMark {
  return { wallMs: performance.now(), cpuS: cpuSeconds(pid) };
}

/** CPU % of one core between two marks (100 = one core busy the whole time). */
export function cpuPercent(from: CpuMark, to: CpuMark): number {
  const wallS = (to.wallMs - from.wallMs) / 1000;
  return wallS > 0 ? ((to.cpuS - from.cpuS) / wallS) * 100 : 0;
}
