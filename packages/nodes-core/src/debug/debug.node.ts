import { defineNode, type NodeContext } from '@plantwire/node-sdk';
import * as z from 'zod';
import { getPath, parsePath, type MsgPath } from '../shared/msg-path.js';
import { msgPathSchema } from '../shared/msg-path-schema.js';

/** A busy wire must not turn into a status event per message; the badge refreshes at most this often. */
const STATUS_INTERVAL_MS = 250;
const STATUS_TEXT_MAX = 32;

const configSchema = z.strictObject({
  property: msgPathSchema(
    {
      title: 'Property',
      description: 'What to print: a message path such as `payload` or `payload.temperature`, or `msg` for the whole message.',
      examples: ['payload', 'payload.temperature', 'msg'],
    },
    { wholeMessage: true },
  ).default('payload'),
  active: z.boolean().default(true).meta({ title: 'Active', description: 'Print messages. When off, messages are received and dropped silently.' }),
  status: z
    .enum(['none', 'count', 'value'])
    .default('none')
    .meta({ title: 'Status badge', description: '`count`: how many messages arrived; `value`: the last printed value (shortened); `none`: no badge.' }),
});

type DebugConfig = z.output<typeof configSchema>;

interface DebugState {
  readonly path: MsgPath | undefined;
  count: number;
  last: unknown;
  /** The badge is shown at most every STATUS_INTERVAL_MS; `dirty` means a newer one is due. */
  timerArmed: boolean;
  dirty: boolean;
}

function statusText(config: DebugConfig, state: DebugState): string {
  if (config.status === 'count') return String(state.count);
  let text: string;
  try {
    text = typeof state.last === 'string' ? state.last : (JSON.stringify(state.last) ?? String(state.last));
  } catch {
    text = String(state.last);
  }
  return text.length > STATUS_TEXT_MAX ? `${text.slice(0, STATUS_TEXT_MAX - 1)}…` : text;
}

function refreshStatus(ctx: NodeContext<DebugConfig>, state: DebugState): void {
  if (state.timerArmed) {
    state.dirty = true;
    return;
  }
  ctx.status({ fill: 'grey', shape: 'dot', text: statusText(ctx.config, state) });
  state.timerArmed = true;
  state.dirty = false;
  ctx.setTimeout(() => {
    state.timerArmed = false;
    if (state.dirty) refreshStatus(ctx, state);
  }, STATUS_INTERVAL_MS);
}

/** Prints a message property (or the whole message) to the debug channel: the editor's sidebar, the CLI's output. */
export const debug = defineNode({
  type: 'debug',
  version: 1,
  category: 'sink',
  icon: 'bug',
  summary: 'Print a message property or the whole message to the debug panel.',
  description: [
    'Shows `property` of each message (`msg` for the whole message) in the editor\'s debug panel;',
    'the headless CLI writes it as a JSON line. A missing property prints as `undefined`.',
    '',
    'With `status` set, the badge under the node shows the message count or the last value,',
    `refreshed at most every ${STATUS_INTERVAL_MS} ms so a busy wire stays cheap.`,
  ].join('\n'),
  inputs: { in: 'Messages to print.' },
  outputs: {},
  config: configSchema,
  setup({ config }): DebugState {
    return {
      path: config.property === 'msg' ? undefined : parsePath(config.property),
      count: 0,
      last: undefined,
      timerArmed: false,
      dirty: false,
    };
  },
  onInput(msg, ctx, state) {
    if (!ctx.config.active) return;
    const value = state.path === undefined ? msg : getPath(msg, state.path);
    ctx.debug(value, msg);
    if (ctx.config.status !== 'none') {
      state.count++;
      state.last = value;
      refreshStatus(ctx, state);
    }
  },
});
