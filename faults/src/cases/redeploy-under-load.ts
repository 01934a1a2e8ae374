import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coreNodes } from '@plantwire/nodes-core';
import { mqttConnections, mqttNodes } from '@plantwire/nodes-mqtt';
import { createRuntime, type LogEvent, type Runtime } from '@plantwire/runtime';
import mqtt from 'mqtt';
import { expect, it } from 'vitest';
import { startMosquitto } from '../support/mosquitto.js';
import { countingSubscriber, startSteadyPublisher, type SteadyPublisher } from '../support/mqtt-counter.js';
import { missingRanges, reportCase } from '../support/report.js';
import { waitFor } from '@plantwire/testing';

/** Publish rate into the relay, messages per second. */
const RATE_PER_S = 200;
/** How many deploys; each one waits until `BETWEEN` more messages passed since the previous one. */
const DEPLOYS = 20;
const BETWEEN = 100;
/** Every acknowledged message must reach the receiver within this after the last deploy. */
const DELIVERY_BOUND_MS = 30_000;

/**
 * mqtt-in (QoS 1, persistent session) → change (sets `label`; its config changes on every deploy,
 * so each deploy restarts it) → mqtt-out (QoS 1, store-and-forward), the payload `{"seq": n}`
 * passed through.
 */
function relayFlow(url: string, label: number) {
  return {
    version: 1,
    name: 'faults: redeploy under load',
    connections: [
      { id: 'source', type: 'mqtt-broker', config: { url, clientId: 'plantwire-faults-redeploy-in', cleanStart: false } },
      { id: 'sink', type: 'mqtt-broker', config: { url, clientId: 'plantwire-faults-redeploy-out', cleanStart: false } },
    ],
    nodes: [
      { id: 'in', type: 'mqtt-in', config: { broker: 'source', topic: 'faults/redeploy/in', qos: 1, payloadFormat: 'json' } },
      { id: 'label', type: 'change', config: { rules: [{ op: 'set', path: 'label', value: label }] } },
      { id: 'out', type: 'mqtt-out', config: { broker: 'sink', topic: 'faults/redeploy/out', qos: 1 } },
    ],
    wires: [
      { from: { node: 'in', port: 'out' }, to: { node: 'label', port: 'in' } },
      { from: { node: 'label', port: 'out' }, to: { node: 'out', port: 'in' } },
    ],
  };
}

/**
 * Case 6: a runtime redeployed again and again while QoS 1 messages stream through it loses
 * nothing and repeats nothing (docs/delivery-guarantees.md#deploy). In-process (`plantwire run`
 * has no redeploy), against a real mosquitto.
 */
export function redeployUnderLoadCase(): void {
  it(`6. ${DEPLOYS} redeploys under ${RATE_PER_S} msg/s of QoS 1 (mqtt-in → change → mqtt-out): nothing lost, nothing repeated`, async () => {
    const broker = await startMosquitto({ maxQueuedMessages: 0 });
    const dataDir = await mkdtemp(join(tmpdir(), 'plantwire-faults-redeploy-'));
    const receiver = await countingSubscriber(broker.url, 'faults/redeploy/out', 1);
    const errors: LogEvent[] = [];
    let runtime: Runtime | undefined;
    let publisher: SteadyPublisher | undefined;
    try {
      runtime = createRuntime({
        nodeTypes: [...coreNodes, ...mqttNodes],
        connectionTypes: mqttConnections,
        dataDir,
        env: {},
        logger: { log: (e) => void (e.level === 'error' && errors.push(e)) },
      });
      const rt = runtime;
      expect(await rt.deploy(relayFlow(broker.url, 0))).toMatchObject({ ok: true });
      // The relay is live once a probe passes it: only then does the broker route to mqtt-in.
      const probe = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
      await waitFor('the relay to pass a probe', async () => {
        if (receiver.received > 0) return true;
        await probe.publishAsync('faults/redeploy/in', '"probe"', { qos: 1 });
        return receiver.received > 0;
      }, { timeoutMs: 15_000, intervalMs: 200 });
      await probe.endAsync();
      const steady = await startSteadyPublisher(broker.url, 'faults/redeploy/in', RATE_PER_S);
      publisher = steady;
      const deployed: string[][] = [];
      for (let label = 1; label <= DEPLOYS; label++) {
        const seenBefore = receiver.seen.size;
        await waitFor(`${BETWEEN} messages through before deploy ${label}`, () => receiver.seen.size >= seenBefore + BETWEEN, { timeoutMs: 10_000 });
        const result = await rt.deploy(relayFlow(broker.url, label));
        expect(result).toMatchObject({ ok: true });
        if (result.ok) deployed.push([...result.restarted]);
      }
      await steady.stop();
      const delivered = () => [...steady.acked].every((seq) => receiver.seen.has(seq));
      await waitFor('every acknowledged message at the receiver', delivered, { timeoutMs: DELIVERY_BOUND_MS }).catch(() => undefined);
      const lost = [...steady.acked].filter((seq) => !receiver.seen.has(seq)).length;
      // Sequence numbers never acknowledged to the publisher were never promised: count them as seen.
      const promised = new Set<number>();
      for (let seq = 0; seq < steady.issued; seq++) if (!steady.acked.has(seq) || receiver.seen.has(seq)) promised.add(seq);
      reportCase('redeploy-under-load', {
        sent: steady.acked.size,
        arrived: receiver.seen.size,
        lost,
        missing: missingRanges(promised, steady.issued),
        peakMb: Math.round(process.memoryUsage().rss / 1e6),
        deploys: DEPLOYS,
        duplicates: receiver.repeated,
      });
      expect(deployed.every((r) => r.length === 1 && r[0] === 'label')).toBe(true);
      expect(lost).toBe(0);
      expect(receiver.repeated).toBe(0);
      expect(errors.map((e) => e.message)).toEqual([]);
    } finally {
      await publisher?.stop().catch(() => undefined);
      await runtime?.stop().catch(() => undefined);
      await receiver.close().catch(() => undefined);
      await broker.dispose();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
}
