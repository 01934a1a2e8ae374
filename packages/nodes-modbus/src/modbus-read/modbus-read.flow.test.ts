import { createServer } from 'node:net';
import { change, debug } from '@plantwire/nodes-core';
import { startPlant, type Plant } from '@plantwire/sim';
import { runFlow } from '@plantwire/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { modbusConnections, modbusNodes } from '../index.js';
import document from './modbus-read.flow.json';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let plant: Plant;
let flow: Flow | undefined;

beforeAll(async () => {
  plant = await startPlant({ ports: { modbus: 0 }, servers: ['modbus'] });
});
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
  plant.force('Line1/Machine1/Temperature', undefined);
  plant.force('Line1/Machine1/PartCount', undefined);
});
afterAll(async () => {
  await plant?.stop();
});

const run = (doc: unknown, port: number) =>
  runFlow(doc, {
    nodeTypes: [...modbusNodes, change, debug],
    connectionTypes: modbusConnections,
    env: { MODBUS_PORT: String(port) },
    connectionBackoff: { initialMs: 20, maxMs: 100 },
  });

type Shown = { topic?: string; payload?: unknown; quality?: string };
const shown = (f: Flow): Shown[] => f.debug.map((d) => d.value as Shown);

/** A port nothing listens on: bound by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('modbus-read → change → debug against the simulated PLC', () => {
  it('reports each tag as it changes, goes bad when the PLC restarts, and recovers on reconnect', async () => {
    plant.force('Line1/Machine1/Temperature', 66.5);
    plant.force('Line1/Machine1/PartCount', 70_001);
    flow = await run(document, plant.endpoints.modbus.port);
    const f = flow;
    await f.waitFor(() => shown(f).length >= 2, { timeoutMs: 3000 });
    expect(shown(f).slice(0, 2)).toEqual([
      expect.objectContaining({ topic: 'line1/machine1/Temperature', payload: 66.5, quality: 'good' }),
      expect.objectContaining({ topic: 'line1/machine1/PartCount', payload: 70_001, quality: 'good' }),
    ]);
    plant.force('Line1/Machine1/PartCount', 70_002);
    await f.waitFor(() => shown(f).some((m) => m.payload === 70_002));

    await plant.faults.restart('modbus');
    await f.waitFor(() => shown(f).some((m) => m.topic === 'line1/machine1/Temperature' && m.quality === 'bad'), { timeoutMs: 3000 });
    const badAt = shown(f).findIndex((m) => m.quality === 'bad');
    await f.waitFor(() => shown(f).slice(badAt).some((m) => m.topic === 'line1/machine1/Temperature' && m.quality === 'good'), { timeoutMs: 3000 });
    const afterRestart = shown(f).slice(badAt);
    expect(afterRestart.find((m) => m.topic === 'line1/machine1/Temperature' && m.quality === 'good')?.payload).toBe(66.5);
    // The bad value carried its reason to the node's output.
    const badOut = f.sent('read').find((m) => (m.payload as { quality: string }).quality === 'bad');
    expect((badOut!.payload as { reason: string }).reason).toMatch(/^not connected/);
    expect(f.errors).toEqual([]);
  });

  it('an unreachable device gives bad quality with the reason, not silence', async () => {
    const doc = structuredClone(document) as typeof document;
    doc.nodes[0]!.config.output = 'poll'; // every poll reports, so the reason can be followed as it becomes known
    flow = await run(doc, await closedPort());
    const f = flow;
    const polls = () => f.sent('read').map((m) => m.payload as Record<string, { quality: string; reason: string; value: unknown }>);
    await f.waitFor(() => polls().some((p) => /ECONNREFUSED/.test(p['Temperature']!.reason)), { timeoutMs: 3000 });
    for (const p of polls()) {
      for (const v of Object.values(p)) expect(v).toMatchObject({ quality: 'bad', value: null, reason: expect.stringMatching(/^not connected \(/) });
    }
    expect(polls().at(-1)!['PartCount']!.reason).toMatch(/^not connected \(.*cannot connect to 127\.0\.0\.1:\d+.*ECONNREFUSED/);
  });

  it('refuses at deploy a register map with overlapping tags, naming the tag by name and index', async () => {
    const doc = structuredClone(document) as typeof document;
    doc.nodes[0]!.config.tags!.push({ name: 'Overlap', address: 1, type: 'uint16', unit: 'x', deadband: 0 });
    await expect(run(doc, 1)).rejects.toThrow(
      /error CONFIG_INVALID at \$\.nodes\[0\]\.config\.tags\[2\]\.address \(node "read"\): tags\[2\] "Overlap": holding register 1 of the device's default unit overlaps tags\[0\] "Temperature" at 0–1/,
    );
  });
});
