import mqtt from 'mqtt';
import { expect, it } from 'vitest';
import { counter } from '../support/metrics.js';
import { startMosquitto } from '../support/mosquitto.js';
import { countingSubscriber, startSteadyPublisher, type CountingSubscriber, type SteadyPublisher } from '../support/mqtt-counter.js';
import { missingRanges, reportCase } from '../support/report.js';
import { startRuntime, type RuntimeProcess } from '../support/runtime-process.js';
import { waitFor } from '@plantwire/testing';
import { holdFault } from '../support/wait.js';

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

/**
 * Resolve once the relay passes messages end to end: the runtime's mqtt-in has subscribed. Until
 * then the broker routes nothing to its session (a first subscription is not retroactive), so the
 * steady publisher starts only after this; probes are `"probe"`, not counted as sequence numbers.
 */
async function whenRelayLive(inUrl: string, receiver: CountingSubscriber): Promise<void> {
  const probe = await mqtt.connectAsync(inUrl, { protocolVersion: 4, reconnectPeriod: 0 });
  try {
    await waitFor('the relay to pass a probe end to end', async () => {
      if (receiver.received > 0) return true;
      await probe.publishAsync('faults/relay/in', '"probe"', { qos: 1 });
      return receiver.received > 0;
    }, { timeoutMs: 30_000, intervalMs: 200 });
  } finally {
    await probe.endAsync();
  }
}

function missing(acked: ReadonlySet<number>, seen: ReadonlySet<number>): number {
  let n = 0;
  for (const seq of acked) if (!seen.has(seq)) n++;
  return n;
}

/** The acknowledged sequence numbers never seen, as ranges (for the report line). */
function missingAcked(acked: ReadonlySet<number>, seen: ReadonlySet<number>): string {
  const top = Math.max(-1, ...acked) + 1;
  // Numbers the publisher never had acknowledged count as seen: they were never promised.
  const promised = new Set<number>();
  for (let seq = 0; seq < top; seq++) if (!acked.has(seq) || seen.has(seq)) promised.add(seq);
  return missingRanges(promised, top);
}

/**
 * Case 5: zero loss end to end through a broker outage and a crash, with store-and-forward: every
 * message the broker acknowledged to the publisher after the relay was live reaches the receiver
 * (duplicates allowed: at least once).
 */
export function endToEndLossCases(): void {
  it(`5a. mosquitto stopped ${BROKER_OUTAGE_MS / 1000} s mid-stream of QoS 1 (mqtt-in → mqtt-out): restarted, zero loss end to end`, async () => {
    const broker = await startMosquitto({ persistence: true, maxQueuedMessages: 0 });
    let runtime: RuntimeProcess | undefined;
    const receiver = await countingSubscriber(broker.url, 'faults/relay/out', 1, { clientId: 'faults-relay-receiver', clean: false });
    let publisher: SteadyPublisher | undefined;
    try {
      runtime = await startRuntime(relayFlow(broker.url, broker.url));
      await whenRelayLive(broker.url, receiver);
      const steady = await startSteadyPublisher(broker.url, 'faults/relay/in', RATE_PER_S);
      publisher = steady;
      await waitFor(`${BEFORE} messages end to end`, () => receiver.seen.size >= BEFORE, { timeoutMs: 30_000 });
      await broker.stop();
      await holdFault(BROKER_OUTAGE_MS);
      const bufferedAtRestart = counter(await runtime.metrics(), 'buffer_messages', 'out');
      await broker.start();
      const upAt = Date.now();
      const seenAtRestart = receiver.seen.size;
      await waitFor(`${BEFORE} more messages after the restart`, () => receiver.seen.size >= seenAtRestart + BEFORE, { timeoutMs: DELIVERY_BOUND_MS });
      await steady.stop();
      await waitFor('every acknowledged message at the receiver', () => missing(steady.acked, receiver.seen) === 0, { timeoutMs: DELIVERY_BOUND_MS }).catch(() => undefined);
      const lost = missing(steady.acked, receiver.seen);
      reportCase('broker-outage-qos1', {
        sent: steady.acked.size,
        arrived: receiver.seen.size,
        lost,
        missing: missingAcked(steady.acked, receiver.seen),
        peakMb: await runtime.peakRssMb(),
        outageMs: BROKER_OUTAGE_MS,
        bufferedAtRestart,
        recoveredAfterMs: Date.now() - upAt,
        duplicates: receiver.repeated,
      });
      expect(lost).toBe(0);
      expect(runtime.alive()).toBe(true);
      expect(await runtime.stop()).toBe(0);
    } finally {
      await publisher?.stop().catch(() => undefined);
      await receiver.close().catch(() => undefined);
      await runtime?.cleanUp();
      await broker.dispose();
    }
  }, BROKER_OUTAGE_MS + 3 * DELIVERY_BOUND_MS);

  it('5b. runtime SIGKILLed with messages in store-and-forward, restarted on the same data dir: they are delivered, zero loss', async () => {
    const input = await startMosquitto({ persistence: true, maxQueuedMessages: 0 });
    const output = await startMosquitto({ persistence: true, maxQueuedMessages: 0 });
    const receiver = await countingSubscriber(output.url, 'faults/relay/out', 1, { clientId: 'faults-relay-receiver', clean: false });
    let publisher: SteadyPublisher | undefined;
    let first: RuntimeProcess | undefined;
    let second: RuntimeProcess | undefined;
    try {
      first = await startRuntime(relayFlow(input.url, output.url));
      await whenRelayLive(input.url, receiver);
      const steady = await startSteadyPublisher(input.url, 'faults/relay/in', RATE_PER_S);
      publisher = steady;
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
      await steady.stop();
      await waitFor('every acknowledged message at the receiver', () => missing(steady.acked, receiver.seen) === 0, { timeoutMs: DELIVERY_BOUND_MS }).catch(() => undefined);
      const lost = missing(steady.acked, receiver.seen);
      const metrics = await second.metrics();
      reportCase('sigkill-store-and-forward', {
        sent: steady.acked.size,
        arrived: receiver.seen.size,
        lost,
        missing: missingAcked(steady.acked, receiver.seen),
        peakMb: await second.peakRssMb(),
        bufferedAtKill: buffered,
        replayed: counter(metrics, 'buffer_replayed_total', 'out'),
        duplicates: receiver.repeated,
      });
      expect(lost).toBe(0);
      expect(second.alive()).toBe(true);
      expect(await second.stop()).toBe(0);
    } finally {
      await publisher?.stop().catch(() => undefined);
      await receiver.close().catch(() => undefined);
      await second?.cleanUp();
      await first?.cleanUp();
      await input.dispose();
      await output.dispose();
    }
  }, 3 * DELIVERY_BOUND_MS);
}
