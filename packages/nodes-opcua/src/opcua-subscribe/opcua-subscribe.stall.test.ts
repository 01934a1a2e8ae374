import { join } from 'node:path';
import type { Message, TagValue } from '@plantwire/node-sdk';
import { runFlow, type FlowUnderTest } from '@plantwire/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opcuaConnections, opcuaNodes } from '../index.js';
import type { OpcuaEndpointClient } from '../opcua-endpoint/opcua-endpoint-client.js';
import { connectEndpoint, startOpcuaPlant } from '../opcua-test-support.js';
import { startFaultProxy, type FaultProxy } from '@plantwire/testing';

/** Server_ServerDiagnostics_ServerDiagnosticsSummary_CurrentSubscriptionCount (OPC UA Part 5). */
const CURRENT_SUBSCRIPTION_COUNT = 'ns=0;i=2285';
const RESPONSE_TIMEOUT_MS = 1500;
/** The silence is checked every 150 ms (a tenth of the timeout); the rest is the runtime's dispatch on a loaded machine. */
const DETECTION_SLACK_MS = 2000;

const tag = (m: Message) => m.payload as TagValue<number>;

describe('opcua-subscribe through a link that stalls (TCP open, no bytes either way)', () => {
  let env: Awaited<ReturnType<typeof startOpcuaPlant>>;
  let proxy: FaultProxy;
  let flow: FlowUnderTest;
  /** A client straight to the server (not through the proxy) that reads the server's own subscription count. */
  let observer: OpcuaEndpointClient;

  beforeAll(async () => {
    env = await startOpcuaPlant();
    const url = new URL(env.plant.endpoints.opcua.replace('opc.tcp:', 'http:'));
    proxy = await startFaultProxy({ host: '127.0.0.1', port: Number(url.port) });
    flow = await runFlow(
      {
        version: 1,
        connections: [
          {
            id: 'plant-opcua',
            type: 'opcua-endpoint',
            // A short session timeout: the session cut off by the stall expires on the server soon after.
            config: { endpointUrl: `opc.tcp://127.0.0.1:${proxy.port}${url.pathname}`, responseTimeoutMs: RESPONSE_TIMEOUT_MS, sessionTimeoutMs: 3000 },
          },
        ],
        nodes: [
          {
            id: 'temperature',
            type: 'opcua-subscribe',
            config: { endpoint: 'plant-opcua', publishingIntervalMs: 100, items: [{ nodeId: 'ns=1;s=Line1.Machine1.Temperature', name: 'temperature', samplingIntervalMs: 100 }] },
          },
        ],
        wires: [],
      },
      { nodeTypes: opcuaNodes, connectionTypes: opcuaConnections, dataDir: join(env.dir, 'runtime'), connectionBackoff: { initialMs: 50, maxMs: 250 } },
    );
    observer = (await connectEndpoint({ endpointUrl: env.plant.endpoints.opcua }, { dataDir: join(env.dir, 'runtime', 'connections', 'plant-opcua') })).client;
  }, 60_000);
  afterAll(async () => {
    proxy?.pass();
    await flow?.stop();
    await observer?.dispose();
    await proxy?.close();
    await env?.close();
  });

  it('sends one bad value per item within the response timeout, marks the node down, and resumes with one subscription', async () => {
    await flow.take('temperature', 3, { timeoutMs: 10_000 });
    const before = flow.sent('temperature').length;

    const stalledAt = Date.now();
    proxy.stall();
    await flow.waitFor(() => flow.sent('temperature').slice(before).some((m) => tag(m).quality === 'bad'), { timeoutMs: RESPONSE_TIMEOUT_MS + DETECTION_SLACK_MS + 3000 });
    const detectedMs = Date.now() - stalledAt;
    const during = flow.sent('temperature').slice(before);
    const bad = during.filter((m) => tag(m).quality === 'bad');
    // The same shape as for a dropped link: one bad value, value null, with the reason.
    expect(bad).toHaveLength(1);
    expect(tag(bad[0]!)).toMatchObject({ value: null, quality: 'bad', reason: expect.stringMatching(/^not connected \(.*no response from the OPC UA server for \d+(\.\d)? s/) });
    expect(detectedMs).toBeLessThanOrEqual(RESPONSE_TIMEOUT_MS + DETECTION_SLACK_MS);
    // The badge says why.
    expect(flow.statuses.some((s) => s.nodeId === 'temperature' && s.status?.fill === 'red' && /no response from the OPC UA server/.test(s.status.text ?? ''))).toBe(true);

    // The fault lasts twice the timeout (reconnect attempts stall too); meanwhile no good value pretends to be current.
    const badAt = flow.sent('temperature').length;
    await flow.waitFor(() => Date.now() - stalledAt >= 2 * RESPONSE_TIMEOUT_MS, { timeoutMs: 2 * RESPONSE_TIMEOUT_MS });
    expect(flow.sent('temperature').slice(badAt).filter((m) => tag(m).quality === 'good')).toEqual([]);

    const healedAt = Date.now();
    proxy.pass();
    const fresh = () => flow.sent('temperature').slice(badAt).filter((m) => tag(m).quality === 'good' && Date.parse(tag(m).sourceTime) >= healedAt);
    await flow.waitFor(() => fresh().length >= 10, { timeoutMs: 20_000 });
    // One subscription: every sample arrives once.
    const stamps = fresh().map((m) => tag(m).sourceTime);
    expect(new Set(stamps).size).toBe(stamps.length);
    // ...and the server counts one, once the session cut off by the stall has expired there.
    let count = Number.NaN;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      count = Number((await observer.read([CURRENT_SUBSCRIPTION_COUNT]))[0]!.value.value);
      if (count === 1) break;
      // Ask again once the flow has its next sample (~10/s), not after a timer.
      const seen = flow.sent('temperature').length;
      await flow.waitFor(() => flow.sent('temperature').length > seen, { timeoutMs: 5_000 });
    }
    expect(count).toBe(1);
  }, 60_000);
});
