import { describe, expect, it } from 'vitest';
import { median, renderTable, verdictOf, type Row } from './report.js';

const row = (over: Partial<Row>): Row => ({ label: 'x', unit: 'msgs/s', better: 'higher', ...over });

describe('report', () => {
  it('passes throughput at or above the target ratio and fails below it', () => {
    expect(verdictOf(row({ plantwire: 50_000, nodeRed: 10_000, target: 5 }))).toBe('PASS');
    expect(verdictOf(row({ plantwire: 49_000, nodeRed: 10_000, target: 5 }))).toBe('FAIL');
  });

  it('passes times and RSS at or below the target ratio', () => {
    expect(verdictOf(row({ unit: 'ms', better: 'lower', plantwire: 100, nodeRed: 433, target: 1 / 3 }))).toBe('PASS');
    expect(verdictOf(row({ unit: 'ms', better: 'lower', plantwire: 150, nodeRed: 433, target: 1 / 3 }))).toBe('FAIL');
  });

  it('gives no verdict without both figures, and none for information rows', () => {
    expect(verdictOf(row({ nodeRed: 10_000, target: 5 }))).toBe('n/a');
    expect(verdictOf(row({ plantwire: 1, nodeRed: 2 }))).toBe('info');
  });

  it('takes the median of odd and even lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('prints ratio, target and verdict in the table', () => {
    const table = renderTable([row({ label: 'chain-change', plantwire: 240_000, nodeRed: 24_000, target: 10 })]);
    expect(table).toMatch(/chain-change .*240,000 .*24,000 .*10\.0× .*≥ 10× .*PASS/);
  });
});
