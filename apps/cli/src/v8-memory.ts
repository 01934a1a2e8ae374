// Imported first by bin.ts (and by main.ts for `pnpm plantwire` through tsx), so it runs before
// the modules that allocate at load time, and in the bundle before the main bundle is parsed.
import { setFlagsFromString } from 'node:v8';

/** The flags the user started node with: its own arguments and NODE_OPTIONS. */
const userFlags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean)];

/**
 * How `plantwire` tunes V8 for an edge box: memory should stay flat, idle and under load, and
 * what only start-up needs should not stay resident. Every flag below is read by V8 each time it
 * decides (grow a generation, optimize a function), so setting it at run time takes effect. A flag
 * the user gave on the command line or in NODE_OPTIONS (`node --heap-growing-percent=…
 * apps/cli/dist/plantwire.js`, `node --turbofan …`) keeps the user's value, `--jitless` keeps the
 * compilers alone; a V8 that does not know a flag is left alone.
 */
function tune(flag: string, value: number | boolean): void {
  const names = flag === 'turbofan' ? ['--turbofan', '--no-turbofan', '--opt', '--no-opt'] : typeof value === 'boolean' ? [`--${flag}`, `--no-${flag}`] : [`--${flag}`];
  if (typeof value === 'boolean') names.push('--jitless');
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
 * after it). Ignition's bytecode runs start-up code meanwhile; start-up time is unchanged.
 */
tune('turbofan', false);
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
export function startUpDone(): void {
  tune('semi-space-growth-factor', DEFAULT_GROWTH_FACTOR);
  tune('turbofan', true);
  tune('sparkplug', true);
}
