import { describe, expect, it } from 'vitest';
import { mode, pacedReaders } from '../modbus-poll.js';
import { parseProcStat } from './process-cpu.js';
import { hundredRegisters, minimumRequests, tableSizes, thousandTags } from './register-maps.js';

const t = (address: number, span = 1, area: 'holding' | 'coil' = 'holding', unitId = 1) => ({ unitId, area, address, span });

describe('minimumRequests (independent of the node planner)', () => {
  it('counts ⌈span/125⌉ for a contiguous run and reads through small gaps', () => {
    expect(minimumRequests(Array.from({ length: 125 }, (_, i) => t(i)))).toBe(1);
    expect(minimumRequests(Array.from({ length: 126 }, (_, i) => t(i)))).toBe(2);
    // Two tags 124 apart fit one request (0..124); 125 apart do not.
    expect(minimumRequests([t(0), t(124)])).toBe(1);
    expect(minimumRequests([t(0), t(125)])).toBe(2);
  });

  it('never splits a tag: a float32 ending past the limit starts a new request', () => {
    // 63 floats = 126 registers: 62 fit (124), the 63rd needs a second request.
    expect(minimumRequests(Array.from({ length: 63 }, (_, i) => t(2 * i, 2)))).toBe(2);
    expect(minimumRequests(Array.from({ length: 62 }, (_, i) => t(2 * i, 2)))).toBe(1);
  });

  it('counts units and tables apart, bits up to 2000 per request', () => {
    expect(minimumRequests([t(0), t(0, 1, 'holding', 2), t(0, 1, 'coil'), t(1999, 1, 'coil')])).toBe(3);
    expect(minimumRequests([t(0, 1, 'coil'), t(2000, 1, 'coil')])).toBe(2);
  });

  it('the 1,000-tag map needs 14 requests (7 per unit), as its description computes', () => {
    const tags = thousandTags();
    expect(tags).toHaveLength(1000);
    expect(new Set(tags.map((x) => x.name)).size).toBe(1000);
    expect(minimumRequests(tags)).toBe(14);
    expect(minimumRequests(tags.filter((x) => x.unitId === 1))).toBe(7);
    expect(tableSizes(tags)).toEqual([
      { id: 1, holding: 1200, input: 50, coil: 100 },
      { id: 2, holding: 1200, input: 50, coil: 100 },
    ]);
  });

  it('the 100-register map is one request', () => {
    expect(minimumRequests(hundredRegisters())).toBe(1);
  });
});

describe('parseProcStat', () => {
  it('reads utime and stime after a command name with spaces and parentheses', () => {
    const line = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1234 567 0 0 20 0 11 0 100 1000000 5000';
    expect(parseProcStat(line)).toEqual({ utime: 1234, stime: 567 });
  });
});

describe('modbus-poll helpers', () => {
  it('pacedReaders: enough 10 ms pollers for 2× the reads with a 40% margin, 1–40', () => {
    expect(pacedReaders(369)).toBe(11); // 2 × 369 × 1.4 = 1033 → 11 pollers of ≤ 100 reads/s
    expect(pacedReaders(10)).toBe(1);
    expect(pacedReaders(100_000)).toBe(40);
  });

  it('mode: the most common burst size, the smaller of a tie', () => {
    expect(mode([14, 14, 28, 14, 7])).toBe(14);
    expect(mode([28, 14])).toBe(14);
    expect(mode([])).toBeUndefined();
  });
});
