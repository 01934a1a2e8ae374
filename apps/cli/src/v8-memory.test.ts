import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './spawn-cli.js';

/** V8's %GetOptimizationStatus bit for "optimized code is installed" (runtime-test.cc, V8 11.3). */
const OPTIMIZED = 1 << 4;

/** Runs `script` (an ES module body) in a child Node with V8's test natives; returns its one JSON line. */
function runChild<T>(script: string): T {
  const child = spawnSync(process.execPath, ['--allow-natives-syntax', '--no-concurrent-recompilation', '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout) as T;
}

const v8MemoryModule = JSON.stringify(join(repoRoot, 'apps/cli/src/v8-memory.ts'));

/**
 * A child Node imports v8-memory.ts (as bin.ts does first), makes a function hot, calls
 * startUpDone() and makes it hot again, printing V8's optimization status after each round.
 * Recompilation is synchronous there so the status is read after the optimizing compiler ran.
 */
function optimizationStatus(): { duringStartUp: number; afterStartUp: number } {
  return runChild(`
    const { startUpDone } = await import(${v8MemoryModule});
    function hot(x) { return x * 2 + 1; }
    const round = () => { let sum = 0; for (let i = 0; i < 300000; i++) sum += hot(i); return sum; };
    round();
    const duringStartUp = %GetOptimizationStatus(hot);
    startUpDone();
    round(); round();
    console.log(JSON.stringify({ duringStartUp, afterStartUp: %GetOptimizationStatus(hot) }));
  `);
}

/**
 * A child Node with a stand-in runtime (only `on`, as pauseOptimizationDuringDeploys uses it)
 * reports a hot function's optimization status: after a deploy that began and ended during
 * start-up, while a deploy runs after startUpDone(), once it ended, and after unsubscribing in
 * the middle of one.
 */
function optimizationAroundDeploys(): { deployDuringStartUp: number; duringDeploy: number; afterDeploy: number; unsubscribedMidDeploy: number } {
  return runChild(`
    const { pauseOptimizationDuringDeploys, startUpDone } = await import(${v8MemoryModule});
    let deploying;
    const unsubscribe = pauseOptimizationDuringDeploys({ on: (event, listener) => { if (event === 'deploying') deploying = listener; return () => { deploying = undefined; }; } });
    function startUpCode(x) { return x * 2 + 1; }
    function deployCode(x) { return x * 3 + 1; }
    const hot = (fn) => { let sum = 0; for (let r = 0; r < 2; r++) for (let i = 0; i < 300000; i++) sum += fn(i); return sum; };
    deploying({ active: true });
    deploying({ active: false });
    hot(startUpCode);
    const deployDuringStartUp = %GetOptimizationStatus(startUpCode);
    await startUpDone();
    deploying({ active: true });
    hot(deployCode);
    const duringDeploy = %GetOptimizationStatus(deployCode);
    deploying({ active: false });
    hot(deployCode);
    const afterDeploy = %GetOptimizationStatus(deployCode);
    function laterCode(x) { return x * 5 + 1; }
    deploying({ active: true });
    unsubscribe();
    hot(laterCode);
    console.log(JSON.stringify({ deployDuringStartUp, duringDeploy, afterDeploy, unsubscribedMidDeploy: %GetOptimizationStatus(laterCode) }));
  `);
}

/** %GetOptimizationStatus bit for "not compiled" (no bytecode: never run, or flushed). */
const IS_LAZY = 1 << 18;

interface StartUpLeftovers {
  /** Physical bytes of V8's large object space: a 16 MB array dropped during start-up lives there. */
  readonly largeObjectBytes: number;
  /** Optimization status of a function that ran once during start-up. */
  readonly ranOnceStatus: number;
}

/**
 * A child Node (no --expose-gc) leaves start-up garbage (a dropped 16 MB array) and a function
 * that ran once, then calls startUpDone() and lets the event loop turn.
 */
function startUpLeftovers(): { before: StartUpLeftovers; after: StartUpLeftovers; gcExposed: boolean } {
  return runChild(`
    const { startUpDone } = await import(${v8MemoryModule});
    const { getHeapSpaceStatistics } = await import('node:v8');
    const state = () => ({
      largeObjectBytes: getHeapSpaceStatistics().find((space) => space.space_name === 'large_object_space').physical_space_size,
      ranOnceStatus: %GetOptimizationStatus(ranOnce),
    });
    function ranOnce(x) { return x + 1; }
    ranOnce(1);
    let garbage = [];
    for (let i = 0; i < 2_000_000; i++) garbage.push(i);
    const before = state();
    garbage = undefined;
    startUpDone();
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    console.log(JSON.stringify({ before, after: state(), gcExposed: typeof globalThis.gc !== 'undefined' }));
  `);
}

describe('V8 tuning of the plantwire command', () => {
  it('keeps the optimizing compiler off while the command starts, and hot code is optimized once startUpDone() ran', () => {
    const { duringStartUp, afterStartUp } = optimizationStatus();
    expect(duringStartUp & OPTIMIZED).toBe(0);
    expect(afterStartUp & OPTIMIZED).toBe(OPTIMIZED);
  });

  it('optimizes nothing new while a deploy runs, and a deploy that ends while the command starts does not turn the optimizer on', () => {
    const { deployDuringStartUp, duringDeploy, afterDeploy, unsubscribedMidDeploy } = optimizationAroundDeploys();
    expect(deployDuringStartUp & OPTIMIZED).toBe(0);
    expect(duringDeploy & OPTIMIZED).toBe(0);
    expect(afterDeploy & OPTIMIZED).toBe(OPTIMIZED);
    // Unsubscribing ends the pause of a deploy still running.
    expect(unsubscribedMidDeploy & OPTIMIZED).toBe(OPTIMIZED);
  });

  it('once started, releases what start-up left: its garbage and the bytecode of code that ran once', () => {
    const { before, after, gcExposed } = startUpLeftovers();
    expect(before.largeObjectBytes - after.largeObjectBytes).toBeGreaterThanOrEqual(16 * 1024 * 1024);
    expect(before.ranOnceStatus & IS_LAZY).toBe(0);
    expect(after.ranOnceStatus & IS_LAZY).toBe(IS_LAZY);
    // Reaching gc() does not leave it on the user's global object.
    expect(gcExposed).toBe(false);
  });
});
