import { defineNode, jsonValue, NodeError, type MessageInit, type NodeContext } from '@plantwire/node-sdk';
import { Cron } from 'croner';
import * as z from 'zod';
import { frozenCopy } from '../shared/deep-freeze.js';

/** Cron patterns with 5 fields (minute precision) or 6 (a leading seconds field). */
const CRON_MODE = '5-or-6-parts' as const;

/** setTimeout takes at most 2^31-1 ms; a cron run further away is reached in hops. */
const MAX_TIMER_MS = 2_147_483_647;

const payloadSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('number'),
      value: z.number().meta({ title: 'Number', description: 'The number to send.', examples: [42] }),
    }),
    z.strictObject({
      type: z.literal('string'),
      value: z.string().meta({ title: 'Text', description: 'The text to send.', examples: ['start'] }),
    }),
    z.strictObject({
      type: z.literal('boolean'),
      value: z.boolean().meta({ title: 'Boolean', description: 'true or false.' }),
    }),
    z.strictObject({
      type: z.literal('json'),
      value: jsonValue().meta({ title: 'JSON value', description: 'Any JSON value: object, array, number, text, boolean or null.', examples: [{ setpoint: 21.5 }] }),
    }),
    z.strictObject({ type: z.literal('timestamp') }).meta({ description: 'Milliseconds since 1970-01-01 UTC at the time of sending.' }),
    z.strictObject({ type: z.literal('date') }).meta({ description: 'The time of sending as an ISO-8601 text, e.g. "2024-05-01T12:00:00.000Z".' }),
    z.strictObject({
      type: z.literal('env'),
      value: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name is letters, digits and "_", not starting with a digit')
        .meta({ title: 'Variable', description: 'Name of the environment variable whose text is sent (document, tab or process environment).', examples: ['LINE_ID'] }),
    }),
    z.strictObject({ type: z.literal('none') }).meta({ description: 'No payload: the message carries only the topic and extra properties.' }),
  ])
  .meta({
    title: 'Payload',
    description:
      'What `payload` holds: a fixed number, text, boolean or JSON value, the current time (`timestamp` in ms, `date` as ISO text), an environment variable, or nothing.',
  });

const RESERVED_PROPERTIES = new Set(['_msgid', 'payload', 'topic']);

function checkCron(pattern: string, ctx: z.RefinementCtx): void {
  try {
    new Cron(pattern, { mode: CRON_MODE });
  } catch (err) {
    ctx.addIssue({
      code: 'custom',
      message: `invalid cron expression "${pattern}": ${(err as Error).message.replace(/^CronPattern: /, '')}; use 5 fields (minute hour day month weekday) or 6 with seconds first`,
    });
  }
}

function checkTimezone(timezone: string, ctx: z.RefinementCtx): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    ctx.addIssue({ code: 'custom', message: `unknown time zone "${timezone}"; use an IANA name such as "Europe/Berlin" or "UTC"` });
  }
}

const configSchema = z
  .strictObject({
    payload: payloadSchema.default({ type: 'timestamp' }),
    topic: z.string().optional().meta({ title: 'Topic', description: 'The `topic` of every message sent.', examples: ['line1/start'] }),
    properties: z
      .record(
        z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/, 'a property name is letters, digits, "_" or "$", not starting with a digit'),
        jsonValue(),
      )
      .default({})
      .superRefine((props, ctx) => {
        for (const key of Object.keys(props)) {
          if (RESERVED_PROPERTIES.has(key)) {
            ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is set by the payload and topic fields, not by extra properties` });
          }
        }
      })
      .meta({ title: 'Extra properties', description: 'More message properties, name → JSON value, sent with every message.', examples: [{ line: 1, unit: 'degC' }] }),
    once: z.boolean().default(false).meta({ title: 'Send once at start', description: 'Send one message after deploy, `onceDelayMs` later. A repeat, if any, starts after it.' }),
    onceDelayMs: z
      .int()
      .min(0)
      .max(MAX_TIMER_MS)
      .default(100)
      .meta({ title: 'Delay before the first message (ms)', unit: 'ms', description: 'How long after deploy the `once` message is sent.', examples: [100] }),
    intervalMs: z
      .int()
      .min(1)
      .max(MAX_TIMER_MS)
      .optional()
      .meta({ title: 'Repeat every (ms)', unit: 'ms', description: 'Send a message at this fixed interval. Leave empty for no repeat. Not together with `cron`.', examples: [1000, 60000] }),
    cron: z
      .string()
      .superRefine(checkCron)
      .optional()
      .meta({
        title: 'Cron schedule',
        description:
          'Send on a schedule: a 5-field cron expression (minute hour day-of-month month day-of-week), or 6 fields with seconds first. Nicknames such as `@hourly` work too. Not together with `intervalMs`.',
        examples: ['*/5 * * * *', '0 6 * * MON-FRI', '*/10 * * * * *'],
      }),
    timezone: z
      .string()
      .superRefine(checkTimezone)
      .optional()
      .meta({ title: 'Time zone', description: 'IANA time zone the cron schedule is read in. Default: the time zone of the machine running the flow.', examples: ['Europe/Berlin', 'UTC'] }),
  })
  .superRefine((config, ctx) => {
    if (config.intervalMs !== undefined && config.cron !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['cron'], message: 'set either intervalMs or cron, not both' });
    }
  });

type InjectConfig = z.output<typeof configSchema>;

interface InjectState {
  /** Ticks skipped because downstream was full, since deploy. */
  skipped: number;
  /** True from a refused emit until the runtime says the pressure has gone. */
  paused: boolean;
  /** One tick: send a message now, or skip and count it under backpressure. */
  fire(): void;
}

/** Makes the payload of one message; fixed values are frozen once and shared by every message. */
function payloadMaker(payload: InjectConfig['payload'], ctx: NodeContext<InjectConfig>): (() => unknown) | undefined {
  switch (payload.type) {
    case 'number':
    case 'string':
    case 'boolean':
    case 'json': {
      const value = frozenCopy(payload.value);
      return () => value;
    }
    case 'timestamp':
      return () => Date.now();
    case 'date':
      return () => new Date().toISOString();
    case 'env': {
      // Environment is fixed for the life of a deploy, so a missing variable is a deploy-time error.
      const value = ctx.env(payload.value);
      if (value === undefined) {
        throw new NodeError('CONFIG_INVALID', `environment variable "${payload.value}" (config payload.value) is not set in the document, tab or process environment`, {
          details: { field: 'payload.value', variable: payload.value },
        });
      }
      return () => value;
    }
    case 'none':
      return undefined;
  }
}

const NOTHING: Readonly<Record<string, never>> = Object.freeze({});

function isEmpty(record: Record<string, unknown>): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return false;
  return true;
}

function showSkips(ctx: NodeContext<InjectConfig>, state: InjectState): void {
  ctx.status(
    state.paused
      ? { fill: 'yellow', shape: 'ring', text: `downstream full: ${state.skipped} skipped` }
      : { fill: 'grey', shape: 'dot', text: `${state.skipped} skipped` },
  );
}

/**
 * Sends a message on start, at an interval or on a cron schedule, with a fixed or computed payload.
 * Under backpressure it skips ticks and counts them instead of queueing.
 */
export const inject = defineNode({
  type: 'inject',
  version: 1,
  category: 'source',
  icon: 'clock',
  summary: 'Send a message once at start, at an interval or on a cron schedule.',
  description: [
    'Sends a message with the configured `payload`, `topic` and extra properties:',
    '',
    '- `once`: one message `onceDelayMs` after deploy (a repeat starts after it);',
    '- `intervalMs`: every so many milliseconds;',
    '- `cron`: on a 5- or 6-field cron schedule, in `timezone` if given.',
    '',
    'Every message is a new value: `timestamp` and `date` payloads are taken when it is sent.',
    '',
    'The editor\'s "inject now" button (`runtime.trigger`) sends one message at once, as a tick would;',
    'with neither `once`, `intervalMs` nor `cron` set, the node sends only then.',
    '',
    '**Backpressure.** When the downstream queues are full, a tick is skipped, not queued: the node',
    'counts skipped ticks, shows the count in its status, and sends again once the runtime reports',
    'that the pressure has gone. Memory stays bounded however fast the node is set to fire.',
  ].join('\n'),
  outputs: { out: 'The injected message.' },
  config: configSchema,
  setup(ctx): InjectState {
    const { config } = ctx;
    const state: InjectState = { skipped: 0, paused: false, fire: () => fire() };
    const makePayload = payloadMaker(config.payload, ctx);
    // Most injects have no extra properties and no topic: one shared empty object for those,
    // instead of a structuredClone and a freeze per node (1,000 injects in a 5,000-node deploy).
    const properties = isEmpty(config.properties) ? NOTHING : frozenCopy(config.properties);
    const topic = config.topic === undefined ? NOTHING : { topic: config.topic };

    const fire = (): void => {
      if (ctx.signal.aborted) return;
      if (state.paused) {
        state.skipped++;
        showSkips(ctx, state);
        return;
      }
      const msg: MessageInit = makePayload ? { ...properties, ...topic, payload: makePayload() } : { ...properties, ...topic };
      if (!ctx.emit(msg)) {
        state.skipped++;
        state.paused = true;
        showSkips(ctx, state);
        ctx.onDrain(() => {
          state.paused = false;
          showSkips(ctx, state);
        });
      }
    };

    const startRepeat = (): void => {
      if (config.intervalMs !== undefined) ctx.setInterval(fire, config.intervalMs);
      else if (config.cron !== undefined) scheduleCron(ctx, new Cron(config.cron, { mode: CRON_MODE, timezone: config.timezone }), fire);
    };

    if (config.once) {
      ctx.setTimeout(() => {
        fire();
        startRepeat();
      }, config.onceDelayMs);
    } else {
      startRepeat();
    }
    return state;
  },
  // "Inject now": one more tick, with the same payload and the same skipping under backpressure.
  onTrigger(_ctx, state) {
    state.fire();
  },
});

/**
 * Croner only computes run times here; the timers are the runtime's (`ctx.setTimeout`), so they
 * stop when the node closes and follow fake clocks in tests.
 */
function scheduleCron(ctx: NodeContext<InjectConfig>, cron: Cron, fire: () => void, after = Date.now()): void {
  // Searching from the run just made (not only from "now") keeps a timer that fires a hair early from running twice.
  const next = cron.nextRun(new Date(Math.max(Date.now(), after)));
  if (!next || ctx.signal.aborted) return;
  const delay = next.getTime() - Date.now();
  if (delay > MAX_TIMER_MS) {
    ctx.setTimeout(() => scheduleCron(ctx, cron, fire, after), MAX_TIMER_MS);
    return;
  }
  ctx.setTimeout(() => {
    fire();
    scheduleCron(ctx, cron, fire, next.getTime());
  }, Math.max(0, delay));
}
