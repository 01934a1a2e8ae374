const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Local wall-clock time with milliseconds, `14:03:07.125`: rows of one second differ in ms. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** A span of two clock times, the second cut to what differs when both fall in one second: `14:03:07.125 – .310`. */
export function formatClockRange(from: number, to: number): string {
  const a = formatClock(from);
  const b = formatClock(to);
  if (a === b) return a;
  return a.slice(0, 8) === b.slice(0, 8) ? `${a} – ${b.slice(8)}` : `${a} – ${b}`;
}
