import { expect, it } from 'vitest';
import { counter } from '../support/metrics.js';
import { startMosquitto } from '../support/mosquitto.js';
import { countingSubscriber, startSteadyPublisher } from '../support/mqtt-counter.js';
import { reportCase } from '../support/report.js';
import { startRuntime, type RuntimeProcess } from '../support/runtime-process.js';
import { holdFault, waitFor } from '../support/wait.js';

/** The fault: how long mosquitto stays stopped (SIGTERM; it keeps its queues on disk). */
const BROKER_OUTAGE_MS = 30_000;
/** Steady publish rate of the input, messages per second. */
const RATE_PER_S = 50;
/** Every acknowledged message must reach the receiver within this after the fault is over. */
const DELIVERY_BOUND_MS = 60_000;
/** How many messages pass end to end before the fault (steady state), and after it. */
const BEFORE = 100;

/**
 * mqtt-in (QoS 1, acknowledged after delivery) → mqtt-out (QoS 1, store-and-forward on), each on
 * a persistent session with a fixed client id, as docs/delivery-guarantees.md asks for
 * at-least-once.
 */
function relayFlow(inUrl: string, outUrl: string) {
  return {
    version: 1,
    name: 'faults: QoS 1 relay',
    connections: [
      { id: 'source', type: 'mqtt-broker', config: { url: inUrl, clientId: 'plantwire-faults-relay-in', cleanStart: false, keepalive: 2 } },
      { id: 'sink', type: 'mqtt-broker', config: { url: outUrl, clientId: 'plantwire-faults-relay-out', cleanStart: false, keepalive: 2 } },
    ],
    nodes: [
      { id: 'in', type: 'mqtt-in', config: { broker: 'source', topic: 'faults/relay/in', qos: 1 } },
      { id: 'out', type: 'mqtt-out', config: { broker: 'sink', topic: 'faults/relay/out', qos: 1 } },
    ],
    wires: [{ from: { node: 'in', port: 'out' }, to: { node: 'out', port: 'in' } }],
  };
}

function missing(acked: ReadonlySet<number>, seen: ReadonlySet<number>): number {
  let n = 0;
  for (const seq of acked) if (!seen.has(seq)) n++;
  return n;
}

/**
 * Case 5: zero loss end to end through broker outages and a crash, with store-and-forward. Not
 * registered in faults.test.ts yet: against the at-least-once and store-and-forward work in
 * progress both cases stall or lose messages after the restart (docs/faults.md#findings).
 */
export function endToEndLossCases(): void {
  it(`5a. mosquitto stopped ${BROKER_OUTAGE_MS / 1000} s mid-stream of QoS 1 (mqtt-in → mqtt-out): restarted, zero loss end to end`, async () => {
    const broker = await startMosquitto({ persistence: true, maxQueuedMessages: 0 });
    let runtime: RuntimeProcess | undefined;
    const receiver = await countingSubscriber(broker.url, 'faults/relay/out', 1, { clientId: 'faults-relay-receiver', clean: false });
    const publisher = await startSteadyPublisher(broker.url, 'faults/relay/in', RATE_PER_S);
    try {
      runtime = await startRuntime(relayFlow(broker.url, broker.url));
      await waitFor(`${BEFORE} messages end to end`, () => receiver.seen.size >= BEFORE, { timeoutMs: 30_000 });
      await broker.stop();
      await holdFault(BROKER_OUTAGE_MS);
      const bufferedAtRestart = counter(await runtime.metrics(), 'buffer_messages', 'out');
      await broker.start();
      const upAt = Date.now();
      const seenAtRestart = receiver.seen.size;
      await waitFor(`${BEFORE} more messages after the restart`, () => receiver.seen.size >= seenAtRestart + BEFORE, { timeoutMs: DELIVERY_BOUND_MS });
      await publisher.stop();
      await waitFor('every acknowledged message at the receiver', () => missing(publisher.acked, receiver.seen) === 0, { timeoutMs: DELIVERY_BOUND_MS }).catch(() => undefined);
      const lost = missing(publisher.acked, receiver.seen);
      reportCase('broker-outage-qos1', {
        sent: publisher.acked.size,
        arrived: receiver.seen.size,
        lost,
        peakMb: await runtime.peakRssMb(),
        outageMs: BROKER_OUTAGE_MS,
        bufferedAtRestart,
        recoveredAfterMs: Date.now() - upAt,
        duplicates: receiver.received - receiver.seen.size,
      });
      expect(lost).toBe(0);
      expect(runtime.alive()).toBe(true);
      expect(await runtime.stop()).toBe(0);
    } finally {
      await publisher.stop().catch(() => undefined);
      await receiver.close().catch(() => undefined);
      await runtime?.cleanUp();
      await broker.dispose();
    }
  }, BROKER_OUTAGE_MS + 3 * DELIVERY_BOUND_MS);

  it('5b. runtime SIGKILLed with messages in store-and-forward, restarted on the same data dir: they are delivered, zero loss', async () => {
    const input = await startMosquitto({ persistence: true, maxQueuedMessages: 0 });
    const output = await startMosquitto({ persistence: true, maxQueuedMessages: 0 });
    const receiver = await countingSubscriber(output.url, 'faults/relay/out', 1, { clientId: 'faults-relay-receiver', clean: false });
    const publisher = await startSteadyPublisher(input.url, 'faults/relay/in', RATE_PER_S);
    let first: RuntimeProcess | undefined;
    let second: RuntimeProcess | undefined;
    try {
      first = await startRuntime(relayFlow(input.url, output.url));
      await waitFor(`${BEFORE} messages end to end`, () => receiver.seen.size >= BEFORE, { timeoutMs: 30_000 });
      // The sink's broker goes away: mqtt-out buffers on disk while mqtt-in keeps taking messages.
      await output.stop();
      const runtime = first;
      const buffered = await waitFor('store-and-forward holding 100 messages', async () => {
        const n = counter(await runtime.metrics(), 'buffer_messages', 'out');
        return n >= 100 ? n : undefined;
      }, { timeoutMs: 30_000, intervalMs: 200 });
      await first.kill();
      await output.start();
      second = await startRuntime(relayFlow(input.url, output.url), { dataDir: first.dataDir });
      const seenAtRestart = receiver.seen.size;
      await waitFor(`${BEFORE} more messages after the restart`, () => receiver.seen.size >= seenAtRestart + BEFORE, { timeoutMs: DELIVERY_BOUND_MS });
      await publisher.stop();
      await waitFor('every acknowledged message at the receiver', () => missing(publisher.acked, receiver.seen) === 0, { timeoutMs: DELIVERY_BOUND_MS }).catch(() => undefined);
      const lost = missing(publisher.acked, receiver.seen);
      const metrics = await second.metrics();
      reportCase('sigkill-store-and-forward', {
        sent: publisher.acked.size,
        arrived: receiver.seen.size,
        lost,
        peakMb: Math.max(await second.peakRssMb()),
        bufferedAtKill: buffered,
        replayed: counter(metrics, 'buffer_replayed_total', 'out'),
        duplicates: receiver.received - receiver.seen.size,
      });
      expect(lost).toBe(0);
      expect(second.alive()).toBe(true);
      expect(await second.stop()).toBe(0);
    } finally {
      await publisher.stop().catch(() => undefined);
      await receiver.close().catch(() => undefined);
      await second?.cleanUp();
      await first?.cleanUp();
      await input.dispose();
      await output.dispose();
    }
  }, 3 * DELIVERY_BOUND_MS);
}
