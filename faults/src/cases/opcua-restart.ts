import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { counter } from '../support/metrics.js';
import { isTagValue, startQuietPlant, type TagValueLike } from '../support/plant.js';
import { restartablePort } from '../support/ports.js';
import { ratePerS, recordDebug, type Arrival } from '../support/recorder.js';
import { reportCase } from '../support/report.js';
import { startRuntime } from '../support/runtime-process.js';
import { waitFor } from '@plantwire/testing';
import { holdFault } from '../support/wait.js';

/** The fault: how long the OPC UA server is down between shutdown and start. */
const SERVER_OUTAGE_MS = 3_000;
/** Values must flow again within this after the server listens again. */
const RECOVERY_BOUND_MS = 15_000;
/** Value changes per sample, before and after. */
const SAMPLE = 20;
/** OPC UA Part 5: Server.ServerDiagnostics.ServerDiagnosticsSummary.CurrentSubscriptionCount. */
const CURRENT_SUBSCRIPTION_COUNT = 'ns=0;i=2285';

type Change = { topic: string; payload: TagValueLike };

/** Case 2: the OPC UA server restarts under an `opcua-subscribe`. */
export function opcuaRestartCase(): void {
  it('2. OPC UA server restart mid-stream: bad during, good after, one subscription and one message per change', async () => {
    const pkiDir = await mkdtemp(join(tmpdir(), 'plantwire-faults-opcua-'));
    let plant = await startQuietPlant(['opcua'], { ports: { opcua: await restartablePort() }, dataDir: pkiDir });
    const port = Number(new URL(plant.endpoints.opcua.replace('opc.tcp:', 'http:')).port);
    const runtime = await startRuntime({
      version: 1,
      name: 'faults: opcua restart',
      connections: [{ id: 'server', type: 'opcua-endpoint', config: { endpointUrl: plant.endpoints.opcua, sessionTimeoutMs: 10_000 } }],
      nodes: [
        {
          id: 'subscribe',
          type: 'opcua-subscribe',
          config: { endpoint: 'server', publishingIntervalMs: 100, items: [{ nodeId: 'ns=1;s=Line1.Machine1.PartCount', name: 'PartCount', samplingIntervalMs: 100 }] },
        },
        { id: 'print', type: 'debug', config: { property: 'msg' } },
        // The server's own count of subscriptions, read through the same session every 500 ms.
        { id: 'every', type: 'inject', config: { intervalMs: 500, payload: { type: 'none' } } },
        { id: 'count', type: 'opcua-read', config: { endpoint: 'server', nodeIds: [CURRENT_SUBSCRIPTION_COUNT] } },
        { id: 'subscriptions', type: 'debug', config: { property: 'payload' } },
      ],
      wires: [
        { from: { node: 'subscribe', port: 'out' }, to: { node: 'print', port: 'in' } },
        { from: { node: 'every', port: 'out' }, to: { node: 'count', port: 'in' } },
        { from: { node: 'count', port: 'out' }, to: { node: 'subscriptions', port: 'in' } },
      ],
    });
    const debug = recordDebug<Change>(runtime, 'print');
    const counts = recordDebug<unknown>(runtime, 'subscriptions');
    const good = (v: Change) => v.topic === 'PartCount' && isTagValue(v.payload) && v.payload.quality === 'good';
    const bad = (v: Change) => v.topic === 'PartCount' && isTagValue(v.payload) && v.payload.quality === 'bad';
    try {
      const before = await debug.waitForCount('good changes', SAMPLE, { since: 0, match: good, timeoutMs: 30_000 });
      const rateBefore = ratePerS(before);

      const downAt = Date.now();
      await plant.stop();
      await debug.waitForCount('a bad value after the server stopped', 1, { since: downAt, match: bad, timeoutMs: 10_000 });
      await holdFault(SERVER_OUTAGE_MS);
      const during = debug.since(downAt);
      const startAt = Date.now();
      plant = await startQuietPlant(['opcua'], { ports: { opcua: port }, dataDir: pkiDir });
      const upAt = Date.now();

      const [firstGood] = await debug.waitForCount('a good value after the restart', 1, { since: upAt, match: good, timeoutMs: RECOVERY_BOUND_MS });
      const recoveryMs = firstGood!.at - upAt;
      const after = await debug.waitForCount('good changes after recovery', SAMPLE + 1, { since: firstGood!.at, match: good, timeoutMs: 20_000 });
      const rateAfter = ratePerS(after.slice(1));
      const serverSubscriptions = await waitFor(
        'the server subscription count read after recovery',
        () => {
          const v = counts.since(firstGood!.at).map((a) => numberIn(a.value)).filter((n) => n !== undefined);
          return v.length >= 2 ? v[v.length - 1] : undefined;
        },
        { timeoutMs: 10_000 },
      );
      const metrics = await runtime.metrics();
      const sent = counter(metrics, 'messages_out_total', 'subscribe');
      const arrived = counter(metrics, 'messages_in_total', 'print');
      reportCase('opcua-restart', {
        sent,
        arrived,
        lost: sent - arrived,
        peakMb: await runtime.peakRssMb(),
        outageMs: upAt - downAt,
        serverStartMs: upAt - startAt,
        badDuringOutage: during.filter((a) => bad(a.value)).length,
        recoveryMs,
        changesPerSBefore: rateBefore,
        changesPerSAfter: rateAfter,
        repeatedValuesAfter: repeats(after),
        serverSubscriptions: serverSubscriptions ?? -1,
      });

      expect(during.filter((a) => good(a.value) && a.at > downAt + 500)).toEqual([]);
      expect(recoveryMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
      // One subscription: every change arrives once (a second subscription would repeat each value).
      expect(repeats(after)).toBe(0);
      expect(rateAfter).toBeLessThan(rateBefore * 1.3);
      expect(rateAfter).toBeGreaterThan(rateBefore * 0.7);
      expect(serverSubscriptions).toBe(1);
      expect(sent - arrived).toBe(0);
      expect(runtime.alive()).toBe(true);
      expect(await runtime.stop()).toBe(0);
    } finally {
      debug.stop();
      counts.stop();
      await runtime.cleanUp();
      await plant.stop();
      await rm(pkiDir, { recursive: true, force: true });
    }
  }, 120_000);
}

/** How many values arrived more than once in a row of changes. */
function repeats(arrivals: readonly Arrival<Change>[]): number {
  const seen = new Set<string>();
  let n = 0;
  for (const a of arrivals) {
    const key = JSON.stringify([a.value.payload.value, (a.value.payload as { sourceTime?: string }).sourceTime]);
    if (seen.has(key)) n++;
    seen.add(key);
  }
  return n;
}

/** The number inside what opcua-read printed (a TagValue, or an object of them). */
function numberIn(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (isTagValue(value)) return typeof value.value === 'number' ? value.value : undefined;
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) {
      const n = numberIn(v);
      if (n !== undefined) return n;
    }
  }
  return undefined;
}
