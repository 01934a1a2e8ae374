import { expect, it } from 'vitest';
import mqtt from 'mqtt';
import { counter, total } from '../support/metrics.js';
import { startMosquitto } from '../support/mosquitto.js';
import { publishAtRate, seqOf } from '../support/mqtt-counter.js';
import { readProcStatusKb } from '../support/proc-status.js';
import { recordDebug } from '../support/recorder.js';
import { missingRanges, reportCase } from '../support/report.js';
import { startRuntime } from '../support/runtime-process.js';
import { waitFor } from '@plantwire/testing';

/** The flow's capacity: its `slow` stage blocks its worker 5 ms per message, so at most 200 msg/s pass. */
const CAPACITY_PER_S = 200;
const STAGE_MS = 1000 / CAPACITY_PER_S;
/** The flood: five times the capacity. */
const FLOOD_PER_S = 5 * CAPACITY_PER_S;
/** How long the flood lasts: 60 s in the test command, 10 s with PLANTWIRE_FAULTS_QUICK=1. */
const FLOOD_MS = process.env['PLANTWIRE_FAULTS_QUICK'] === '1' ? 10_000 : 60_000;
/**
 * Peak RSS (VmHWM) the runtime process may reach during a flood. `plantwire run` under tsx with
 * the MQTT and function nodes idles at ~120 MB here; the bound leaves room for GC lag, not for a
 * backlog (60 s × 800 msg/s of excess would be 48,000 messages held in memory).
 */
const PEAK_RSS_LIMIT_MB = 220;
/** Input queue capacity of every node of the flow. */
const QUEUE = 100;

/**
 * A flow of `mqtt-in` → `slow` (a function that blocks its sandbox worker STAGE_MS per message with
 * Atomics.wait, so the limit costs no CPU) → `print` (debug). Sending anything to
 * `faults/flood/over` (on a connection of its own, whose reads the flood cannot hold up) sets the
 * global `floodOver`, after which `slow` no longer waits: the backlog of a QoS 1 flood can then be
 * drained to the last message in seconds.
 */
function floodFlow(brokerUrl: string, qos: 0 | 1, overflow: 'block' | 'drop-oldest') {
  return {
    version: 1,
    name: `faults: flood QoS ${qos}`,
    connections: [
      { id: 'broker', type: 'mqtt-broker', config: { url: brokerUrl } },
      { id: 'control', type: 'mqtt-broker', config: { url: brokerUrl } },
    ],
    nodes: [
      { id: 'in', type: 'mqtt-in', queue: { capacity: QUEUE, overflow }, config: { broker: 'broker', topic: 'faults/flood', qos } },
      {
        id: 'slow',
        type: 'function',
        queue: { capacity: QUEUE },
        config: { code: `if (!global.get('floodOver')) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${STAGE_MS});\nreturn msg;` },
      },
      { id: 'print', type: 'debug', queue: { capacity: QUEUE }, config: { property: 'payload' } },
      { id: 'over', type: 'mqtt-in', config: { broker: 'control', topic: 'faults/flood/over', qos: 1 } },
      // A worker of its own (another memory limit): the slow stage's worker is busy with the flood.
      { id: 'mark', type: 'function', config: { memoryLimitMb: 64, code: "global.set('floodOver', true);\nreturn null;" } },
    ],
    wires: [
      { from: { node: 'in', port: 'out' }, to: { node: 'slow', port: 'in' } },
      { from: { node: 'slow', port: 'out' }, to: { node: 'print', port: 'in' } },
      { from: { node: 'over', port: 'out' }, to: { node: 'mark', port: 'in' } },
    ],
  };
}

async function floodCase(qos: 0 | 1): Promise<void> {
  // QoS 1: the broker must be able to hold the whole backlog (mosquitto keeps 1000 per client by default).
  const broker = await startMosquitto({ maxQueuedMessages: 0 });
  const runtime = await startRuntime(floodFlow(broker.url, qos, qos === 0 ? 'drop-oldest' : 'block'));
  const debug = recordDebug<unknown>(runtime, 'print');
  try {
    const seen = new Set<number>();
    let duplicates = 0;
    runtime.onDebug((line) => {
      const seq = line.node === 'print' ? seqOf(line.value) : undefined;
      if (seq === undefined) return;
      if (seen.has(seq)) duplicates++;
      seen.add(seq);
    });
    // mqtt-in subscribes after the "running" line: probe until a message makes it through, so
    // the flood does not start before the subscription exists.
    const probe = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    await waitFor('a probe message through the flow', async () => {
      await probe.publishAsync('faults/flood', JSON.stringify({ probe: true }), { qos: 1 });
      return debug.arrivals.length > 0;
    }, { timeoutMs: 15_000, intervalMs: 100 });
    await probe.endAsync();
    debug.stop(); // counting by seq above is enough from here; the recorder would hold every arrival

    const published = await publishAtRate(broker.url, { topic: 'faults/flood', qos, ratePerS: FLOOD_PER_S, durationMs: FLOOD_MS });
    const arrivedDuringFlood = seen.size;
    const peakDuringFloodMb = await runtime.peakRssMb();
    const atEnd = await runtime.metrics();
    const control = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    await control.publishAsync('faults/flood/over', 'over', { qos: 1 });
    await control.endAsync();

    // Settled: every message arrived or was counted as dropped (QoS 0), or every one arrived (QoS 1).
    const settled = await waitFor(
      qos === 0 ? 'arrived + dropped = sent' : 'every QoS 1 message to arrive',
      async () => {
        const m = await runtime.metrics();
        const dropped = total(m, 'dropped_total');
        const inFlow = total(m, 'queue_depth');
        return seen.size + (qos === 0 ? dropped : 0) >= published.sent && inFlow === 0 ? m : undefined;
      },
      { timeoutMs: qos === 0 ? 15_000 : 90_000, intervalMs: 250 },
    ).catch(() => runtime.metrics());
    const dropped = total(settled, 'dropped_total');
    const lost = published.sent - seen.size;
    const peakMb = await runtime.peakRssMb();
    const brokerPeakMb = broker.pid === undefined ? -1 : Math.round(((await readProcStatusKb(broker.pid)).VmHWM ?? 0) / 1024);
    reportCase(`flood-qos${qos}`, {
      sent: published.sent,
      arrived: seen.size,
      lost,
      peakMb,
      floodS: Math.round(published.durationMs / 1000),
      ratePerS: Math.round((published.sent * 1000) / published.durationMs),
      capacityPerS: CAPACITY_PER_S,
      arrivedDuringFlood,
      throughputPerS: Math.round((arrivedDuringFlood * 1000) / published.durationMs),
      dropped,
      droppedAtSource: counter(settled, 'dropped_total', 'in'),
      duplicates,
      queuedAtFloodEnd: total(atEnd, 'queue_depth'),
      peakDuringFloodMb,
      peakLimitMb: PEAK_RSS_LIMIT_MB,
      brokerPeakMb,
      publishFailed: published.failed,
      missing: missingRanges(seen, published.sent),
    });

    expect(published.failed).toBe(0);
    // The flood really exceeded the capacity, and the flow ran at (not above) it.
    expect(arrivedDuringFlood).toBeLessThan(published.sent * 0.4);
    expect(peakDuringFloodMb).toBeLessThanOrEqual(PEAK_RSS_LIMIT_MB);
    expect(peakMb).toBeLessThanOrEqual(PEAK_RSS_LIMIT_MB);
    if (qos === 0) {
      // Every message that did not arrive is in a dropped counter of /metrics.
      expect(lost).toBeGreaterThan(0);
      expect(dropped).toBe(lost);
      // Known (docs/faults.md#findings): under drop-oldest `ctx.emit` returns false although it took
      // the message (it dropped an older one), and mqtt-in emits that message again on drain: one
      // duplicate per drop. Bounded here so it cannot grow unnoticed; 0 once mqtt-in tells the two apart.
      expect(duplicates).toBeLessThanOrEqual(dropped);
    } else {
      // QoS 1 under backpressure: nothing lost; the backlog waited in the broker. (mqtt-in's
      // dropped counter counts the emits the runtime refused under `block`; mqtt-in keeps each
      // refused message and emits it again on drain, so those are not losses.)
      expect(lost).toBe(0);
    }
    expect(runtime.alive()).toBe(true);
    expect(await runtime.stop()).toBe(0);
  } finally {
    await runtime.cleanUp();
    await broker.dispose();
  }
}

/**
 * Case 4: an MQTT flood at five times the flow's capacity, at QoS 0 and at QoS 1. The two run at
 * the same time, each with its own broker and runtime process (memory is per process), so the
 * suite pays the flood's duration once.
 */
export function floodCases(): void {
  it(
    `4. Flood at QoS 0 and QoS 1: ${FLOOD_PER_S} msg/s for ${FLOOD_MS / 1000} s into a ${CAPACITY_PER_S} msg/s flow: memory bounded; QoS 0 losses counted as dropped, QoS 1 nothing lost`,
    async () => {
      const results = await Promise.allSettled([floodCase(0), floodCase(1)]);
      for (const r of results) if (r.status === 'rejected') throw r.reason;
    },
    FLOOD_MS + 150_000,
  );
}

