const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/**
 * `date.toISOString()`, built from the UTC getters. Why not toISOString itself: in Node 20's V8
 * it computes the local time zone too (Date#toString's machinery), which loads ICU's time zone
 * data on the first call — the first log line of `plantwire run` cost ~0.9 MB of idle RSS for an
 * offset that an ISO UTC string never shows. Same output for every valid date; years outside
 * 0–9999 (never a log time) and invalid dates go to toISOString, which also throws the same
 * RangeError for the latter.
 */
export function isoTime(date: Date | number = Date.now()): string {
  const d = typeof date === 'number' ? new Date(date) : date;
  const year = d.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return d.toISOString();
  const ms = d.getUTCMilliseconds();
  return `${String(year).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : ms}Z`;
}
