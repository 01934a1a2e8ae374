import { expect, it } from 'vitest';
import { isTagValue, startQuietPlant, type TagValueLike } from '../support/plant.js';
import { restartablePort } from '../support/ports.js';
import { ratePerS, recordDebug } from '../support/recorder.js';
import { reportCase } from '../support/report.js';
import { startRuntime } from '../support/runtime-process.js';
import { counter } from '../support/metrics.js';
import { holdFault } from '../support/wait.js';

/** The poll interval of the flow. */
const POLL_MS = 100;
/** The fault: how long the PLC is down between stop and restart. */
const PLC_OUTAGE_MS = 3_000;
/** Polling must be back (a good value) within this after the PLC listens again. */
const RECOVERY_BOUND_MS = 10_000;
/** Messages per rate sample, before and after. */
const RATE_SAMPLE = 20;

type Poll = { PartCount: TagValueLike };

/** Case 1: the Modbus PLC stops mid-stream and comes back on the same port. */
export function modbusRestartCase(): void {
  it('1. Modbus PLC restart mid-stream: bad during the outage, good after, the same poll rate (no duplicate timers)', async () => {
    let plant = await startQuietPlant(['modbus'], { ports: { modbus: await restartablePort() } });
    const port = plant.endpoints.modbus.port;
    const runtime = await startRuntime({
      version: 1,
      name: 'faults: modbus restart',
      connections: [{ id: 'plc', type: 'modbus-device', config: { host: '127.0.0.1', port, unitId: 1, timeoutMs: 300, wordOrder: 'CDAB' } }],
      nodes: [
        { id: 'poll', type: 'modbus-read', config: { device: 'plc', intervalMs: POLL_MS, tags: [{ name: 'PartCount', address: 2, type: 'uint32' }] } },
        { id: 'print', type: 'debug', config: { property: 'payload' } },
      ],
      wires: [{ from: { node: 'poll', port: 'out' }, to: { node: 'print', port: 'in' } }],
    });
    const debug = recordDebug<Poll>(runtime, 'print');
    const good = (v: Poll) => isTagValue(v.PartCount) && v.PartCount.quality === 'good';
    const bad = (v: Poll) => isTagValue(v.PartCount) && v.PartCount.quality === 'bad';
    try {
      const before = await debug.waitForCount('good polls', RATE_SAMPLE, { since: 0, match: good, timeoutMs: 15_000 });
      const rateBefore = ratePerS(before);

      const downAt = Date.now();
      await plant.stop();
      await debug.waitForCount('a bad poll after the PLC stopped', 1, { since: downAt, match: bad, timeoutMs: 5_000 });
      await holdFault(PLC_OUTAGE_MS);
      const upAt = Date.now();
      const during = debug.since(downAt).filter((a) => a.at < upAt);
      plant = await startQuietPlant(['modbus'], { ports: { modbus: port } });

      const [firstGood] = await debug.waitForCount('a good poll after the PLC restarted', 1, { since: upAt, match: good, timeoutMs: RECOVERY_BOUND_MS });
      const recoveryMs = firstGood!.at - upAt;
      const after = await debug.waitForCount('good polls after recovery', RATE_SAMPLE + 1, { since: firstGood!.at, match: good, timeoutMs: 15_000 });
      // The first message after recovery is the extra poll on reconnect; the cadence starts after it.
      const rateAfter = ratePerS(after.slice(1));
      const metrics = await runtime.metrics();
      const polls = counter(metrics, 'messages_out_total', 'poll');
      const printed = counter(metrics, 'messages_in_total', 'print');
      const peakMb = await runtime.peakRssMb();
      reportCase('modbus-restart', {
        sent: polls,
        arrived: printed,
        lost: polls - printed,
        peakMb,
        outageMs: upAt - downAt,
        badDuringOutage: during.filter((a) => bad(a.value)).length,
        goodDuringOutage: during.filter((a) => good(a.value)).length,
        recoveryMs,
        ratePerSBefore: rateBefore,
        ratePerSAfter: rateAfter,
      });

      // The outage shows as bad values (not silence), and no good value is invented during it.
      expect(during.filter((a) => good(a.value) && a.at > downAt + 500)).toEqual([]);
      expect(during.filter((a) => bad(a.value)).length).toBeGreaterThanOrEqual(Math.floor(PLC_OUTAGE_MS / POLL_MS / 2));
      expect(during.find((a) => bad(a.value))!.value.PartCount.reason).toMatch(/not connected|timed out|closed|ECONNREFUSED/i);
      expect(recoveryMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
      // One timer after recovery: a second one would double the rate.
      expect(rateAfter).toBeGreaterThan(rateBefore * 0.7);
      expect(rateAfter).toBeLessThan(rateBefore * 1.3);
      expect(polls - printed).toBe(0);
      expect(runtime.alive()).toBe(true);
      expect(await runtime.stop()).toBe(0);
    } finally {
      debug.stop();
      await runtime.cleanUp();
      await plant.stop();
    }
  }, 90_000);
}
