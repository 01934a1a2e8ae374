import { defineNode, NodeError, type Message, type MessageInit } from '@plantwire/node-sdk';
import { parse, type Options as ParseOptions } from 'csv-parse/sync';
import { stringify, type Options as StringifyOptions } from 'csv-stringify/sync';
import * as z from 'zod';
import { formatPath, getPath, parsePath, setPath } from '../shared/msg-path.js';
import { msgPathSchema } from '../shared/msg-path-schema.js';

/** Numbers as CSV writes them; a leading zero (`007`, a tag number) stays text. */
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/;

const configSchema = z.strictObject({
  property: msgPathSchema({ title: 'Property', description: 'The message property holding the CSV text, or the rows to write.', examples: ['payload'] }).default('payload'),
  header: z
    .boolean()
    .default(true)
    .meta({ title: 'Header row', description: 'Parsing: the first line names the columns (skipped when `columns` is set). Writing: put a header line first.' }),
  columns: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .meta({
      title: 'Columns',
      description: 'Column names, in order. Parsing: names for the fields (instead of the header row). Writing: which properties to write, in this order. Default: from the header row, or all properties of the rows.',
      examples: [['time', 'tag', 'value']],
    }),
  separator: z
    .string()
    .min(1)
    .default(',')
    .meta({ title: 'Separator', description: 'The field separator, e.g. `,`, `;` or a tab (`\\t`).', examples: [',', ';', '\t'] }),
  quote: z.string().length(1).default('"').meta({ title: 'Quote', description: 'The character quoting fields that contain the separator, a quote or a line break.', examples: ['"', "'"] }),
  parseNumbers: z.boolean().default(true).meta({ title: 'Parse numbers', description: 'Parsing: unquoted fields that are numbers become numbers (a leading zero, as in `007`, keeps text).' }),
  output: z
    .enum(['array', 'rows'])
    .default('array')
    .meta({
      title: 'Output',
      description: 'Parsing: `array` sends one message with all rows; `rows` one message per row, with `parts: {id, index, count}` for joining them again.',
    }),
  lineEnding: z.enum(['lf', 'crlf']).default('lf').meta({ title: 'Line ending', description: 'Writing: `lf` (\\n) or `crlf` (\\r\\n, as RFC 4180 and Windows tools expect).' }),
});

type CsvConfig = z.output<typeof configSchema>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface CsvError {
  readonly code?: string;
  readonly lines?: number;
  readonly message: string;
}

function parseOptions(config: CsvConfig): ParseOptions {
  return {
    delimiter: config.separator,
    quote: config.quote,
    bom: true,
    skip_empty_lines: true,
    // A short row (trailing fields left off) is common and harmless; a long one would lose data, so it is an error.
    relax_column_count_less: true,
    columns: config.columns ? [...config.columns] : config.header,
    from_line: config.columns && config.header ? 2 : 1,
    cast: config.parseNumbers ? (value, context) => (!context.header && !context.quoting && NUMBER.test(value) ? Number(value) : value) : false,
  };
}

function stringifyOptions(config: CsvConfig, columns: string[] | undefined): StringifyOptions {
  return {
    delimiter: config.separator,
    quote: config.quote,
    header: config.header && columns !== undefined,
    ...(columns ? { columns } : {}),
    record_delimiter: config.lineEnding === 'crlf' ? 'windows' : 'unix',
    cast: {
      boolean: (v) => (v ? 'true' : 'false'),
      date: (v) => v.toISOString(),
      object: (v) => JSON.stringify(v),
    },
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Rows and columns to write: objects (columns = every key, in order of first appearance), arrays, or one row of scalars. */
function toRows(value: unknown, config: CsvConfig): { rows: unknown[]; columns: string[] | undefined } {
  if (isRecord(value)) value = [value];
  if (!Array.isArray(value)) throw new Error(`expected an array of rows or an object, got ${typeof value}`);
  if (value.length === 0 || value.every(isRecord)) {
    let columns = config.columns ? [...config.columns] : undefined;
    if (!columns && value.length > 0) {
      const seen = new Set<string>();
      for (const row of value as Record<string, unknown>[]) for (const key of Object.keys(row)) seen.add(key);
      columns = [...seen];
    }
    return { rows: value, columns };
  }
  if (value.every(Array.isArray)) return { rows: value, columns: config.columns ? [...config.columns] : undefined };
  if (value.every((v) => v === null || typeof v !== 'object')) return { rows: [value], columns: config.columns ? [...config.columns] : undefined };
  throw new Error('the array mixes objects, arrays and plain values; use all objects, all arrays, or one row of values');
}

/** Converts between CSV text and rows: an array of objects (or of arrays without column names). */
export const csv = defineNode({
  type: 'csv',
  version: 1,
  category: 'transform',
  icon: 'table',
  summary: 'Convert between CSV text and an array of rows.',
  description: [
    'Text (or UTF-8 bytes) at `property` is parsed into an array of objects keyed by the header row or',
    '`columns` (or, with neither, arrays of fields). An array of objects, of arrays, or a single object',
    'is written as CSV text. The direction follows the type of the property.',
    '',
    'With `output: rows` a parsed file leaves as one message per row, each with',
    '`parts: {id, index, count}` (`id` is the input message\'s id), so a join node can assemble them.',
    'Empty lines are skipped; rows shorter than the header leave the missing fields out, rows longer',
    'than it are an error. A parse error raises `DECODE_FAILED` with the line number.',
  ].join('\n'),
  inputs: { in: 'Messages with CSV text, or rows to write as CSV.' },
  outputs: { out: 'The message with the rows (or the CSV text); one message per row with `output: rows`.' },
  config: configSchema,
  setup({ config }) {
    return { path: parsePath(config.property), options: parseOptions(config) };
  },
  onInput(msg, { config }, { path, options }) {
    const value = getPath(msg, path);
    const where = formatPath(path);
    if (value === undefined || value === null) {
      throw new NodeError('INPUT_INVALID', `${where} is ${value === null ? 'null' : 'missing'}: expected CSV text or rows to write`, { details: { property: where } });
    }
    if (typeof value === 'string' || value instanceof Uint8Array) return parseCsv(msg, value, config, path, where, options);
    if (typeof value !== 'object') {
      throw new NodeError('INPUT_INVALID', `${where} is a ${typeof value}: expected CSV text, or an array or object to write`, { details: { property: where } });
    }
    let text: string;
    try {
      const { rows, columns } = toRows(value, config);
      text = stringify(rows, stringifyOptions(config, columns));
    } catch (err) {
      throw new NodeError('ENCODE_FAILED', `cannot write ${where} as CSV: ${(err as Error).message}`, { cause: err, details: { property: where } });
    }
    return setPath(msg, path, text);
  },
});

function parseCsv(msg: Message, input: string | Uint8Array, config: CsvConfig, path: ReturnType<typeof parsePath>, where: string, options: ParseOptions): MessageInit | MessageInit[] {
  let rows: unknown[];
  try {
    const text = typeof input === 'string' ? input : utf8.decode(input);
    rows = parse(text, options) as unknown[];
  } catch (err) {
    const e = err as CsvError;
    const line = typeof e.lines === 'number' ? ` at line ${e.lines}` : '';
    throw new NodeError('DECODE_FAILED', `cannot parse ${where} as CSV${line}: ${e.message}`, { cause: err, details: { property: where, line: e.lines, csvCode: e.code } });
  }
  if (config.output === 'array') return setPath(msg, path, rows);
  const { _msgid: id, ...rest } = msg;
  // Each row is a message of its own, with its own id; `parts.id` ties them to the file they came from.
  return rows.map((row, index) => ({ ...setPath(rest, path, row), parts: { id, index, count: rows.length } }));
}
