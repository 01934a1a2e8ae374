import { defineNode, jsonValue, NodeError, type Message } from '@plantwire/node-sdk';
import * as z from 'zod';
import { compileExpression, expressionSchema, type CompiledExpression, type ExpressionScope } from '../shared/expression.js';
import { frozenCopy } from '../shared/deep-freeze.js';
import { CopySite, copyWith } from '../shared/copy-with.js';
import { deletePath, getPath, hasPath, parsePath, setPath, type MsgPath } from '../shared/msg-path.js';
import { msgPathSchema } from '../shared/msg-path-schema.js';

const path = () =>
  msgPathSchema({
    title: 'Property',
    description: 'The message property the rule works on.',
    examples: ['payload', 'payload.temperature', 'topic'],
  });

const setRule = z
  .strictObject({
    op: z.literal('set'),
    path: path(),
    value: jsonValue().optional().meta({ title: 'Value', description: 'A fixed JSON value to set.', examples: [0, 'on', { unit: 'degC' }] }),
    from: msgPathSchema({
      title: 'From property',
      description: 'Copy the value of another message property (`undefined` when it is missing).',
      examples: ['payload.raw', 'topic'],
    }).optional(),
    expression: expressionSchema({
      title: 'JSONata expression',
      description:
        'Compute the value with a JSONata expression evaluated against the message, e.g. `payload.celsius * 9/5 + 32`. `$env("NAME")`, `$flowContext("key")` and `$globalContext("key")` read the environment and context.',
      examples: ['payload.celsius * 9/5 + 32', '$now()', '$count(payload.items)'],
    }).optional(),
  })
  .superRefine((rule, ctx) => {
    const given = (['value', 'from', 'expression'] as const).filter((key) => rule[key] !== undefined || (key === 'value' && 'value' in rule));
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: given.length === 0 ? ['value'] : [given[1]!],
        message: given.length === 0 ? 'a set rule needs one of value, from or expression' : `a set rule takes one of value, from or expression, not ${given.join(' and ')}`,
      });
    }
  })
  .meta({ title: 'Set', description: 'Set a property to a fixed value, another property\'s value, or the result of an expression.' });

const deleteRule = z
  .strictObject({ op: z.literal('delete'), path: path() })
  .meta({ title: 'Delete', description: 'Remove a property. Removing an array element moves later elements up.' });

const moveRule = z
  .strictObject({
    op: z.literal('move'),
    path: path(),
    to: msgPathSchema({ title: 'To property', description: 'Where the value goes.', examples: ['payload.data', 'topic'] }),
  })
  .meta({ title: 'Move', description: 'Move a property to another path (nothing happens when it is missing).' });

const ruleSchema = z.discriminatedUnion('op', [setRule, deleteRule, moveRule]);

const configSchema = z.strictObject({
  rules: z
    .array(ruleSchema)
    .min(1)
    .meta({ title: 'Rules', description: 'Applied in order; each rule sees the result of the ones before it.', examples: [[{ op: 'set', path: 'payload', value: 0 }]] }),
});

type Rule = z.output<typeof ruleSchema>;

/** One rule, compiled: synchronous unless it evaluates an expression. */
type Step =
  | { readonly sync: true; readonly apply: (msg: Message) => Message }
  | { readonly sync: false; readonly set: (msg: Message, value: unknown) => Message; readonly expression: CompiledExpression };

/**
 * `(msg, value) => setPath(msg, path, value)`, compiled for one rule. The common case, a top-level
 * property of a plain message (`set step = 3`), goes through the rule's own copier memo: every
 * message a rule sees has mostly the same shape, so its copy costs one `Object.keys` and a literal.
 */
function setterFor(path: MsgPath): (msg: Message, value: unknown) => Message {
  const key = path.length === 1 ? path[0] : undefined;
  // parsePath never yields __proto__, prototype or constructor, which copyWith must not be given.
  if (typeof key !== 'string') return (msg, value) => setPath(msg, path, value);
  const site = new CopySite();
  return (msg, value) => {
    const proto: unknown = Object.getPrototypeOf(msg);
    return proto === Object.prototype || proto === null ? (copyWith(msg, key, value, site) as Message) : setPath(msg, path, value);
  };
}

function describeRule(rule: Rule): string {
  return rule.op === 'move' ? `move ${rule.path} to ${rule.to}` : `${rule.op} ${rule.path}`;
}

function compileRule(rule: Rule, scope: () => ExpressionScope): Step {
  const target = parsePath(rule.path);
  switch (rule.op) {
    case 'set': {
      // The setter is made only where it is used: the common `set key = value` rule below has its
      // own, and an unused setter (a closure and a copy memo) was kept alive by the rule's closure
      // (two copy memos per change node of a 5,000-node deploy instead of one).
      if (rule.expression !== undefined) return { sync: false, set: setterFor(target), expression: compileExpression(rule.expression, scope()) };
      if (rule.from !== undefined) {
        const set = setterFor(target);
        const from = parsePath(rule.from);
        return { sync: true, apply: (msg) => set(msg, getPath(msg, from)) };
      }
      // Frozen once here, shared by every message: a set costs one shallow copy per object on the path.
      const value = frozenCopy(rule.value);
      const key = target.length === 1 ? target[0] : undefined;
      if (typeof key === 'string') {
        // The most common rule of all (`set step = 3`), without the setter's extra call.
        const site = new CopySite();
        return {
          sync: true,
          apply: (msg) => {
            const proto: unknown = Object.getPrototypeOf(msg);
            return proto === Object.prototype || proto === null ? (copyWith(msg, key, value, site) as Message) : setPath(msg, target, value);
          },
        };
      }
      const set = setterFor(target);
      return { sync: true, apply: (msg) => set(msg, value) };
    }
    case 'delete':
      return { sync: true, apply: (msg) => deletePath(msg, target) };
    case 'move': {
      const set = setterFor(parsePath(rule.to));
      return {
        sync: true,
        apply: (msg) => {
          if (!hasPath(msg, target)) return msg;
          // Delete first, then set: moving `payload` to `payload.data` nests the old payload.
          return set(deletePath(msg, target), getPath(msg, target));
        },
      };
    }
  }
}

function ruleError(err: unknown, index: number, rule: Rule): NodeError {
  const code = err instanceof NodeError ? err.code : 'NODE_FAILED';
  const reason = err instanceof Error ? err.message : String(err);
  return new NodeError(code, `rule ${index} (${describeRule(rule)}): ${reason}`, {
    cause: err,
    details: { rule: index, field: `rules[${index}]`, ...(err instanceof NodeError ? err.details : {}) },
  });
}

/** Sets, deletes and moves message properties by an ordered list of rules. */
export const change = defineNode({
  type: 'change',
  version: 1,
  category: 'transform',
  icon: 'pencil',
  summary: 'Set, delete or move message properties.',
  description: [
    'Applies its rules in order to a copy of the message; the input message is never changed, and',
    'only the objects along each rule\'s path are copied.',
    '',
    '- `set`: a fixed `value`, the value of another property (`from`), or a JSONata `expression`',
    '  evaluated against the message (`payload.celsius * 9/5 + 32`);',
    '- `delete`: remove a property (an array element is removed, later ones move up);',
    '- `move`: move a property to another path.',
    '',
    'Paths use dots and brackets: `payload.tags[3].value`. Missing objects on a set path are',
    'created. A failing expression raises `EXPRESSION_FAILED` naming the rule\'s index.',
  ].join('\n'),
  inputs: { in: 'Messages to change.' },
  outputs: { out: 'The message with the rules applied.' },
  config: configSchema,
  setup(ctx) {
    // Only expressions need a scope: made for the first one (most change nodes have none).
    let scope: ExpressionScope | undefined;
    const scopeOf = (): ExpressionScope => (scope ??= { env: (name) => ctx.env(name), flow: ctx.context.flow, global: ctx.context.global });
    const rules = ctx.config.rules;
    const steps = new Array<Step>(rules.length);
    let sync = true;
    for (let i = 0; i < rules.length; i++) {
      const step = compileRule(rules[i]!, scopeOf);
      steps[i] = step;
      if (!step.sync) sync = false;
    }
    return { steps, sync };
  },
  onInput(msg, { config }, { steps, sync }) {
    if (sync) {
      // Fast path: no expression, no promise, no allocation beyond the copies along the paths.
      let out = msg;
      for (let i = 0; i < steps.length; i++) {
        try {
          out = (steps[i] as Extract<Step, { sync: true }>).apply(out);
        } catch (err) {
          throw ruleError(err, i, config.rules[i]!);
        }
      }
      return out;
    }
    return applyAsync(msg, steps, config.rules);
  },
});

async function applyAsync(msg: Message, steps: readonly Step[], rules: readonly Rule[]): Promise<Message> {
  let out = msg;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    try {
      out = step.sync ? step.apply(out) : step.set(out, await step.expression.evaluate(out));
    } catch (err) {
      throw ruleError(err, i, rules[i]!);
    }
  }
  return out;
}
