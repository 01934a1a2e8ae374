/**
 * The simulated plant's OPC UA server with N extra variables, in its own process for
 * bench/protocols/opcua-subscribe.ts (so it never shares an event loop with the client).
 *
 *   node --import tsx opcua-sim-child.ts '{"count":10000,"periodMs":100,"dataDir":"…","maxNotificationsPerPublish":10000}'
 *
 * Prints "READY <endpointUrl>" once the server listens. Then answers lines on stdin:
 *   "stats"  → "STATS {json}" (counters below, cumulative since start)
 *   "freeze" → stops sampling (no new values are queued; queued ones are still published) → "FROZEN"
 * and exits when stdin closes.
 *
 * The counters come from wrapping node-opcua's server classes in this process (the bench's own
 * instrumentation; the plant is unchanged): monitored items started, values queued for the client
 * (sampled changes), values discarded by a full monitored-item queue (overflow), and data change
 * notifications sent in publish responses.
 */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startPlant } from '../../../packages/sim/src/index.js';

const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const request = JSON.parse(process.argv[2] ?? '{}') as { count: number; periodMs: number; dataDir: string; maxNotificationsPerPublish?: number };

interface Proto {
  prototype: Record<string, unknown>;
}
// The same node-opcua instance the plant imports (resolved from packages/sim).
const opcua = createRequire(join(repoDir, 'packages', 'sim', 'package.json'))('node-opcua') as { MonitoredItem: Proto; Subscription: Proto & { maxNotificationPerPublishHighLimit: number } };
// The server's cap on notifications per publish response (node-opcua's default is 1,000).
if (request.maxNotificationsPerPublish) opcua.Subscription.maxNotificationPerPublishHighLimit = request.maxNotificationsPerPublish;

const counters = { itemsStarted: 0, queued: 0, overflows: 0, sent: 0, publishes: 0 };
let frozen = false;

/** Wrap a prototype method: `before` runs first and may veto the call by returning false. */
function wrap(cls: Proto, name: string, before: (self: unknown, args: unknown[]) => boolean | void): void {
  const original = cls.prototype[name];
  if (typeof original !== 'function') throw new Error(`node-opcua has no ${name}() to instrument; the bench needs updating for this node-opcua version`);
  cls.prototype[name] = function (this: unknown, ...args: unknown[]) {
    if (before(this, args) === false) return undefined;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
}

wrap(opcua.MonitoredItem, '_start_sampling', () => void counters.itemsStarted++);
wrap(opcua.MonitoredItem, '_on_sampling_timer', () => !frozen);
wrap(opcua.MonitoredItem, '_enqueue_notification', () => void counters.queued++);
wrap(opcua.MonitoredItem, '_setOverflowBit', () => void counters.overflows++);
wrap(opcua.Subscription, '_updateCounters', (_self, [message]) => {
  counters.publishes++;
  for (const data of (message as { notificationData?: Array<{ monitoredItems?: unknown[] }> }).notificationData ?? []) counters.sent += data.monitoredItems?.length ?? 0;
});

const plant = await startPlant({
  servers: ['opcua'],
  ports: { opcua: 0 },
  dataDir: request.dataDir,
  opcuaExtraVariables: { count: request.count, periodMs: request.periodMs },
});
process.stdout.write(`READY ${plant.endpoints.opcua}\n`);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const command = line.trim();
  if (command === 'stats') process.stdout.write(`STATS ${JSON.stringify({ ...counters, t: performance.now() })}\n`);
  if (command === 'freeze') {
    frozen = true;
    process.stdout.write('FROZEN\n');
  }
});
lines.on('close', () => {
  void plant.stop().finally(() => process.exit(0));
});
