/**
 * What a debug row can be charted as: its topic (one tag of a port that carries many) when the
 * debug node printed a whole message, and whether there is a number to chart at all (a number, a
 * boolean, or an industrial value `{value, quality}` holding one).
 */
export interface TrendTarget {
  readonly topic: string | undefined;
}

function chartable(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'boolean') return true;
  if (value !== null && typeof value === 'object' && 'value' in value) {
    const inner = (value as { value: unknown }).value;
    return (typeof inner === 'number' && Number.isFinite(inner)) || typeof inner === 'boolean';
  }
  return false;
}

/** The trend a debug row offers, or undefined when its value has nothing numeric to chart. */
export function trendTargetOf(printed: unknown): TrendTarget | undefined {
  const isMessage = printed !== null && typeof printed === 'object' && !Array.isArray(printed) && Object.prototype.hasOwnProperty.call(printed, '_msgid');
  if (!isMessage) return chartable(printed) ? { topic: undefined } : undefined;
  const msg = printed as { topic?: unknown; payload?: unknown };
  if (!chartable(msg.payload)) return undefined;
  return { topic: typeof msg.topic === 'string' && msg.topic !== '' ? msg.topic : undefined };
}
