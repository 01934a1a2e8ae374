import { defineNode, type Message, type MessageInit } from '@plantwire/node-sdk';
import * as z from 'zod';
import { getPath, parsePath, setPath, type MsgPath } from '../shared/msg-path.js';
import { msgPathSchema } from '../shared/msg-path-schema.js';

/**
 * The sequence information a split node puts on each part, in Node-RED's shape, so a join node in
 * auto mode (Plantwire's or Node-RED's) can rebuild the original value. `parts` of a message that
 * was already a part is kept under `parts.parts`, so nested splits join back level by level.
 */
export interface MessageParts {
  /** The same for every part of one split: the `_msgid` of the message that was split. */
  readonly id: string;
  readonly index: number;
  readonly count: number;
  readonly type: 'array' | 'object' | 'string' | 'buffer';
  /** Strings: the separator that was removed between parts. */
  readonly ch?: string;
  /** Objects: the key this part's value had. */
  readonly key?: string;
  /** Arrays and buffers split into chunks: the chunk size. */
  readonly len?: number;
  /** The property that was split, when it is not `payload`. */
  readonly property?: string;
  readonly parts?: unknown;
}

const splitConfig = z
  .strictObject({
    property: msgPathSchema({
      title: 'Property',
      description: 'The message property to split. Each part carries its piece in the same property.',
      examples: ['payload', 'payload.rows'],
    }).default('payload'),
    separator: z.string().default('\n').meta({
      title: 'String separator',
      description: 'Strings are split at this text (removed from the parts). Empty: one part per character.',
      examples: ['\n', ',', ';'],
    }),
    arrayChunkSize: z.int().min(1).max(1_000_000).default(1).meta({
      title: 'Array chunk size',
      description: 'Arrays are split into chunks of this many elements; 1 sends each element on its own.',
      examples: [1, 100],
    }),
    bufferChunkSize: z.int().min(1).max(1_000_000_000).default(1).meta({
      title: 'Buffer chunk size',
      description: 'Binary data is split into chunks of this many bytes (the last one may be shorter).',
      examples: [2, 1024],
    }),
    keyProperty: msgPathSchema({
      title: 'Key property',
      description: 'Objects: also copy each part\'s key into this message property (e.g. topic). Leave unset to only set `parts.key`.',
      examples: ['topic'],
    }).optional(),
  })
  .meta({ title: 'Split', description: 'How arrays, objects, strings and binary data are split.' });

interface SplitState {
  readonly property: MsgPath;
  readonly keyProperty: MsgPath | undefined;
}

function chunks<T extends { length: number; slice(start: number, end: number): T }>(value: T, size: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < value.length; i += size) out.push(value.slice(i, i + size));
  return out;
}

/**
 * Split: one message in, one message per element (array), key (object), piece of text (string)
 * or chunk of bytes (binary) out, each with `parts` set so a join node can rebuild the whole.
 */
export const split = defineNode({
  type: 'split',
  version: 1,
  category: 'transform',
  icon: 'split',
  summary: 'Split an array, object, string or binary payload into one message per part.',
  description: [
    '- **array**: one message per element (or per chunk of **Array chunk size** elements);',
    '- **object**: one message per key, the key in `parts.key` (and optionally in **Key property**);',
    '- **string**: one message per piece between **String separator**s;',
    '- **binary data**: one message per chunk of **Buffer chunk size** bytes.',
    '',
    'Each part is a new message with the other properties of the original and',
    '`parts: {id, index, count, type, ch?, key?, len?}` (the Node-RED shape), so a **join** node in auto',
    'mode rebuilds the original. Any other value (number, boolean, null) passes through unchanged.',
    'An empty array, object or buffer produces no message.',
  ].join('\n'),
  inputs: { in: 'A message whose property (payload by default) is to be split.' },
  outputs: { out: 'One message per part, with `parts` set.' },
  config: splitConfig,
  setup(ctx): SplitState {
    const { property, keyProperty } = ctx.config;
    return { property: parsePath(property), keyProperty: keyProperty ? parsePath(keyProperty) : undefined };
  },
  onInput(msg, { config }, state) {
    const value = getPath(msg, state.property);
    const { _msgid: id, ...rest } = msg;
    const base: Omit<Message, '_msgid'> = rest;
    const shared = {
      id,
      ...(config.property === 'payload' ? {} : { property: config.property }),
      ...(msg['parts'] === undefined ? {} : { parts: msg['parts'] }),
    };
    const part = (piece: unknown, index: number, count: number, extra: Omit<MessageParts, 'id' | 'index' | 'count' | 'parts' | 'property'>): MessageInit => {
      const parts: MessageParts = { ...shared, index, count, ...extra };
      return setPath({ ...base, parts }, state.property, piece);
    };

    if (Array.isArray(value)) {
      const size = config.arrayChunkSize;
      const pieces = size === 1 ? value : chunks(value, size);
      return pieces.map((piece, i) => part(piece, i, pieces.length, size === 1 ? { type: 'array' } : { type: 'array', len: size }));
    }
    if (typeof value === 'string') {
      const pieces = value.split(config.separator);
      return pieces.map((piece, i) => part(piece, i, pieces.length, { type: 'string', ch: config.separator }));
    }
    if (value instanceof Uint8Array) {
      const pieces = chunks(value, config.bufferChunkSize);
      return pieces.map((piece, i) => part(piece, i, pieces.length, { type: 'buffer', len: config.bufferChunkSize }));
    }
    if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
      const entries = Object.entries(value);
      return entries.map(([key, piece], i) => {
        const out = part(piece, i, entries.length, { type: 'object', key });
        return state.keyProperty ? setPath(out, state.keyProperty, key) : out;
      });
    }
    return msg;
  },
});
