/** What replaces a secret value in text the runtime shows or logs. */
export const REDACTED = '***';

/**
 * Secrets shorter than this are not masked: masking every "a" or "1" in a message would mangle it
 * and tell an onlooker the secret's length and letters anyway.
 */
const MIN_SECRET_LENGTH = 4;

/** The string values among credential (or secret config) values worth masking, longest first so a secret containing another is masked whole. */
export function secretStrings(values: Iterable<unknown>): string[] {
  const found = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.length >= MIN_SECRET_LENGTH) found.add(v);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(visit);
  };
  for (const v of values) visit(v);
  return [...found].sort((a, b) => b.length - a.length);
}

/**
 * `text` with every occurrence of a secret replaced by `***`. A defence in depth for messages the
 * runtime did not write itself (a protocol library's error that echoes a URL with a password).
 *
 * @example
 * redact('auth failed for edge:s3cret@plant', ['s3cret']) // 'auth failed for edge:***@plant'
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/** `redact` applied to every string inside a log entry's fields. */
export function redactFields(fields: Record<string, unknown> | undefined, secrets: readonly string[]): Record<string, unknown> | undefined {
  if (fields === undefined || secrets.length === 0) return fields;
  const visit = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return redact(v, secrets);
    if (depth > 8 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((item) => visit(item, depth + 1));
    if (v instanceof Error) return redact(v.message, secrets);
    return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, visit(item, depth + 1)]));
  };
  return visit(fields, 0) as Record<string, unknown>;
}
