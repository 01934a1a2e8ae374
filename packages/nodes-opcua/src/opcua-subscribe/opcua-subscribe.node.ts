import { connectionRef, defineNode, NodeError, type NodeContext } from '@plantwire/node-sdk';
import type { ClientSubscription, DataValue } from 'node-opcua';
import * as z from 'zod';
import { loadOpcua } from '../load-opcua.js';
import { opcuaEndpoint } from '../opcua-endpoint/opcua-endpoint.connection.js';
import type { OpcuaEndpointClient } from '../opcua-endpoint/opcua-endpoint-client.js';
import { toTagValue } from '../tag-value.js';
import { LatestValueBuffer } from './latest-value-buffer.js';
import { PublishWatchdog } from './publish-watchdog.js';

const item = z.object({
  nodeId: z.string().min(1).meta({ title: 'Node id', browse: true, examples: ['ns=1;s=Line1.Machine1.Temperature'] }),
  name: z.string().min(1).optional().meta({ title: 'Name', description: 'The message topic; default the node id.' }),
  samplingIntervalMs: z.number().min(0).default(1000).meta({ title: 'Sampling interval (ms)', unit: 'ms', description: 'How often the server samples the value (0 = as fast as it can).' }),
  queueSize: z.int().min(1).max(10_000).default(1).meta({ title: 'Queue size', description: 'Changes the server keeps between two publishes; 1 = the latest only.' }),
  deadband: z
    .object({
      type: z.enum(['absolute', 'percent']).meta({ title: 'Deadband type', description: 'Percent is of the variable\'s EURange (AnalogItems only).' }),
      value: z.number().min(0).meta({ title: 'Deadband' }),
    })
    .optional()
    .meta({ title: 'Deadband', description: 'Report a change only when it exceeds this (numeric variables).' }),
});

const config = z.object({
  endpoint: connectionRef(opcuaEndpoint, { title: 'Endpoint' }),
  publishingIntervalMs: z.number().min(10).default(1000).meta({ title: 'Publishing interval (ms)', unit: 'ms' }),
  items: z.array(item).min(1).meta({ title: 'Monitored items' }),
  watchdogFactor: z
    .number()
    .min(1)
    .default(3)
    .meta({ title: 'Watchdog factor', description: 'The subscription is recreated after this many keep-alive periods (publishing interval × max keep-alive count) without data or keep-alive.' }),
});

type Config = z.output<typeof config>;
type Item = z.output<typeof item>;

/** Requested keep-alive count: a publish (data or keep-alive) at least every 10 publishing intervals. */
const MAX_KEEP_ALIVE_COUNT = 10;

/** One subscription and what belongs to it; replaced as a whole on reconnect or recovery. */
interface Live {
  readonly client: OpcuaEndpointClient;
  readonly subscription: ClientSubscription;
  readonly watchdog: PublishWatchdog;
  /** Set when this node ends the subscription itself, so its 'terminated' event is not taken for a failure. */
  retired: boolean;
}

interface State {
  live: Live | undefined;
  /** Increased by every (re)start; a start that finds it changed after an await gives up. */
  generation: number;
  readonly buffer: LatestValueBuffer;
  /** Subscriptions created by this node since it started (for diagnostics and tests). */
  created: number;
}

/** Items grouped by identical monitoring parameters, since one CreateMonitoredItems call carries one set of them. */
function groupByParameters(items: readonly Item[]): Item[][] {
  const groups = new Map<string, Item[]>();
  for (const it of items) {
    const key = JSON.stringify([it.samplingIntervalMs, it.queueSize, it.deadband ?? null]);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(it);
  }
  return [...groups.values()];
}

function chunk<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

async function monitoringParameters(it: Item) {
  const opcua = await loadOpcua();
  const filter = it.deadband
    ? new opcua.DataChangeFilter({
        trigger: opcua.DataChangeTrigger.StatusValue,
        deadbandType: it.deadband.type === 'absolute' ? opcua.DeadbandType.Absolute : opcua.DeadbandType.Percent,
        deadbandValue: it.deadband.value,
      })
    : null;
  return { samplingInterval: it.samplingIntervalMs, queueSize: it.queueSize, discardOldest: true, filter };
}

/**
 * Create the subscription and its monitored items on `client`. Items are created in calls of at
 * most the server's `maxMonitoredItemsPerCall`; an item the server refuses (a bad node id) is a
 * node error naming it and the status, and the other items keep working.
 */
async function subscribe(ctx: NodeContext<Config>, state: State, client: OpcuaEndpointClient): Promise<void> {
  const generation = ++state.generation;
  const previous = state.live;
  state.live = undefined;
  if (previous) {
    previous.retired = true;
    // On the same session the old subscription is still alive on the server: delete it first, so
    // exactly one is live. On an older client it died with its session (the connection disposed it).
    if (previous.client === client) await client.terminate(previous.subscription);
  }
  const opcua = await loadOpcua();
  const { items, publishingIntervalMs } = ctx.config;
  const subscription = await client.createSubscription({ publishingIntervalMs, maxKeepAliveCount: MAX_KEEP_ALIVE_COUNT, lifetimeCount: MAX_KEEP_ALIVE_COUNT * 3 });
  state.created++;
  const limitMs = PublishWatchdog.limitFor(subscription.publishingInterval, subscription.maxKeepAliveCount, ctx.config.watchdogFactor);
  const live: Live = { client, subscription, watchdog: new PublishWatchdog(limitMs), retired: false };
  if (generation !== state.generation || ctx.signal.aborted) {
    await client.terminate(subscription);
    return;
  }
  state.live = live;
  subscription.on('keepalive', () => live.watchdog.activity());
  subscription.on('received_notifications', () => live.watchdog.activity());
  subscription.on('terminated', () => {
    if (live.retired || ctx.signal.aborted || !client.isOpen || state.live !== live) return;
    ctx.log.warn('the OPC UA server ended the subscription; creating it again', { subscriptionId: subscription.subscriptionId });
    recover(ctx, state, live, 'the server ended the subscription');
  });

  const { maxMonitoredItemsPerCall } = await client.operationLimits();
  let bad = 0;
  for (const group of groupByParameters(items)) {
    const parameters = await monitoringParameters(group[0]!);
    for (const batch of chunk(group, maxMonitoredItemsPerCall)) {
      if (state.live !== live) return;
      const monitored = await subscription.monitorItems(
        batch.map((it) => ({ nodeId: it.nodeId, attributeId: opcua.AttributeIds.Value })),
        parameters,
        opcua.TimestampsToReturn.Both,
      );
      batch.forEach((it, i) => {
        const status = monitored.monitoredItems[i]?.statusCode;
        if (status && !status.isGood()) {
          bad++;
          ctx.error(
            new NodeError('SUBSCRIBE_REFUSED', `OPC UA server ${client.endpointUrl} refused to monitor "${it.nodeId}": ${status.name}`, {
              details: { connection: ctx.config.endpoint, nodeId: it.nodeId, status: status.name },
            }),
          );
        }
      });
      monitored.on('changed', (_item, dataValue: DataValue, index: number) => {
        const it = batch[index];
        if (!it || state.live !== live) return;
        live.watchdog.activity();
        const topic = it.name ?? it.nodeId;
        state.buffer.offer(it.nodeId, { topic, payload: toTagValue(dataValue), nodeId: it.nodeId });
      });
    }
  }
  const ok = items.length - bad;
  ctx.status({ fill: bad === 0 ? 'green' : 'yellow', shape: 'dot', text: `subscribed: ${ok} of ${items.length} items` });
}

/** Recreate a stalled or ended subscription on the same session, once per incident. */
function recover(ctx: NodeContext<Config>, state: State, live: Live, why: string): void {
  if (live.retired) return;
  live.retired = true;
  ctx.status({ fill: 'yellow', shape: 'ring', text: `${why}; subscribing again` });
  subscribe(ctx, state, live.client).catch((err: unknown) => {
    if (!ctx.signal.aborted && live.client.isOpen) ctx.error(new NodeError('SUBSCRIBE_REFUSED', `could not subscribe again on ${live.client.endpointUrl}: ${(err as Error).message}`, { cause: err }));
  });
}

/**
 * Subscribe to OPC UA variables and send one message per change: `topic` = the item's name (or its
 * node id), `payload` = a TagValue `{value, quality, sourceTime, serverTime, reason?}` whose quality
 * comes from the status code (Good → good, Uncertain → uncertain, Bad → bad with the status name
 * as `reason`), plus `nodeId`.
 *
 * The subscription is created in `onConnected`, so after a reconnect (a server restart) it exists
 * exactly once again: the runtime makes a new session, and the node forgets the subscription of
 * the old one. When the link drops, or the server stays silent for the endpoint's `responseTimeoutMs`
 * (a stalled link, which the connection counts as lost), every item gets one message with quality
 * `bad` (`value: null`, `reason: "not connected (…)"`), so the last good value is not taken for
 * current. A watchdog recreates a subscription that stays silent (no data, no keep-alive) for
 * `watchdogFactor × publishingInterval × maxKeepAliveCount`, with a warning and a yellow badge.
 * Under backpressure only the latest value per item waits for drain; replaced values are dropped
 * and counted (`status` text and log).
 */
export const opcuaSubscribe = defineNode({
  type: 'opcua-subscribe',
  version: 1,
  category: 'source',
  summary: 'Subscribe to OPC UA variables; one message per value change.',
  icon: 'server',
  outputs: { out: 'One message per change: topic = item name or node id, payload = TagValue.' },
  config,
  setup(ctx): State {
    const state: State = {
      live: undefined,
      generation: 0,
      created: 0,
      buffer: new LatestValueBuffer({ emit: (msg) => ctx.emit(msg), onDrain: (listener) => ctx.onDrain(listener) }),
    };
    const endpoint = ctx.connection<OpcuaEndpointClient>(ctx.config.endpoint);
    endpoint.onConnected((client) => subscribe(ctx, state, client));
    endpoint.onDisconnected((reason) => {
      // The subscription went with the session; the next onConnected makes a new one.
      state.generation++;
      const hadSubscription = state.live !== undefined;
      if (state.live) state.live.retired = true;
      state.live = undefined;
      // Report by exception goes quiet when the link drops: say once per item that its last value
      // is no longer current (quality bad), as modbus-read does on every poll while down.
      if (!hadSubscription) return;
      const sourceTime = new Date().toISOString();
      for (const it of ctx.config.items) {
        state.buffer.offer(it.nodeId, { topic: it.name ?? it.nodeId, payload: { value: null, quality: 'bad', sourceTime, reason: `not connected (${reason})` }, nodeId: it.nodeId });
      }
    });
    let reportedDrops = 0;
    // Check the watchdog at a quarter of the shortest limit a subscription can have, at least every 50 ms.
    const period = Math.max(50, Math.min(1000, (ctx.config.publishingIntervalMs * MAX_KEEP_ALIVE_COUNT) / 4));
    ctx.setInterval(() => {
      const live = state.live;
      if (live && !live.retired && live.client.isOpen && live.watchdog.stalled()) {
        ctx.log.warn('OPC UA subscription stopped publishing; creating it again', { silentMs: live.watchdog.silentMs, limitMs: live.watchdog.limitMs });
        recover(ctx, state, live, `no data or keep-alive for ${live.watchdog.silentMs} ms`);
      }
      if (state.buffer.dropped !== reportedDrops) {
        reportedDrops = state.buffer.dropped;
        ctx.log.warn('downstream is slow: older values were replaced by newer ones', { dropped: reportedDrops });
        ctx.status({ fill: 'yellow', shape: 'dot', text: `backpressure: ${reportedDrops} values coalesced` });
      }
    }, period);
    return state;
  },
  async close(_ctx, state) {
    state.buffer.close();
    const live = state.live;
    state.live = undefined;
    state.generation++;
    if (live) {
      live.retired = true;
      if (live.client.isOpen) await live.client.terminate(live.subscription);
    }
  },
});
