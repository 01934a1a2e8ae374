import { Buffer } from 'node:buffer';
import { defineNode, NodeError, type Message, type MessageInit, type NodeContext } from '@plantwire/node-sdk';
import * as z from 'zod';
import { getPath, hasPath, parsePath, setPath, type MsgPath } from '../shared/msg-path.js';
import { msgPathSchema } from '../shared/msg-path-schema.js';

const joinConfig = z
  .strictObject({
    mode: z.enum(['auto', 'manual']).default('auto').meta({
      title: 'Mode',
      description:
        'auto: rebuild what a split node split, using each message\'s `parts` (array, object, string or binary data, in index order). manual: collect messages into the shape chosen in Build.',
      examples: ['auto', 'manual'],
    }),
    build: z.enum(['array', 'object', 'string', 'merged', 'buffer']).default('array').meta({
      title: 'Build',
      description:
        'Manual mode: array of the values; object keyed by Key property (topic by default); string of the values with Joiner between them; merged: one object with the keys of every value (later values win); buffer: the binary values concatenated.',
      examples: ['array', 'object'],
    }),
    property: msgPathSchema({
      title: 'Property',
      description: 'Manual mode: the message property collected from each message and set to the result on the output.',
      examples: ['payload', 'payload.value'],
    }).default('payload'),
    keyProperty: msgPathSchema({
      title: 'Key property',
      description: 'Manual mode, build object: the message property whose value is the key.',
      examples: ['topic'],
    }).default('topic'),
    joiner: z.string().default('\n').meta({
      title: 'Joiner',
      description: 'Manual mode, build string: the text put between the values.',
      examples: ['\n', ','],
    }),
    count: z.int().min(0).max(1_000_000).default(0).meta({
      title: 'Count',
      description: 'Manual mode: send the result after this many messages; 0 waits for the timeout or a message with `msg.complete`.',
      examples: [10],
    }),
    timeoutMs: z.int().min(0).max(24 * 60 * 60 * 1000).default(0).meta({
      title: 'Timeout (ms)',
      unit: 'ms',
      description: 'Send what has been collected this long after the first message of a group, complete or not; 0 means no timeout.',
      examples: [5000],
    }),
    maxGroups: z.int().min(1).max(100_000).default(100).meta({
      title: 'Max open groups',
      description: 'Auto mode: how many incomplete groups are kept at once. When a new group would exceed it, the oldest is sent incomplete and a warning is logged.',
      examples: [100],
    }),
    maxGroupSize: z.int().min(1).max(1_000_000).default(10000).meta({
      title: 'Max group size',
      description: 'A group that reaches this many messages is sent at once, so one group can never fill memory.',
      examples: [10000],
    }),
  })
  .meta({ title: 'Join', description: 'How messages are collected and when the result is sent.' });

type JoinConfig = z.output<typeof joinConfig>;

/** What a part carries, read from `msg.parts` (auto mode) and checked. */
interface PartInfo {
  readonly id: string;
  readonly index: number;
  readonly count: number | undefined;
  readonly type: string;
  readonly ch: string | undefined;
  readonly key: string | undefined;
  readonly len: number | undefined;
  readonly property: string;
  readonly parent: unknown;
}

interface Entry {
  readonly value: unknown;
  readonly key: string | undefined;
}

interface Group {
  readonly id: string;
  /** By `parts.index` (auto mode) or arrival number (manual mode); a Map so a huge index costs nothing. */
  readonly entries: Map<number, Entry>;
  received: number;
  expected: number | undefined;
  info: PartInfo | undefined;
  last: Message;
  cancelTimer: (() => void) | undefined;
}

interface JoinState {
  readonly property: MsgPath;
  readonly keyProperty: MsgPath;
  /** Open groups, oldest first. Manual mode uses the single group ''. */
  readonly groups: Map<string, Group>;
}

const MANUAL_GROUP = '';

function invalidParts(reason: string, parts: unknown): NodeError {
  return new NodeError('INPUT_INVALID', `join in auto mode needs msg.parts as set by a split node: ${reason}`, { details: { parts } });
}

function readParts(msg: Message): PartInfo {
  const parts = msg['parts'];
  if (typeof parts !== 'object' || parts === null) throw invalidParts('the message has no msg.parts', parts);
  const p = parts as Record<string, unknown>;
  if (typeof p['id'] !== 'string' && typeof p['id'] !== 'number') throw invalidParts('parts.id is missing', parts);
  if (!Number.isInteger(p['index']) || (p['index'] as number) < 0) throw invalidParts('parts.index is not an index', parts);
  const count = p['count'];
  if (count !== undefined && (!Number.isInteger(count) || (count as number) < 1)) throw invalidParts('parts.count is not a positive integer', parts);
  return {
    id: String(p['id']),
    index: p['index'] as number,
    count: count as number | undefined,
    type: typeof p['type'] === 'string' ? p['type'] : 'array',
    ch: typeof p['ch'] === 'string' ? p['ch'] : undefined,
    key: typeof p['key'] === 'string' ? p['key'] : undefined,
    len: typeof p['len'] === 'number' ? p['len'] : undefined,
    property: typeof p['property'] === 'string' ? p['property'] : 'payload',
    parent: p['parts'],
  };
}

const asText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');

function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new NodeError('INPUT_INVALID', 'join building binary data needs every value to be binary data', { details: { value } });
}

/** Reject a value the group could not be built from when it arrives, so one bad message fails alone and its group lives on. */
function checkValue(build: string, value: unknown): void {
  if (build === 'buffer') asBytes(value);
  if (build === 'merged' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new NodeError('INPUT_INVALID', 'join building a merged object needs every value to be an object', { details: { value } });
  }
}

function assemble(type: string, entries: readonly Entry[], separator: string | undefined, flatten: boolean): unknown {
  switch (type) {
    case 'object':
      return Object.fromEntries(entries.map((e) => [e.key ?? '', e.value]));
    case 'string':
      return entries.map((e) => asText(e.value)).join(separator ?? '');
    case 'buffer': {
      const pieces = entries.map((e) => asBytes(e.value));
      if (!separator) return Buffer.concat(pieces);
      const sep = Buffer.from(separator);
      return Buffer.concat(pieces.flatMap((piece, i) => (i === 0 ? [piece] : [sep, piece])));
    }
    case 'merged': {
      const merged: Record<string, unknown> = {};
      for (const e of entries) {
        if (typeof e.value !== 'object' || e.value === null || Array.isArray(e.value)) {
          throw new NodeError('INPUT_INVALID', 'join building a merged object needs every value to be an object', { details: { value: e.value } });
        }
        Object.assign(merged, e.value);
      }
      return merged;
    }
    default:
      return flatten ? entries.flatMap((e) => (Array.isArray(e.value) ? e.value : [e.value])) : entries.map((e) => e.value);
  }
}

/** The message a finished group becomes: the last message's other properties, the result in place. */
function finish(group: Group, config: JoinConfig, state: JoinState): MessageInit {
  const entries = [...group.entries.keys()].sort((a, b) => a - b).map((index) => group.entries.get(index)!);
  const { _msgid, parts, complete, reset, ...rest } = group.last;
  if (group.info) {
    const info = group.info;
    const result = assemble(info.type, entries, info.ch, info.type === 'array' && info.len !== undefined && info.len > 1);
    const base = info.parent === undefined ? rest : { ...rest, parts: info.parent };
    return setPath(base, info.property, result);
  }
  return setPath(rest, state.property, assemble(config.build, entries, config.joiner, false));
}

function closeGroup(group: Group, state: JoinState): void {
  group.cancelTimer?.();
  group.cancelTimer = undefined;
  state.groups.delete(group.id);
}

/** Send a group outside the message that completed it (timeout, eviction): a failure is this node's error, addressed to the group's last message. */
function sendSafely(group: Group, ctx: NodeContext<JoinConfig>, state: JoinState, send: (msg: MessageInit) => unknown): void {
  let out: MessageInit;
  try {
    out = finish(group, ctx.config, state);
  } catch (err) {
    ctx.error(err, group.last);
    return;
  }
  send(out);
}

function openGroup(id: string, msg: Message, ctx: NodeContext<JoinConfig>, state: JoinState): Group {
  const existing = state.groups.get(id);
  if (existing) return existing;
  if (state.groups.size >= ctx.config.maxGroups) {
    const oldest = state.groups.values().next().value!;
    closeGroup(oldest, state);
    ctx.log.warn(`more than ${ctx.config.maxGroups} groups open; sent group ${oldest.id} incomplete (${oldest.received} message(s))`, {
      group: oldest.id,
      received: oldest.received,
      expected: oldest.expected,
    });
    sendSafely(oldest, ctx, state, (m) => ctx.send(m));
  }
  const group: Group = { id, entries: new Map(), received: 0, expected: undefined, info: undefined, last: msg, cancelTimer: undefined };
  state.groups.set(id, group);
  if (ctx.config.timeoutMs > 0) {
    group.cancelTimer = ctx.setTimeout(() => {
      group.cancelTimer = undefined;
      if (state.groups.get(id) !== group) return;
      closeGroup(group, state);
      sendSafely(group, ctx, state, (m) => ctx.emit(m));
    }, ctx.config.timeoutMs);
  }
  return group;
}

/**
 * Join: rebuild what a split node split (auto mode, from `msg.parts`), or collect messages into an
 * array, object, string, merged object or binary data (manual mode), sent on a count, a timeout
 * or `msg.complete`. Open groups are bounded in number and size.
 */
export const join = defineNode({
  type: 'join',
  version: 1,
  category: 'transform',
  icon: 'join',
  summary: 'Join a sequence of messages into one: rebuild a split, or collect into an array, object or string.',
  description: [
    '**auto** mode rebuilds the value a split node split, from each message\'s `parts`: an array, an',
    'object, a string (with the separator put back) or binary data, in index order, sent as soon as every',
    'part has arrived. Groups of nested splits join back one level at a time.',
    '',
    '**manual** mode collects **Property** of each message into the shape chosen in **Build**, and sends',
    'it after **Count** messages, after **Timeout** or when a message with `msg.complete` set arrives',
    '(its own value is included if it has one).',
    '',
    'The output message keeps the other properties of the last message received. A message with',
    '`msg.reset` set drops its group (in auto mode the group of its `parts.id`, or all groups) without',
    'sending it. A group that times out is sent incomplete. At most **Max open groups** groups of at most',
    '**Max group size** messages are kept, so memory stays bounded.',
  ].join('\n'),
  inputs: { in: 'Parts from a split node (auto) or any messages (manual); `msg.complete`, `msg.reset`.' },
  outputs: { out: 'The joined message.' },
  config: joinConfig,
  setup(ctx): JoinState {
    return { property: parsePath(ctx.config.property), keyProperty: parsePath(ctx.config.keyProperty), groups: new Map() };
  },
  onInput(msg, ctx, state) {
    const { config } = ctx;
    const auto = config.mode === 'auto';

    if (msg['reset'] !== undefined) {
      const parts = msg['parts'] as { id?: unknown } | undefined;
      const id = auto ? (parts?.id === undefined ? undefined : String(parts.id)) : MANUAL_GROUP;
      for (const group of [...state.groups.values()]) if (id === undefined || group.id === id) closeGroup(group, state);
      return;
    }
    const completing = msg['complete'] !== undefined;
    if (completing && !auto && !hasPath(msg, state.property)) {
      const group = state.groups.get(MANUAL_GROUP);
      if (!group || group.received === 0) return;
      closeGroup(group, state);
      return finish(group, config, state);
    }

    let group: Group;
    if (auto) {
      const info = readParts(msg);
      const value = getPath(msg, info.property);
      checkValue(info.type, value);
      group = openGroup(info.id, msg, ctx, state);
      group.info = info;
      if (info.count !== undefined) group.expected = info.count;
      if (!group.entries.has(info.index)) group.received++;
      group.entries.set(info.index, { value, key: info.key });
    } else {
      let key: string | undefined;
      if (config.build === 'object') {
        const k = getPath(msg, state.keyProperty);
        if (typeof k !== 'string' && typeof k !== 'number') {
          throw new NodeError('INPUT_INVALID', `join building an object needs a key at ${config.keyProperty} (a string or number)`, {
            details: { keyProperty: config.keyProperty, value: k },
          });
        }
        key = String(k);
      }
      const value = getPath(msg, state.property);
      checkValue(config.build, value);
      group = openGroup(MANUAL_GROUP, msg, ctx, state);
      group.entries.set(group.received, { value, key });
      group.received++;
      if (config.count > 0) group.expected = config.count;
    }
    group.last = msg;

    const done =
      completing ||
      group.received >= config.maxGroupSize ||
      (group.expected !== undefined && group.received >= group.expected);
    if (!done) return;
    closeGroup(group, state);
    return finish(group, config, state);
  },
  close(ctx, state) {
    const open = [...state.groups.values()];
    for (const group of open) closeGroup(group, state);
    const messages = open.reduce((n, g) => n + g.received, 0);
    if (messages > 0) ctx.log.warn(`closed with ${open.length} incomplete group(s) of ${messages} message(s); they were dropped`, { groups: open.length, dropped: messages });
  },
});
