import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './spawn-cli.js';

/** V8's %GetOptimizationStatus bit for "optimized code is installed" (runtime-test.cc, V8 11.3). */
const OPTIMIZED = 1 << 4;

/**
 * A child Node imports v8-memory.ts (as bin.ts does first), makes a function hot, calls
 * startUpDone() and makes it hot again, printing V8's optimization status after each round.
 * Recompilation is synchronous there so the status is read after the optimizing compiler ran.
 */
function optimizationStatus(): { duringStartUp: number; afterStartUp: number } {
  const module = join(repoRoot, 'apps/cli/src/v8-memory.ts');
  const script = `
    const { startUpDone } = await import(${JSON.stringify(module)});
    function hot(x) { return x * 2 + 1; }
    const round = () => { let sum = 0; for (let i = 0; i < 300000; i++) sum += hot(i); return sum; };
    round();
    const duringStartUp = %GetOptimizationStatus(hot);
    startUpDone();
    round(); round();
    console.log(JSON.stringify({ duringStartUp, afterStartUp: %GetOptimizationStatus(hot) }));
  `;
  const child = spawnSync(process.execPath, ['--allow-natives-syntax', '--no-concurrent-recompilation', '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout) as { duringStartUp: number; afterStartUp: number };
}

describe('V8 tuning of the plantwire command', () => {
  it('keeps the optimizing compiler off while the command starts, and hot code is optimized once startUpDone() ran', () => {
    const { duringStartUp, afterStartUp } = optimizationStatus();
    expect(duringStartUp & OPTIMIZED).toBe(0);
    expect(afterStartUp & OPTIMIZED).toBe(OPTIMIZED);
  });
});
