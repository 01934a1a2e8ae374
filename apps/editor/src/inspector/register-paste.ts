/**
 * Rows pasted from a spreadsheet (tab-separated, as Excel and LibreOffice copy them; `;` or `,`
 * also work) → tag objects for the register map. A first row naming the columns (by title or
 * key, any case) says which column is which; without one, the columns are taken in the table's order.
 */
import type { Field, ObjectField } from './schema-fields.js';

export interface PastedRows {
  readonly rows: Array<Record<string, unknown>>;
  /** What could not be read, by 1-based line: "line 3, Address: "x" is not a whole number". */
  readonly problems: string[];
}

const norm = (s: string) => s.trim().toLowerCase().replace(/[\s_-]+/g, '');

function splitLine(line: string): string[] {
  const sep = line.includes('\t') ? '\t' : line.includes(';') ? ';' : ',';
  return line.split(sep).map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
}

/** One cell as the field wants it, or an Error saying why not. Empty cells are left out. */
function cellValue(field: Field, text: string): unknown {
  if (text === '') return undefined;
  switch (field.kind) {
    case 'integer':
    case 'number': {
      const n = Number(text.replace(',', '.'));
      if (!Number.isFinite(n) || (field.kind === 'integer' && !Number.isInteger(n))) return new Error(`"${text}" is not ${field.kind === 'integer' ? 'a whole number' : 'a number'}`);
      return n;
    }
    case 'enum': {
      const hit = field.options.find((o) => String(o).toLowerCase() === text.toLowerCase());
      return hit !== undefined ? hit : new Error(`"${text}" is not one of ${field.options.map(String).join(', ')}`);
    }
    case 'boolean':
      return /^(true|yes|1|x)$/i.test(text) ? true : /^(false|no|0)$/i.test(text) ? false : new Error(`"${text}" is not yes or no`);
    default:
      return text;
  }
}

export function parseRegisterPaste(text: string, item: ObjectField): PastedRows {
  const lines = text.split(/\r?\n/).map((l, i) => ({ line: i + 1, cells: splitLine(l) })).filter((l) => l.cells.some((c) => c !== ''));
  const byName = new Map<string, string>();
  for (const { key, field } of item.fields) {
    byName.set(norm(key), key);
    byName.set(norm(field.title), key);
  }
  const first = lines[0];
  const header = first !== undefined && first.cells.filter((c) => c !== '').every((c) => byName.has(norm(c))) ? first.cells.map((c) => byName.get(norm(c))) : undefined;
  const columns = header ?? item.fields.map((e) => e.key);
  const rows: Array<Record<string, unknown>> = [];
  const problems: string[] = [];
  for (const { line, cells } of header ? lines.slice(1) : lines) {
    const row: Record<string, unknown> = {};
    cells.forEach((cell, i) => {
      const key = columns[i];
      const field = item.fields.find((e) => e.key === key)?.field;
      if (key === undefined || !field) return;
      const value = cellValue(field, cell);
      if (value instanceof Error) problems.push(`line ${line}, ${field.title}: ${value.message}`);
      else if (value !== undefined) row[key] = value;
    });
    if (Object.keys(row).length > 0) rows.push(row);
  }
  return { rows, problems };
}
