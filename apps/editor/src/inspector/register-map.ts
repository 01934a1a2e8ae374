/**
 * What the register map table shows beside the schema: how many registers a tag spans and where
 * a new row most likely goes. Read from the tag's own fields; the Modbus codec on the server
 * remains the judge (its validation reports overlaps and bad combinations).
 */
import { isPlainObject } from './schema-fields.js';

/** Registers per data type (16-bit words); `bool` is one bit of a coil / discrete input or of a register. */
const WORDS: Readonly<Record<string, number>> = { bool: 1, int16: 1, uint16: 1, int32: 2, uint32: 2, float32: 2, int64: 4, uint64: 4, float64: 4 };

/** How many addresses a tag takes, or undefined when its type says nothing (yet). */
export function tagSpan(tag: unknown): number | undefined {
  if (!isPlainObject(tag)) return undefined;
  const area = tag['area'] ?? 'holding';
  if (area === 'coil' || area === 'discrete') return 1;
  const type = tag['type'];
  if (type === 'string') return typeof tag['length'] === 'number' && tag['length'] > 0 ? Math.ceil(tag['length'] / 2) : undefined;
  return typeof type === 'string' ? WORDS[type] : 1;
}

/** `100–101` for a two-register tag at 100. */
export function addressRange(tag: unknown): string {
  if (!isPlainObject(tag) || typeof tag['address'] !== 'number') return '';
  const span = tagSpan(tag) ?? 1;
  return span > 1 ? `${tag['address']}–${tag['address'] + span - 1}` : String(tag['address']);
}

/** A new row after `tags`: the same table and type as the last one, at the next free address, a fresh name. */
export function nextTag(tags: readonly unknown[]): Record<string, unknown> {
  const names = new Set(tags.flatMap((t) => (isPlainObject(t) && typeof t['name'] === 'string' ? [t['name']] : [])));
  let n = tags.length + 1;
  while (names.has(`tag${n}`)) n++;
  const last = [...tags].reverse().find(isPlainObject);
  if (!last || typeof last['address'] !== 'number') return { name: `tag${n}`, address: 0 };
  const next: Record<string, unknown> = { name: `tag${n}`, address: last['address'] + (tagSpan(last) ?? 1) };
  for (const key of ['area', 'type', 'wordOrder', 'byteOrder', 'unitId'] as const) if (last[key] !== undefined) next[key] = last[key];
  return next;
}
