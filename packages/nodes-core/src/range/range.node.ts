import { defineNode, NodeError } from '@plantwire/node-sdk';
import * as z from 'zod';
import { formatPath, getPath, parsePath, setPath } from '../shared/msg-path.js';
import { msgPathSchema } from '../shared/msg-path-schema.js';

const NUMERIC_TEXT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

const configSchema = z
  .strictObject({
    property: msgPathSchema({
      title: 'Property',
      description: 'The number to scale: a plain number, numeric text, or a tag value `{value, quality, sourceTime}` whose `value` is scaled.',
      examples: ['payload', 'payload.pressure'],
    }).default('payload'),
    inMin: z.number().meta({ title: 'Input from', description: 'Input value that maps to `outMin`, e.g. the raw count at 4 mA.', examples: [0, 4000] }),
    inMax: z.number().meta({ title: 'Input to', description: 'Input value that maps to `outMax`, e.g. the raw count at 20 mA.', examples: [27648, 20000] }),
    outMin: z.number().meta({ title: 'Output from', description: 'Engineering value at `inMin`.', examples: [0] }),
    outMax: z.number().meta({ title: 'Output to', description: 'Engineering value at `inMax`.', examples: [100, 16] }),
    mode: z
      .enum(['scale', 'clamp', 'wrap', 'drop'])
      .default('scale')
      .meta({
        title: 'Out-of-range input',
        description:
          '`scale`: extrapolate beyond the range; `clamp`: limit to the output range; `wrap`: wrap around within the range (angles, counters); `drop`: drop the message.',
      }),
    round: z
      .int()
      .min(0)
      .max(15)
      .optional()
      .meta({ title: 'Decimals', description: 'Round the result to this many decimal places. Leave empty for no rounding.', examples: [0, 2] }),
  })
  .superRefine((config, ctx) => {
    if (config.inMin === config.inMax) {
      ctx.addIssue({ code: 'custom', path: ['inMax'], message: 'inMax must differ from inMin (the input range is empty)' });
    }
  });

type RangeConfig = z.output<typeof configSchema>;

/** The scaled value, or undefined when `drop` mode drops it. */
export function scaleValue(x: number, config: RangeConfig): number | undefined {
  const { inMin, inMax, outMin, outMax, mode } = config;
  const low = Math.min(inMin, inMax);
  const high = Math.max(inMin, inMax);
  if (x < low || x > high) {
    if (mode === 'drop') return undefined;
    if (mode === 'clamp') x = x < low ? low : high;
    else if (mode === 'wrap') {
      const span = high - low;
      x = ((((x - low) % span) + span) % span) + low;
    }
  }
  let y = outMin + ((x - inMin) * (outMax - outMin)) / (inMax - inMin);
  if (config.round !== undefined) {
    const f = 10 ** config.round;
    y = Math.round(y * f) / f;
  }
  return y === 0 ? 0 : y; // no -0 in output
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMERIC_TEXT.test(value)) return Number(value);
  return undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return `${value}`;
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

const isTagValue = (v: unknown): v is Record<string, unknown> & { value: unknown } =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, 'value');

/** Scales a number linearly from one range to another: raw counts to engineering units. */
export const range = defineNode({
  type: 'range',
  version: 1,
  category: 'transform',
  icon: 'ruler',
  summary: 'Scale a number from one range to another (raw counts to engineering units).',
  description: [
    'Maps `property` linearly so that `inMin` becomes `outMin` and `inMax` becomes `outMax`, e.g. a',
    'PLC analogue input 0…27648 to 0…100 %. Reversed ranges work (a higher input giving a lower',
    'output). Numeric text is read as a number and the result is a number.',
    '',
    'A tag value `{value, quality, sourceTime, …}` keeps its quality, timestamps and other fields;',
    'only `value` is scaled. Anything that is not a finite number raises `INPUT_INVALID` naming the',
    'property and what it held.',
  ].join('\n'),
  inputs: { in: 'Messages with a number to scale.' },
  outputs: { out: 'The message with the scaled number.' },
  config: configSchema,
  setup({ config }) {
    return { path: parsePath(config.property) };
  },
  onInput(msg, { config }, { path }) {
    const raw = getPath(msg, path);
    const tag = isTagValue(raw);
    const input = tag ? raw.value : raw;
    const x = toNumber(input);
    if (x === undefined) {
      const where = tag ? `${formatPath(path)}.value` : formatPath(path);
      throw new NodeError('INPUT_INVALID', `cannot scale ${where}: expected a finite number, got ${describe(input)}`, { details: { property: where } });
    }
    const y = scaleValue(x, config);
    if (y === undefined) return null;
    return setPath(msg, path, tag ? { ...raw, value: y } : y);
  },
});
