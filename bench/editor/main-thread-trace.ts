/**
 * What a Chromium trace (category `toplevel`) says about the renderer's main thread: the longest
 * task by wall time and by the thread's own CPU time. On a loaded machine a long task can be a
 * short one whose thread was descheduled; the CPU time tells the two apart.
 */

interface TraceEvent {
  readonly name?: string;
  readonly ph?: string;
  readonly pid?: number;
  readonly tid?: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly args?: { readonly name?: string };
}

export interface MainThreadTasks {
  /** Tasks on a `CrRendererMain` thread. */
  readonly tasks: number;
  /** The longest task by wall time (ms) and the CPU time (ms) its thread spent in it. */
  readonly longestWallMs: number;
  readonly longestWallCpuMs: number;
  /** The longest task by the thread's CPU time (ms). */
  readonly longestCpuMs: number;
}

/** One event per task: `RunTask` in devtools.timeline traces, `ThreadControllerImpl::RunTask` in `toplevel` ones. */
const TASK_EVENTS = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);

/** Summarise the task events of every renderer main thread in a trace (JSON text). */
export function mainThreadTasks(traceJson: string): MainThreadTasks {
  const parsed = JSON.parse(traceJson) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const mainThreads = new Set<string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain') mainThreads.add(`${e.pid}:${e.tid}`);
  let tasks = 0;
  let longestWall = 0;
  let longestWallCpu = 0;
  let longestCpu = 0;
  for (const e of events) {
    if (!TASK_EVENTS.has(e.name ?? '') || e.ph !== 'X' || !mainThreads.has(`${e.pid}:${e.tid}`)) continue;
    tasks++;
    const wall = (e.dur ?? 0) / 1000;
    const cpu = (e.tdur ?? 0) / 1000;
    if (wall > longestWall) {
      longestWall = wall;
      longestWallCpu = cpu;
    }
    longestCpu = Math.max(longestCpu, cpu);
  }
  return { tasks, longestWallMs: longestWall, longestWallCpuMs: longestWallCpu, longestCpuMs: longestCpu };
}
