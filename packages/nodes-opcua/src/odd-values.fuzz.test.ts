// Fuzz: OPC UA variables of unexpected types (odd-values-server.ts) through opcua-read and
// opcua-subscribe on a real node-opcua server, then seeded random read requests (odd node ids,
// lists, wrong types). Every value arrives as a TagValue whose value survives JSON and
// structuredClone and whose times are ISO strings, or as a node error with a catalogue code;
// nothing crashes. FUZZ_SEED overrides the seed, printed in every assertion message.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TagValue } from '@plantwire/node-sdk';
import { runFlow, type FlowUnderTest } from '@plantwire/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opcuaConnections, opcuaNodes } from './index.js';
import { startOddValuesServer, type OddValuesServer } from './odd-values-server.js';

const seed = Number(process.env['FUZZ_SEED'] ?? 20261206);

let server: OddValuesServer;
let flow: FlowUnderTest;
let dataDir: string;

beforeAll(async () => {
  server = await startOddValuesServer();
  dataDir = await mkdtemp(join(tmpdir(), 'plantwire-odd-client-'));
  flow = await runFlow(
    {
      version: 1,
      connections: [{ id: 'plc', type: 'opcua-endpoint', config: { endpointUrl: server.endpointUrl } }],
      nodes: [
        { id: 'read', type: 'opcua-read', config: { endpoint: 'plc' } },
        {
          id: 'sub',
          type: 'opcua-subscribe',
          config: { endpoint: 'plc', publishingIntervalMs: 50, items: [...server.nodeIds, server.shapeShifter].map((nodeId) => ({ nodeId, samplingIntervalMs: 50 })) },
        },
      ],
      wires: [],
    },
    { nodeTypes: opcuaNodes, connectionTypes: opcuaConnections, dataDir, connectionBackoff: { initialMs: 20, maxMs: 200 } },
  );
  await flow.waitFor(() => flow.runtime.connections().every((c) => c.state === 'connected'), { timeoutMs: 30_000 });
}, 60_000);
afterAll(async () => {
  await flow?.stop();
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The TagValue contract, whatever the variable's type. */
function checkTagValue(tag: TagValue, where: string): void {
  expect(['good', 'uncertain', 'bad'], where).toContain(tag.quality);
  expect(Number.isNaN(Date.parse(tag.sourceTime)), `${where}: sourceTime ${tag.sourceTime}`).toBe(false);
  if (tag.serverTime !== undefined) expect(Number.isNaN(Date.parse(tag.serverTime)), `${where}: serverTime`).toBe(false);
  if (tag.quality !== 'good') expect(typeof tag.reason, where).toBe('string');
  // Sinks publish it as JSON and store-and-forward buffers clone it: both must work.
  expect(() => JSON.stringify(tag), where).not.toThrow();
  expect(() => structuredClone(tag), where).not.toThrow();
}

describe('OPC UA values of unexpected types', () => {
  it('opcua-read delivers every odd variable as a TagValue', { timeout: 30_000 }, async () => {
    const before = flow.sent('read').length;
    expect(flow.inject('read', { nodeId: server.nodeIds })).toBe(true);
    await flow.waitFor(() => flow.sent('read').length > before || flow.errors.some((e) => e.nodeId === 'read'), { timeoutMs: 15_000 });
    expect(flow.errors.filter((e) => e.nodeId === 'read'), `seed ${seed}`).toEqual([]);
    const payload = flow.sent('read').at(-1)!.payload as Record<string, TagValue>;
    expect(Object.keys(payload).sort()).toEqual([...server.nodeIds].sort());
    for (const [nodeId, tag] of Object.entries(payload)) checkTagValue(tag, nodeId);
  });

  it('opcua-subscribe delivers every odd variable, and a variable whose DataType changes, without an error', { timeout: 30_000 }, async () => {
    const topics = () => new Set(flow.sent('sub').map((m) => m.topic));
    await flow.waitFor(() => server.nodeIds.every((id) => topics().has(id)) && flow.sent('sub').filter((m) => m.topic === server.shapeShifter).length >= 5, { timeoutMs: 20_000 }).catch((err: Error) => {
      const missing = server.nodeIds.filter((id) => !topics().has(id));
      throw new Error(`no value for ${missing.join(', ')}; shape shifter values: ${flow.sent('sub').filter((m) => m.topic === server.shapeShifter).length}; statuses: ${JSON.stringify(flow.statuses.filter((st) => st.nodeId === 'sub').slice(-2))}`, { cause: err });
    });
    for (const msg of flow.sent('sub')) checkTagValue(msg.payload as TagValue, String(msg.topic));
    const shifted = new Set(flow.sent('sub').filter((m) => m.topic === server.shapeShifter).map((m) => typeof (m.payload as TagValue).value));
    expect(shifted.size, 'the shape shifter changed type').toBeGreaterThan(1);
    expect(flow.errors.filter((e) => e.nodeId === 'sub')).toEqual([]);
  });

  it('150 seeded read requests with odd node ids: a TagValue or a node error with a code, never a hang', { timeout: 60_000 }, async () => {
    const nodeIdArb = fc.oneof(
      fc.constantFrom(...server.nodeIds, server.shapeShifter, 'ns=1;s=Odd.Missing', 'ns=99;i=1', 'i=2258', 'ns=1;g=72962B91-FA75-4AE6-8D28-B404DC7DAF63', 'ns=1;b=AAEC', ''),
      fc.string({ maxLength: 30 }),
    );
    const requestArb = fc.oneof(nodeIdArb, fc.array(nodeIdArb, { minLength: 1, maxLength: 5 }), fc.constantFrom<unknown>(42, null, { id: 1 }, [], [42]));
    await fc.assert(
      fc.asyncProperty(requestArb, async (nodeId) => {
        const sent = flow.sent('read').length;
        const errors = flow.errors.filter((e) => e.nodeId === 'read').length;
        expect(flow.inject('read', { nodeId })).toBe(true);
        await flow.waitFor(() => flow.sent('read').length > sent || flow.errors.filter((e) => e.nodeId === 'read').length > errors, { timeoutMs: 10_000 });
        if (flow.sent('read').length > sent) {
          const payload = flow.sent('read').at(-1)!.payload as TagValue | Record<string, TagValue>;
          // One node id (alone or in a list of one) gives a TagValue, several a map by node id.
          const single = typeof payload === 'object' && payload !== null && 'quality' in payload && 'sourceTime' in payload;
          const tags = single ? [payload as TagValue] : Object.values(payload as Record<string, TagValue>);
          for (const tag of tags) checkTagValue(tag, `seed ${seed}: ${JSON.stringify(nodeId)}`);
        } else {
          const error = flow.errors.filter((e) => e.nodeId === 'read').at(-1)!;
          expect(['INPUT_INVALID', 'READ_REFUSED', 'READ_FAILED', 'NOT_CONNECTED', 'TIMEOUT'], `seed ${seed}: ${JSON.stringify(nodeId)} → ${error.code} ${error.message}`).toContain(error.code);
          expect(error.message.length).toBeGreaterThan(0);
        }
      }),
      { seed, numRuns: 150 },
    );
    expect(flow.runtime.connections().every((c) => c.state === 'connected')).toBe(true);
  });
});
