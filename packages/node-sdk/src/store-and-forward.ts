import * as z from 'zod';

/** What a sink does with a message it cannot deliver now when its buffer is full. */
export const STORE_AND_FORWARD_OVERFLOW = ['drop-oldest', 'drop-newest'] as const;

/** How often the buffer's file is flushed to the disk itself (what survives a power cut, not only a crash). */
export const STORE_AND_FORWARD_FSYNC = ['never', 'interval', 'always'] as const;

/** Options of {@link storeAndForwardConfig}: the defaults a node type chooses. */
export interface StoreAndForwardDefaults {
  /** Whether buffering is on unless the user turns it off (default true). */
  readonly enabled?: boolean;
}

/**
 * The store-and-forward settings of a sink, as a node embeds them in its config under one field
 * (`buffer` by convention). Titles, units and descriptions live here, so the editor's form, the
 * generated docs and validation all derive from this one schema. Parse output is
 * {@link StoreAndForwardSettings}.
 *
 * @example
 * const config = z.object({ broker: connectionRef(mqttBroker), buffer: storeAndForwardConfig() });
 * export const mqttOut = defineNode({ ..., config, storeAndForward: (c) => c.buffer });
 */
export function storeAndForwardConfig(defaults: StoreAndForwardDefaults = {}) {
  return z
    .strictObject({
      enabled: z
        .boolean()
        .default(defaults.enabled ?? true)
        .meta({ title: 'Buffer while disconnected', description: 'While the connection is down, keep messages in a queue on disk (in the runtime\'s data directory) and send them when it is back.' }),
      maxMegabytes: z
        .number()
        .positive()
        .max(1_000_000)
        .default(100)
        .meta({ title: 'Buffer size (MB)', unit: 'MB', description: 'Most the buffer may hold on disk, records and their headers counted; the overflow policy applies beyond.', examples: [100] }),
      maxAgeSeconds: z
        .int()
        .min(1)
        .max(31_536_000)
        .default(604_800)
        .meta({ title: 'Maximum age (s)', unit: 's', description: 'Buffered messages older than this are dropped (and counted) instead of sent when the connection returns. Default: 7 days.', examples: [3600] }),
      overflow: z
        .enum(STORE_AND_FORWARD_OVERFLOW)
        .default('drop-oldest')
        .meta({ title: 'When the buffer is full', description: '`drop-oldest` makes room by dropping the oldest buffered message; `drop-newest` drops the message that did not fit. Both are counted.' }),
      replayRatePerSecond: z
        .int()
        .min(1)
        .max(1_000_000)
        .default(1000)
        .meta({ title: 'Replay rate (messages per second)', description: 'At most this many buffered messages per second are sent once the connection is back; live messages go on at their own pace beside them.', examples: [1000] }),
      markHistorical: z
        .boolean()
        .default(true)
        .meta({ title: 'Mark replayed messages historical', description: 'Replayed messages carry `historical: true` and `bufferedAt` (ISO time they were buffered).' }),
      fsync: z
        .enum(STORE_AND_FORWARD_FSYNC)
        .default('interval')
        .meta({
          title: 'Flush to disk',
          description: 'Every buffered message survives a crash of the runtime. Against a power cut: `always` flushes before a message counts as buffered (slowest), `interval` once a second (up to 1 s lost), `never` leaves it to the OS.',
        }),
    })
    .prefault({})
    .meta({ title: 'Store and forward', description: 'Buffering of messages while the connection is down. See docs/store-and-forward.md.' });
}

/** The parsed store-and-forward settings of a node (the output of {@link storeAndForwardConfig}). */
export type StoreAndForwardSettings = z.output<ReturnType<typeof storeAndForwardConfig>>;
