// Imported first by bin.ts (and by main.ts for `pnpm plantwire` through tsx), so it runs before
// the modules that allocate at load time, and in the bundle before the main bundle is parsed.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Runtime } from '@plantwire/runtime';

/** The flags the user started node with: its own arguments and NODE_OPTIONS. */
const userFlags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean)];

/** Other flags that decide a tuned one: `--opt` is TurboFan's old name, `--jitless` turns both compilers off for good. */
const ALSO_SET_BY: Readonly<Record<string, readonly string[]>> = {
  turbofan: ['--opt', '--no-opt', '--jitless'],
  sparkplug: ['--jitless'],
};

/**
 * How `plantwire` tunes V8 for an edge box: memory should stay flat, idle and under load, and
 * what only start-up needs should not stay resident. Every flag below is read by V8 each time it
 * decides (grow a generation, optimize a function), so setting it at run time takes effect. A flag
 * the user gave on the command line or in NODE_OPTIONS (`node --heap-growing-percent=…
 * apps/cli/dist/plantwire.js`, `node --turbofan …`) keeps the user's value, `--jitless` keeps the
 * compilers alone; a V8 that does not know a flag is left alone.
 */
function tune(flag: string, value: number | boolean): void {
  const names = [...(typeof value === 'boolean' ? [`--${flag}`, `--no-${flag}`] : [`--${flag}`]), ...(ALSO_SET_BY[flag] ?? [])];
  if (userFlags.some((arg) => names.some((name) => arg === name || arg.startsWith(`${name}=`)))) return;
  try {
    setFlagsFromString(typeof value === 'boolean' ? `--${value ? '' : 'no-'}${flag}` : `--${flag}=${value}`);
  } catch {
    // Nothing to tune, nothing to undo.
  }
}

/** V8's default `--semi-space-growth-factor` (flag-definitions.h, V8 11.3, Node 20). */
const DEFAULT_GROWTH_FACTOR = 2;

/**
 * Young generation. V8 grows new space (1 MB semi-spaces at start, up to 16 MB) whenever more
 * bytes survive a scavenge than it holds. Starting `plantwire` allocates a few MB that all survive
 * (parsing the 1 MB bundle, modules, node types' schemas, the deployed flow), so V8 grew the young
 * generation to 2 MB semi-spaces before the first line of our code ran: ~2 MB kept for the life of
 * an idle edge process although nothing in steady state needed it. That is why bin.ts sets this
 * before it loads the main bundle. While the process starts, growth is off (factor 1);
 * {@link startUpDone} turns V8's default back on, so a flow under load gets the young generation
 * it needs. Measured: idle RSS of `plantwire run` with a 5-node flow −1.5 MB.
 */
tune('semi-space-growth-factor', 1);

/**
 * Compilers. Start-up code runs once: compiling it further saves nothing. The first function V8
 * optimizes pages in TurboFan itself, ~3.5 MB of the node binary that then stays resident in an
 * idle process: while we start, one small function of zod (called once per schema method it
 * binds, ~1,250 times) became hot enough to be optimized, and that alone cost an idle
 * `plantwire run` 3.5 MB. Sparkplug's baseline code for start-up functions stays in the heap too
 * (~0.5 MB). So both are off while the process starts and on from {@link startUpDone}: code that
 * gets hot under load is compiled as usual (v8-memory.test.ts shows a hot function optimized
 * after it), TurboFan's work except while a deploy runs ({@link pauseOptimizationDuringDeploys}).
 * Ignition's bytecode runs start-up code meanwhile; start-up time is unchanged.
 */
let startingUp = true;
/** Deploys running now (see {@link pauseOptimizationDuringDeploys}). */
let deploysRunning = 0;

/** TurboFan optimizes only once the command is up, and not while a deploy runs. */
function optimizingCompilerPolicy(): void {
  tune('turbofan', !startingUp && deploysRunning === 0);
}

optimizingCompilerPolicy();
tune('sparkplug', false);

/**
 * Old generation. After a full GC, V8 lets the heap grow to a multiple of what survived (a factor
 * it picks between 1.1 and 4 from the allocation rate) before collecting again. Under a flood the
 * runtime's bounded queues keep the live heap small (~22 MB), yet RSS grew by ~70 MB of garbage
 * waiting for the next full GC (300,000 MQTT messages flat out, bench/RESULTS.md). A fixed 30%
 * growth keeps that to ~35 MB; the price is more frequent full GCs under sustained load, which V8
 * marks incrementally and concurrently (flat-out MQTT throughput unchanged within noise).
 */
tune('heap-growing-percent', 30);

/**
 * The command is up (a flow runs, the editor serves): from now on V8 sizes the young generation
 * to the load and optimizes hot code. Every long-running command calls this once it is ready.
 */
export function startUpDone(): Promise<void> {
  startingUp = false;
  tune('semi-space-growth-factor', DEFAULT_GROWTH_FACTOR);
  optimizingCompilerPolicy();
  tune('sparkplug', true);
  // After the caller's "running" line and whatever else this turn of the event loop does;
  // resolves once done, for a caller that measures what follows.
  return new Promise((resolve) =>
    setImmediate(() => {
      releaseStartUpMemory();
      resolve();
    }),
  );
}

/**
 * Deploys. A deploy runs its code (validation, zod's parsers, compiling the graph, the nodes'
 * setups) once, but for a big flow long enough that V8 finds it hot: TurboFan then compiles it on
 * another thread, which on a 2-core edge box competes with the deploy itself and with the flows
 * still running, for code that is done before the optimized version is of use. Measured on a
 * cold 5,000-node deploy (2 cores, medians of 6 interleaved runs): 93 → 79 ms, and the CPU it
 * takes 163 → 90 ms. So while a deploy of `runtime` runs, TurboFan optimizes nothing new; code
 * already optimized (the running flows' hot paths) stays optimized. Returns the unsubscribe, which
 * ends the pause of a deploy still running.
 */
export function pauseOptimizationDuringDeploys(runtime: Pick<Runtime, 'on'>): () => void {
  let deploying = false;
  const set = (active: boolean): void => {
    if (active === deploying) return;
    deploying = active;
    deploysRunning += active ? 1 : -1;
    optimizingCompilerPolicy();
  };
  const unsubscribe = runtime.on('deploying', ({ active }) => set(active));
  return () => {
    unsubscribe();
    set(false);
  };
}

/**
 * What start-up leaves behind. Loading the ~1 MB bundle, the node types and the flow leaves a few
 * MB of garbage (a dead copy of the bundle's text among it) and bytecode that ran once, and V8
 * returns neither to the system by itself for a while: its memory reducer starts only after 8 s
 * of low activity, and a regular full GC frees old-generation pages only when they are empty.
 * So, once the command is up, one full GC that compacts the old generation and drops bytecode
 * not in use now (it is compiled again if it ever runs again): an idle `plantwire run` of a
 * 5-node flow −1.5 to −2.5 MB, the same figure every run instead of one that depends on whether
 * V8 happened to collect during start-up. It pauses the main thread once for ~10–30 ms. With
 * `--expose-gc` the user's gc() is used; otherwise it is reached through a throwaway vm context
 * created while the flag is on.
 */
function releaseStartUpMemory(): void {
  const gc = garbageCollector();
  if (!gc) return;
  tune('compact-on-every-full-gc', true);
  tune('stress-flush-code', true);
  try {
    gc();
  } finally {
    tune('compact-on-every-full-gc', false);
    tune('stress-flush-code', false);
  }
}

function garbageCollector(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as () => void;
  tune('expose-gc', true);
  try {
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  } finally {
    tune('expose-gc', false);
  }
}
