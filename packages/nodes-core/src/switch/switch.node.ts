import { defineNode, jsonValue } from '@plantwire/node-sdk';
import * as z from 'zod';
import { getPath, parsePath } from '../shared/msg-path.js';
import { msgPathSchema } from '../shared/msg-path-schema.js';
import { compare, deepEqual, typeOf, VALUE_TYPES } from './compare.js';

/** The case ports of a switch. Rules may share a port, so the number of rules is unlimited. */
const CASE_PORTS = ['case1', 'case2', 'case3', 'case4', 'case5', 'case6', 'case7', 'case8'] as const;
const PORTS = [...CASE_PORTS, 'otherwise'] as const;

/** How many case ports a switch has. */
export const SWITCH_CASES = CASE_PORTS.length;

const port = z
  .enum(PORTS)
  .optional()
  .meta({
    title: 'Port',
    description: `Output port of this rule: \`case1\` … \`case${SWITCH_CASES}\` or \`otherwise\`. Default: \`case<n>\` for the n-th rule (\`otherwise\` for an \`else\` rule).`,
    examples: ['case1', 'otherwise'],
  });

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const ordered = z.union([z.number(), z.string()]);

const ruleSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('eq'), value: jsonValue().meta({ title: 'Value', description: 'Equal to this JSON value ("5" and 5 count as equal).', examples: [5, 'on'] }), port }).meta({ title: '==' }),
  z.strictObject({ op: z.literal('neq'), value: jsonValue().meta({ title: 'Value', description: 'Not equal to this JSON value.', examples: [0] }), port }).meta({ title: '!=' }),
  z.strictObject({ op: z.literal('lt'), value: ordered.meta({ title: 'Value', description: 'Less than this number (or text, compared as text).', examples: [10] }), port }).meta({ title: '<' }),
  z.strictObject({ op: z.literal('lte'), value: ordered.meta({ title: 'Value', description: 'Less than or equal to this.', examples: [10] }), port }).meta({ title: '<=' }),
  z.strictObject({ op: z.literal('gt'), value: ordered.meta({ title: 'Value', description: 'Greater than this.', examples: [80] }), port }).meta({ title: '>' }),
  z.strictObject({ op: z.literal('gte'), value: ordered.meta({ title: 'Value', description: 'Greater than or equal to this.', examples: [80] }), port }).meta({ title: '>=' }),
  z
    .strictObject({
      op: z.literal('between'),
      value: z.number().meta({ title: 'From', description: 'One end of the range (inclusive).', examples: [20] }),
      value2: z.number().meta({ title: 'To', description: 'The other end of the range (inclusive).', examples: [25] }),
      port,
    })
    .meta({ title: 'is between' }),
  z
    .strictObject({
      op: z.literal('contains'),
      value: scalar.meta({ title: 'Value', description: 'Text contained in a text property, or an element of an array property.', examples: ['alarm'] }),
      port,
    })
    .meta({ title: 'contains' }),
  z
    .strictObject({
      op: z.literal('regex'),
      value: z
        .string()
        .superRefine((pattern, ctx) => {
          try {
            new RegExp(pattern);
          } catch (err) {
            ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(err as Error).message}` });
          }
        })
        .meta({ title: 'Pattern', description: 'A JavaScript regular expression, without slashes.', examples: ['^line[0-9]+/temp$'] }),
      ignoreCase: z.boolean().default(false).meta({ title: 'Ignore case', description: 'Match upper and lower case alike.' }),
      port,
    })
    .meta({ title: 'matches regex' }),
  z.strictObject({ op: z.literal('true'), port }).meta({ title: 'is true' }),
  z.strictObject({ op: z.literal('false'), port }).meta({ title: 'is false' }),
  z.strictObject({ op: z.literal('null'), port }).meta({ title: 'is null', description: 'The property is null or missing.' }),
  z.strictObject({ op: z.literal('nonnull'), port }).meta({ title: 'is not null', description: 'The property exists and is not null.' }),
  z
    .strictObject({
      op: z.literal('istype'),
      value: z.enum(VALUE_TYPES).meta({ title: 'Type', description: 'The JSON type the property must have (`binary` for bytes).', examples: ['number'] }),
      port,
    })
    .meta({ title: 'is of type' }),
  z.strictObject({ op: z.literal('else'), port }).meta({ title: 'otherwise', description: 'Matches when no rule before it matched.' }),
]);

type Rule = z.output<typeof ruleSchema>;

const configSchema = z.strictObject({
  property: msgPathSchema({
    title: 'Property',
    description: 'The message property the rules test.',
    examples: ['payload', 'payload.temperature', 'topic'],
  }).default('payload'),
  rules: z
    .array(ruleSchema)
    .min(1)
    .meta({
      title: 'Rules',
      description: 'Tested in order. Each names the port a matching message leaves by.',
      examples: [[{ op: 'gt', value: 80, port: 'case1' }, { op: 'else', port: 'otherwise' }]],
    })
    .superRefine((rules, ctx) => {
      rules.forEach((rule, i) => {
        if (rule.port === undefined && rule.op !== 'else' && i >= SWITCH_CASES) {
          ctx.addIssue({ code: 'custom', path: [i, 'port'], message: `rule ${i} needs a port: only the first ${SWITCH_CASES} rules have a default one (case1 … case${SWITCH_CASES})` });
        }
      });
    }),
  checkAll: z
    .boolean()
    .default(false)
    .meta({
      title: 'Check all rules',
      description: 'Off: a message leaves by the port of the first matching rule. On: by the port of every matching rule (once per port).',
    }),
});

type Test = (value: unknown) => boolean;

function compileTest(rule: Rule): Test | 'else' {
  switch (rule.op) {
    case 'eq': {
      const expected = rule.value;
      return (v) => deepEqual(v, expected);
    }
    case 'neq': {
      const expected = rule.value;
      return (v) => !deepEqual(v, expected);
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      const { op, value } = rule;
      return (v) => {
        const c = compare(v, value);
        if (c === undefined) return false;
        return op === 'lt' ? c < 0 : op === 'lte' ? c <= 0 : op === 'gt' ? c > 0 : c >= 0;
      };
    }
    case 'between': {
      const low = Math.min(rule.value, rule.value2);
      const high = Math.max(rule.value, rule.value2);
      return (v) => {
        const a = compare(v, low);
        const b = compare(v, high);
        return a !== undefined && b !== undefined && a >= 0 && b <= 0;
      };
    }
    case 'contains': {
      const needle = rule.value;
      return (v) => {
        if (typeof v === 'string') return v.includes(String(needle));
        if (Array.isArray(v)) return v.some((item) => deepEqual(item, needle));
        return false;
      };
    }
    case 'regex': {
      const re = new RegExp(rule.value, rule.ignoreCase ? 'i' : '');
      return (v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? re.test(String(v)) : false);
    }
    case 'true':
      return (v) => v === true;
    case 'false':
      return (v) => v === false;
    case 'null':
      return (v) => v === null || v === undefined;
    case 'nonnull':
      return (v) => v !== null && v !== undefined;
    case 'istype': {
      const type = rule.value;
      return (v) => typeOf(v) === type;
    }
    case 'else':
      return 'else';
  }
}

interface CompiledRule {
  readonly test: Test | 'else';
  readonly port: string;
}

/** Routes each message to one or more named ports by testing a property against ordered rules. */
export const switchNode = defineNode({
  type: 'switch',
  version: 1,
  category: 'transform',
  icon: 'split',
  summary: 'Route messages to ports by testing a property against rules.',
  description: [
    `A switch has ${SWITCH_CASES} case ports, \`case1\` … \`case${SWITCH_CASES}\`, and \`otherwise\`. Each rule names the`,
    'port a matching message leaves by; by default the n-th rule uses `casen` and an `else` rule',
    'uses `otherwise`. Several rules may share a port (an "or"), so you can have more rules than',
    'ports. A message that matches no rule leaves by `otherwise`. Wire only the ports you use.',
    '',
    'Rules are tested in order against `property`. With `checkAll` off the first match wins; with it',
    'on the message leaves by the port of every matching rule, once per port. An `else` rule matches',
    'when no rule before it matched.',
    '',
    'Comparisons: `eq`/`neq` compare JSON values deeply, and a number equals its text ("5" eq 5);',
    '`lt`…`gte` and `between` compare numbers (numeric text counts as a number) or two texts;',
    'anything else does not match. `null` matches null or a missing property; `nonnull` the',
    'opposite. `istype` checks the JSON type (`string`, `number`, `boolean`, `array`, `object`,',
    '`null`, `undefined`, `binary`). The message passes unchanged.',
  ].join('\n'),
  inputs: { in: 'Messages to route.' },
  outputs: {
    ...Object.fromEntries(CASE_PORTS.map((p, i) => [p, `Messages matching a rule with port ${p} (by default rule ${i + 1}).`])),
    otherwise: 'Messages that matched no rule, and those of rules with port otherwise.',
  },
  config: configSchema,
  setup({ config }) {
    const rules: CompiledRule[] = config.rules.map((rule, i) => ({
      test: compileTest(rule),
      // The schema guarantees a default exists (a rule past the last case port must name one).
      port: rule.port ?? (rule.op === 'else' ? 'otherwise' : CASE_PORTS[i]!),
    }));
    return { path: parsePath(config.property), rules };
  },
  onInput(msg, ctx, { path, rules }) {
    const value = getPath(msg, path);
    let matched = false;
    const sentTo = ctx.config.checkAll ? new Set<string>() : undefined;
    for (const rule of rules) {
      const hit = rule.test === 'else' ? !matched : rule.test(value);
      if (!hit) continue;
      matched = true;
      if (!sentTo) {
        ctx.send(msg, rule.port);
        return;
      }
      if (!sentTo.has(rule.port)) {
        sentTo.add(rule.port);
        ctx.send(msg, rule.port);
      }
    }
    if (!matched) ctx.send(msg, 'otherwise');
  },
});
