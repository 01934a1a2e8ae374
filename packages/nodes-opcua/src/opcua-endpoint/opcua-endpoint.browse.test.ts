import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowseItem } from '@plantwire/node-sdk';
import { debug } from '@plantwire/nodes-core';
import type { BrowseError } from '@plantwire/runtime';
import { startPlant, type Plant } from '@plantwire/sim';
import { runFlow, type FlowUnderTest } from '@plantwire/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opcuaConnections, opcuaNodes } from '../index.js';

const MACHINE = 'ns=1;s=Line1.Machine1';
/** Variables in the sim's `Extra` folder: more than one default page (100), so the runtime's default paging shows. */
const EXTRA_COUNT = 230;

/** A subscription keeps the connection open (the runtime opens a connection only for running nodes). */
const document = {
  version: 1,
  name: 'browse: a subscribed endpoint, and one no node uses',
  connections: [
    { id: 'plant-opcua', type: 'opcua-endpoint', config: { endpointUrl: '${OPCUA_URL}' } },
    { id: 'unused', type: 'opcua-endpoint', config: { endpointUrl: '${OPCUA_URL}' } },
  ],
  nodes: [
    {
      id: 'temperature',
      type: 'opcua-subscribe',
      config: { endpoint: 'plant-opcua', publishingIntervalMs: 100, items: [{ nodeId: `${MACHINE}.Temperature`, name: 'temperature', samplingIntervalMs: 100 }] },
    },
    { id: 'out', type: 'debug', config: { property: 'payload' } },
  ],
  wires: [{ from: { node: 'temperature', port: 'out' }, to: { node: 'out', port: 'in' } }],
};

async function rejection(p: Promise<unknown>): Promise<BrowseError> {
  return p.then(
    () => {
      throw new Error('expected the browse to reject');
    },
    (err: unknown) => err as BrowseError,
  );
}

describe('runtime.browse on an opcua-endpoint against the simulated plant', () => {
  let dir: string;
  let plant: Plant;
  let flow: FlowUnderTest;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plantwire-opcua-browse-'));
    plant = await startPlant({ servers: ['opcua'], ports: { opcua: 0 }, dataDir: join(dir, 'plant'), opcuaExtraVariables: { count: EXTRA_COUNT, periodMs: 1000 } });
    flow = await runFlow(document, {
      nodeTypes: [...opcuaNodes, debug],
      connectionTypes: opcuaConnections,
      env: { OPCUA_URL: plant.endpoints.opcua },
      dataDir: join(dir, 'runtime'),
      connectionBackoff: { initialMs: 50, maxMs: 250 },
    });
    await flow.next('temperature', { timeoutMs: 20_000 });
  }, 60_000);
  afterAll(async () => {
    await flow?.stop();
    await plant?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists the Objects folder by default: the Server object, the line and the Extra folder', async () => {
    const root = await flow.runtime.browse('plant-opcua');
    expect(root.node).toBe('i=85');
    expect(root.continuationPoint).toBeUndefined();
    const byName = new Map(root.items.map((i) => [i.browseName, i]));
    expect(byName.get('Server')).toMatchObject({ nodeId: 'ns=0;i=2253', nodeClass: 'Object' });
    expect(byName.get('1:Line1')).toMatchObject({ nodeId: 'ns=1;s=Line1', displayName: 'Line1', nodeClass: 'Object' });
    expect(byName.get('1:Extra')).toMatchObject({ nodeId: 'ns=1;s=Extra', displayName: 'Extra', nodeClass: 'Object' });
  });

  it('walks down to a machine and lists its variables with their data types', async () => {
    const line = await flow.runtime.browse('plant-opcua', { node: 'ns=1;s=Line1' });
    expect(line.node).toBe('ns=1;s=Line1');
    expect(line.items).toContainEqual(expect.objectContaining({ nodeId: MACHINE, browseName: '1:Machine1', nodeClass: 'Object' }));
    const machine = await flow.runtime.browse('plant-opcua', { node: MACHINE });
    expect(machine.items).toContainEqual({ nodeId: `${MACHINE}.Temperature`, browseName: '1:Temperature', displayName: 'Temperature', nodeClass: 'Variable', dataType: 'ns=0;i=11' });
    expect(machine.items.map((i) => i.browseName)).toEqual(expect.arrayContaining(['1:Setpoint', '1:Running', '1:AlarmMessage']));
  });

  it('pages a large folder with continuation points (the default page size, then a chosen one), on the subscription\'s session', async () => {
    const before = flow.sent('temperature').length;
    const pages: Array<{ items: readonly BrowseItem[]; continuationPoint?: string | undefined }> = [await flow.runtime.browse('plant-opcua', { node: 'ns=1;s=Extra' })];
    for (let i = 0; i < 10 && pages.at(-1)!.continuationPoint !== undefined; i++) {
      pages.push(await flow.runtime.browse('plant-opcua', { node: 'ns=1;s=Extra', continuationPoint: pages.at(-1)!.continuationPoint }));
    }
    expect(pages.map((p) => p.items.length)).toEqual([100, 100, EXTRA_COUNT - 200]);
    const ids = pages.flatMap((p) => p.items.map((i) => i.nodeId));
    expect(new Set(ids).size).toBe(EXTRA_COUNT);
    expect(ids).toContain('ns=1;s=Extra.V000');
    expect(ids).toContain(`ns=1;s=Extra.V${EXTRA_COUNT - 1}`);
    expect(pages[0]!.items[0]).toMatchObject({ nodeClass: 'Variable', dataType: 'ns=0;i=11' });

    const small = await flow.runtime.browse('plant-opcua', { node: MACHINE, maxItems: 2 });
    expect(small.items).toHaveLength(2);
    expect(small.continuationPoint).toBeTypeOf('string');
    const next = await flow.runtime.browse('plant-opcua', { node: MACHINE, maxItems: 2, continuationPoint: small.continuationPoint });
    expect(next.items.length).toBeGreaterThan(0);
    expect(next.items.map((i) => i.nodeId)).not.toContain(small.items[0]!.nodeId);

    // The same connection, undisturbed: one connect, and the subscription keeps delivering.
    expect(flow.runtime.connections().find((c) => c.id === 'plant-opcua')).toMatchObject({ state: 'connected', attempt: 1 });
    await flow.waitFor(() => flow.sent('temperature').length > before + 1, { timeoutMs: 5000 });
    expect(flow.errors).toEqual([]);
  });

  it('rejects BROWSE_FAILED naming an unknown node, and NOT_CONNECTED for an entry no node uses', async () => {
    const unknown = await rejection(flow.runtime.browse('plant-opcua', { node: 'ns=1;s=NoSuchThing' }));
    expect(unknown).toMatchObject({ code: 'BROWSE_FAILED', connectionId: 'plant-opcua' });
    expect(unknown.message).toMatch(/browsing "ns=1;s=NoSuchThing" of connection "plant-opcua" \(opcua-endpoint\) failed: .*BadNodeIdUnknown/);
    const unused = await rejection(flow.runtime.browse('unused'));
    expect(unused).toMatchObject({ code: 'NOT_CONNECTED', connectionId: 'unused', message: expect.stringMatching(/no running node uses it/) });
    const missing = await rejection(flow.runtime.browse('nope'));
    expect(missing).toMatchObject({ code: 'CONNECTION_UNKNOWN', connectionId: 'nope' });
  });

  // Last: it stops the server.
  it('rejects NOT_CONNECTED, with the reason, once the server is down', async () => {
    await plant.stop();
    await flow.waitFor(() => flow.runtime.connections().find((c) => c.id === 'plant-opcua')?.state === 'waiting', { timeoutMs: 10_000 });
    const down = await rejection(flow.runtime.browse('plant-opcua'));
    expect(down.code).toBe('NOT_CONNECTED');
    expect(down.message).toMatch(/^cannot browse connection "plant-opcua" \(opcua-endpoint\): it is not connected: /);
  });
});
