import { describe, expect, it } from 'vitest';
import { Scheduler, type Schedulable } from './scheduler.js';

/** A task with `work` messages, handling at most `budget` per turn; logs each turn. */
function task(name: string, work: number, log: string[], turnTakesMs = 0): Schedulable & { left: number } {
  return {
    scheduled: false,
    left: work,
    isRunnable() {
      return this.left > 0;
    },
    runBatch(budget) {
      const n = Math.min(budget, this.left);
      this.left -= n;
      log.push(`${name}:${n}`);
      // Pretend the batch took this long, so the slice logic can be tested without real work.
      return performance.now() + turnTakesMs;
    },
  };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Scheduler', () => {
  it('runs ready tasks in batches, round robin, until none is runnable', async () => {
    const log: string[] = [];
    const s = new Scheduler({ batchSize: 2 });
    const a = task('a', 5, log);
    const b = task('b', 2, log);
    s.schedule(a);
    s.schedule(a); // already queued: no second entry
    s.schedule(b);
    expect(log).toEqual([]); // never runs inside schedule()
    await turn();
    expect(log).toEqual(['a:2', 'b:2', 'a:2', 'a:1']);
    expect(s.readyCount).toBe(0);
  });

  it('yields to the event loop when a slice runs out, and resumes on a later turn', async () => {
    const log: string[] = [];
    const s = new Scheduler({ batchSize: 1, sliceMs: 5 });
    s.schedule(task('slow', 3, log, 50));
    s.schedule(task('other', 1, log));
    setImmediate(() => log.push('io'));
    await turn();
    // The first turn ends after one batch that overran the slice; the test's immediate runs before the rest.
    expect(log[0]).toBe('slow:1');
    await turn();
    await turn();
    await turn();
    expect(log).toContain('io');
    expect(log.indexOf('io')).toBeLessThan(log.indexOf('other:1'));
    expect(log.filter((l) => l.startsWith('slow'))).toHaveLength(3);
  });

  it('calls onRunEnd after every run of the loop', async () => {
    let ends = 0;
    const s = new Scheduler({ onRunEnd: () => ends++ });
    s.schedule(task('a', 1, []));
    await turn();
    expect(ends).toBe(1);
  });
});
