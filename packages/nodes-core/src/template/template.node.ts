import { defineNode, NodeError, type ContextStore, type Message } from '@plantwire/node-sdk';
import Mustache from 'mustache';
import * as z from 'zod';
import { parsePath, setPath } from '../shared/msg-path.js';
import { msgPathSchema } from '../shared/msg-path-schema.js';
import { parseJsonText } from '../shared/parse-json-text.js';

/** Names a template uses to reach beyond the message, as in Node-RED. */
const SCOPES = ['env', 'flow', 'global'] as const;

const configSchema = z.strictObject({
  template: z
    .string()
    .superRefine((template, ctx) => {
      try {
        Mustache.parse(template);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `invalid mustache template: ${(err as Error).message}` });
      }
    })
    .meta({
      title: 'Template',
      language: 'mustache',
      description:
        'A mustache template rendered with the message as its view: `{{payload}}`, `{{payload.temperature}}`, `{{#payload.items}}…{{/payload.items}}`. `{{env.NAME}}`, `{{flow.key}}` and `{{global.key}}` read the environment and context.',
      examples: ['Temperature on {{topic}} is {{payload.temperature}} °C', '{"line": "{{env.LINE_ID}}", "value": {{payload}}}'],
    }),
  property: msgPathSchema({
    title: 'Output property',
    description: 'Where the result goes.',
    examples: ['payload', 'payload.text'],
  }).default('payload'),
  output: z
    .enum(['text', 'json'])
    .default('text')
    .meta({ title: 'Output', description: '`text`: the rendered text; `json`: the rendered text parsed as JSON (a parse error is a `DECODE_FAILED` node error).' }),
  escapeHtml: z
    .boolean()
    .default(false)
    .meta({
      title: 'Escape HTML',
      description: 'Escape `& < > " \'` in `{{name}}` values, for HTML output. Off by default since integration output is text or JSON. `{{{name}}}` never escapes.',
    }),
});

/** Reads an environment variable or context key as a mustache view property. */
function lookupView(has: (key: string) => boolean, get: (key: string) => unknown): object {
  return new Proxy(Object.create(null) as object, {
    has: (_, key) => typeof key === 'string' && has(key),
    get: (_, key) => (typeof key === 'string' ? get(key) : undefined),
  });
}

const contextView = (store: ContextStore) => lookupView((k) => store.get(k) !== undefined, (k) => store.get(k));

/** Objects and arrays render as JSON, not "[object Object]"; integration templates build JSON and text. */
function renderValue(value: unknown): string {
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) return JSON.stringify(value);
  return String(value);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '/': '&#x2F;', '`': '&#x60;', '=': '&#x3D;' };
const escapeHtml = (text: string) => text.replace(/[&<>"'`=/]/g, (c) => HTML_ESCAPES[c]!);

/** Which of env/flow/global the template names, found once at setup so plain templates render the message directly. */
function scopesUsed(tokens: unknown[]): Set<string> {
  const used = new Set<string>();
  const walk = (list: unknown[]) => {
    for (const token of list as Array<[string, string, number, number, unknown[]?]>) {
      const [kind, name] = token;
      if (kind === 'name' || kind === '&' || kind === '#' || kind === '^') {
        const head = name.split('.')[0]!;
        if ((SCOPES as readonly string[]).includes(head)) used.add(head);
      }
      if (Array.isArray(token[4])) walk(token[4]);
    }
  };
  walk(tokens);
  return used;
}

/** Renders a mustache template against the message, as text or parsed JSON. */
export const template = defineNode({
  type: 'template',
  version: 1,
  category: 'transform',
  icon: 'file-text',
  summary: 'Render a mustache template with the message, as text or JSON.',
  description: [
    'Renders `template` with the message as the mustache view and puts the result at `property`.',
    'Objects and arrays render as JSON, so `{"reading": {{payload}}}` embeds an object as is.',
    '`{{env.NAME}}`, `{{flow.key}}` and `{{global.key}}` read environment variables and the flow',
    'and global context (they take precedence over message properties of those names).',
    '',
    'HTML escaping is off unless `escapeHtml` is set (Node-RED escapes by default). With `output:',
    'json` the rendered text is parsed; a template error shows when the config is validated, a',
    'JSON error per message as `DECODE_FAILED` with its position.',
  ].join('\n'),
  inputs: { in: 'Messages to render the template with.' },
  outputs: { out: 'The message with the rendered result at the output property.' },
  config: configSchema,
  setup(ctx) {
    const { config } = ctx;
    // A writer of its own: its cache and its unescaped-value rendering do not leak into other users of mustache.
    const writer = new Mustache.Writer();
    writer.unescapedValue = (token, context) => {
      const value: unknown = context.lookup(token[1]!);
      return value == null ? (undefined as unknown as string) : renderValue(value);
    };
    const tokens = writer.parse(config.template) as unknown[];
    const used = scopesUsed(tokens);
    const scopes: Record<string, object> = {};
    if (used.has('env')) scopes['env'] = lookupView((k) => ctx.env(k) !== undefined, (k) => ctx.env(k));
    if (used.has('flow')) scopes['flow'] = contextView(ctx.context.flow);
    if (used.has('global')) scopes['global'] = contextView(ctx.context.global);
    const escape = config.escapeHtml ? (v: unknown) => escapeHtml(renderValue(v)) : renderValue;
    const render = used.size === 0 ? (msg: Message) => writer.render(config.template, msg, undefined, { escape }) : (msg: Message) => writer.render(config.template, { ...msg, ...scopes }, undefined, { escape });
    return { render, path: parsePath(config.property) };
  },
  onInput(msg, { config }, { render, path }) {
    const text = render(msg);
    if (config.output === 'text') return setPath(msg, path, text);
    const parsed = parseJsonText(text);
    if (!parsed.ok) {
      throw new NodeError('DECODE_FAILED', `the rendered template is not valid JSON: ${parsed.error}`, {
        details: { position: parsed.position, line: parsed.line, column: parsed.column, excerpt: parsed.excerpt },
      });
    }
    return setPath(msg, path, parsed.value);
  },
});
