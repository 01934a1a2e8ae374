import { describe, expect, it } from 'vitest';
import { formatClock, formatClockRange } from './format-clock.js';

describe('formatClock', () => {
  it('shows local time with milliseconds', () => {
    const t = new Date(2026, 11, 6, 9, 5, 7, 45).getTime();
    expect(formatClock(t)).toBe('09:05:07.045');
  });

  it('shortens a range within one second', () => {
    const t = new Date(2026, 11, 6, 14, 3, 7, 125).getTime();
    expect(formatClockRange(t, t + 185)).toBe('14:03:07.125 – .310');
    expect(formatClockRange(t, t + 2_000)).toBe('14:03:07.125 – 14:03:09.125');
    expect(formatClockRange(t, t)).toBe('14:03:07.125');
  });
});
