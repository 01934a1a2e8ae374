/**
 * One-line, length-capped renderings of debug values.
 *
 * A flood must never make the page stringify whole values on arrival, so the writer stops as soon as
 * its budget is spent: the cost of a preview depends on `maxChars`, not on the size of the value.
 */

const MAX_DEPTH = 3;

/** A short type label as the debug sidebar shows it: `number`, `string[12]`, `array[3]`, `object`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array[${value.length}]`;
  if (typeof value === 'string') return `string[${value.length}]`;
  return typeof value;
}

/**
 * A compact JSON-like rendering, at most `maxChars` characters (plus a trailing `…` when cut).
 *
 * @example previewValue({ value: 21.5, quality: 'good' }) // '{value: 21.5, quality: "good"}'
 */
export function previewValue(value: unknown, maxChars = 200): string {
  const out: string[] = [];
  let budget = maxChars;
  let cut = false;

  const write = (text: string): boolean => {
    if (budget <= 0) {
      cut = true;
      return false;
    }
    if (text.length > budget) {
      out.push(text.slice(0, budget));
      budget = 0;
      cut = true;
      return false;
    }
    out.push(text);
    budget -= text.length;
    return true;
  };

  const walk = (v: unknown, depth: number): boolean => {
    if (v === null) return write('null');
    switch (typeof v) {
      case 'string':
        // Quote only the part that can be shown: JSON.stringify of a 1 MB string would defeat the cap.
        return write(JSON.stringify(v.length > budget ? v.slice(0, budget) : v));
      case 'number':
      case 'boolean':
      case 'bigint':
        return write(String(v));
      case 'undefined':
        return write('undefined');
      case 'object':
        break;
      default:
        return write(`[${typeof v}]`);
    }
    if (Array.isArray(v)) {
      if (depth >= MAX_DEPTH) return write(v.length === 0 ? '[]' : `[…${v.length}]`);
      if (!write('[')) return false;
      for (let i = 0; i < v.length; i++) {
        if (i > 0 && !write(', ')) return false;
        if (!walk(v[i], depth + 1)) return false;
      }
      return write(']');
    }
    if (depth >= MAX_DEPTH) return write('{…}');
    if (!write('{')) return false;
    let first = true;
    // for…in rather than Object.keys: stops early without allocating every key of a huge object.
    for (const key in v as Record<string, unknown>) {
      if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
      if (!first && !write(', ')) return false;
      first = false;
      if (!write(`${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}: `)) return false;
      if (!walk((v as Record<string, unknown>)[key], depth + 1)) return false;
    }
    return write('}');
  };

  walk(value, 0);
  return cut ? `${out.join('')}…` : out.join('');
}

/**
 * The preview of what a debug node printed. A whole message (the debug node set to print `msg`)
 * reads as its topic and payload, the way engineers scan a stream; its id and other properties
 * stay in the expanded tree.
 *
 * @example previewDebugValue({ _msgid: 'a1', topic: 'line1/pressure', payload: { value: 2.9 } }) // 'line1/pressure · {value: 2.9}'
 */
export function previewDebugValue(value: unknown, maxChars = 200): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.prototype.hasOwnProperty.call(value, '_msgid')) {
    return previewValue(value, maxChars);
  }
  const msg = value as { topic?: unknown; payload?: unknown };
  const topic = typeof msg.topic === 'string' && msg.topic !== '' ? `${msg.topic.slice(0, maxChars)} · ` : '';
  if (topic.length >= maxChars) return `${topic.slice(0, maxChars)}…`;
  return topic + previewValue(msg.payload, maxChars - topic.length);
}
