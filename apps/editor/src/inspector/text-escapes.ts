/**
 * Separators such as a newline or a tab cannot be typed into (or seen in) a one-line input, so
 * fields whose values are separators show them as `\n`, `\r`, `\t` (and a backslash as `\\`).
 */
const SHOW: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };
const TAKE: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\' };

/** `"\n"` → `"\\n"` (what the input shows). */
export const showEscapes = (value: string): string => value.replace(/[\n\r\t\\]/g, (c) => SHOW[c]!);

/** `"\\n"` → `"\n"` (what the config gets); a lone or unknown escape stays as typed. */
export const takeEscapes = (text: string): string => text.replace(/\\([nrt\\])/g, (_, c: string) => TAKE[c]!);

/** Parse the text of a number input: a number, `undefined` for empty, the text itself for a `${NAME}` reference, else `Error`. */
export function parseNumberText(text: string, integer: boolean): number | string | undefined | Error {
  const t = text.trim();
  if (t === '') return undefined;
  if (/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(t)) return t;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return new Error('not a number yet');
  const n = Number(t);
  if (!Number.isFinite(n)) return new Error('not a number');
  if (integer && !Number.isInteger(n)) return new Error('must be a whole number');
  return n;
}

/**
 * Parse the text of a JSON value input. Where text is allowed, what is not JSON is taken as
 * text (`on` → "on", `10` → 10, `"10"` → "10"), as Node-RED's typed inputs do.
 */
export function parseJsonText(text: string, types: readonly string[]): { value: unknown } | Error {
  if (text.trim() === '') return types.includes('string') ? { value: '' } : new Error('a JSON value is required');
  try {
    const value: unknown = JSON.parse(text);
    return { value };
  } catch (err) {
    if (types.includes('string') && !/^\s*[[{"]/.test(text)) return { value: text };
    return new Error(`not valid JSON: ${(err as Error).message}`);
  }
}

/** A JSON value as its input shows it: text as typed (when text is allowed and it would not read back as something else), else JSON. */
export function jsonText(value: unknown, types: readonly string[]): string {
  if (value === undefined) return '';
  if (typeof value === 'string' && types.includes('string')) {
    const back = parseJsonText(value, types);
    if (!(back instanceof Error) && back.value === value) return value;
  }
  return JSON.stringify(value, null, typeof value === 'object' && value !== null ? 2 : undefined) ?? '';
}
