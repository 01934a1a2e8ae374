import { defineNode, NodeError } from '@plantwire/node-sdk';
import * as z from 'zod';
import { formatPath, getPath, hasPath, parsePath, setPath } from '../shared/msg-path.js';
import { msgPathSchema } from '../shared/msg-path-schema.js';
import { parseJsonText } from '../shared/parse-json-text.js';

const configSchema = z.strictObject({
  action: z
    .enum(['auto', 'parse', 'stringify'])
    .default('auto')
    .meta({
      title: 'Action',
      description:
        '`auto`: text (or bytes) is parsed, anything else is stringified. `parse`: text or bytes are parsed; a value that is already parsed passes unchanged. `stringify`: a value becomes JSON text; text passes unchanged.',
    }),
  property: msgPathSchema({
    title: 'Property',
    description: 'The message property to convert in place.',
    examples: ['payload', 'payload.body'],
  }).default('payload'),
  pretty: z.boolean().default(false).meta({ title: 'Pretty print', description: 'Stringify with line breaks and two-space indents.' }),
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Converts a message property between JSON text and a value. */
export const json = defineNode({
  type: 'json',
  version: 1,
  category: 'transform',
  icon: 'braces',
  summary: 'Convert a property between JSON text and a value.',
  description: [
    'Parses JSON text (or UTF-8 bytes, as MQTT delivers them) into a value, or turns a value into',
    'JSON text, at `property`. `auto` picks by the type of the property.',
    '',
    'Text that is not JSON raises `DECODE_FAILED` with the line, column and position of the first',
    'error; a missing property raises `INPUT_INVALID`; a value that cannot be written as JSON',
    '(a BigInt, a cycle) raises `ENCODE_FAILED`.',
  ].join('\n'),
  inputs: { in: 'Messages with JSON text or a value to convert.' },
  outputs: { out: 'The message with the property converted.' },
  config: configSchema,
  setup({ config }) {
    return { path: parsePath(config.property) };
  },
  onInput(msg, { config }, { path }) {
    const value = getPath(msg, path);
    const where = formatPath(path);
    if (value === undefined) {
      throw new NodeError('INPUT_INVALID', `${where} is ${hasPath(msg, path) ? 'undefined' : 'missing'}: nothing to convert`, { details: { property: where } });
    }
    const isText = typeof value === 'string';
    const isBytes = value instanceof Uint8Array;
    const parse = config.action === 'parse' || (config.action === 'auto' && (isText || isBytes));
    if (parse) {
      if (!isText && !isBytes) return msg; // already a value
      let text: string;
      try {
        text = isText ? value : utf8.decode(value);
      } catch (err) {
        throw new NodeError('DECODE_FAILED', `cannot parse ${where} as JSON: the bytes are not valid UTF-8`, { cause: err, details: { property: where } });
      }
      const result = parseJsonText(text);
      if (!result.ok) {
        throw new NodeError('DECODE_FAILED', `cannot parse ${where} as JSON: ${result.error}`, {
          details: { property: where, position: result.position, line: result.line, column: result.column, excerpt: result.excerpt },
        });
      }
      return setPath(msg, path, result.value);
    }
    if (isText) return msg; // text is taken to be JSON already
    let text: string | undefined;
    try {
      text = JSON.stringify(value, null, config.pretty ? 2 : undefined);
    } catch (err) {
      throw new NodeError('ENCODE_FAILED', `cannot write ${where} as JSON: ${(err as Error).message}`, { cause: err, details: { property: where } });
    }
    if (text === undefined) {
      throw new NodeError('ENCODE_FAILED', `cannot write ${where} as JSON: a ${typeof value} has no JSON form`, { details: { property: where } });
    }
    return setPath(msg, path, text);
  },
});
