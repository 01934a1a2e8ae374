import { connectionRef, defineConnection, defineNode, type BrowseItem, type ConnectionBrowsePage } from '@plantwire/node-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { Runtime } from './api.js';
import { BrowseError } from './browse-connection.js';
import { createRuntime } from './create-runtime.js';
import { captureLogger, recordRuntime, type RuntimeRecording } from './fixtures/record-runtime.js';
import { LineClient, lineCalls, startLineServer, tcpLine, type LineServer } from './fixtures/tcp-line.js';
import { fixtureTypes, flowDoc, received, wire } from './fixtures/test-node-types.js';

/** The address space the `line-tree` type "has": folder → children. */
const TREE: Record<string, readonly BrowseItem[]> = {
  root: [
    { nodeId: 'plant', browseName: 'plant', displayName: 'Plant', nodeClass: 'Object' },
    { nodeId: 'uptime', browseName: 'uptime', displayName: 'Uptime', nodeClass: 'Variable', dataType: 'i=7' },
  ],
  plant: ['a', 'b', 'c', 'd', 'e'].map((n) => ({ nodeId: `plant.${n}`, browseName: n, displayName: n.toUpperCase(), nodeClass: 'Variable' as const, dataType: 'i=11' })),
};

/** What each browse saw: the client's local port (which client it ran on) and whether its signal was aborted in the end. */
const browseCalls: Array<{ port: number; signal: AbortSignal }> = [];

/** A `tcp-line` that can be browsed: paged by offset, `hang` never answers, unknown nodes are refused. */
const lineTree = defineConnection({
  type: 'line-tree',
  version: 1,
  summary: 'A browsable line server (test fixture).',
  config: tcpLine.config,
  connect: (ctx) => tcpLine.connect(ctx),
  disconnect: (client, ctx) => tcpLine.disconnect(client, ctx),
  browse(client: LineClient, request): Promise<ConnectionBrowsePage> {
    browseCalls.push({ port: client.localPort, signal: request.signal });
    const node = request.node ?? 'root';
    if (node === 'hang') return new Promise(() => undefined);
    const all = TREE[node];
    if (!all) return Promise.reject(new Error(`no node "${node}" (BadNodeIdUnknown)`));
    const from = request.continuationPoint === undefined ? 0 : Number(request.continuationPoint);
    const to = request.maxItems ? from + request.maxItems : all.length;
    return Promise.resolve({ node, items: all.slice(from, to), ...(to < all.length ? { continuationPoint: String(to) } : {}) });
  },
});

/** Subscribes to topic `t` on a `line-tree` connection and emits what arrives. */
const treeIn = defineNode({
  type: 'tree-in',
  version: 1,
  category: 'source',
  summary: 'Messages of topic "t".',
  outputs: { out: 'Messages.' },
  config: z.object({ server: connectionRef(lineTree) }),
  setup(ctx) {
    ctx.connection<LineClient>(ctx.config.server).onConnected((client) => {
      client.subscribe('t');
      client.onMessage((topic, text) => ctx.emit({ topic, payload: text }));
    });
  },
});

let runtimes: Runtime[] = [];
let servers: LineServer[] = [];
beforeEach(() => {
  lineCalls.connect = 0;
  lineCalls.connected.length = 0;
  browseCalls.length = 0;
});
afterEach(async () => {
  await Promise.all(runtimes.map((rt) => rt.stop({ drainTimeoutMs: 50 })));
  await Promise.all(servers.map((s) => s.stop()));
  runtimes = [];
  servers = [];
});

function start(): { rt: Runtime; rec: RuntimeRecording } {
  const { logger, lines } = captureLogger();
  const rt = createRuntime({
    nodeTypes: [...fixtureTypes, treeIn],
    connectionTypes: [tcpLine, lineTree],
    env: {},
    logger,
    closeTimeoutMs: 500,
    connectionBackoff: { initialMs: 10_000, maxMs: 10_000, random: () => 1 },
  });
  runtimes.push(rt);
  return { rt, rec: recordRuntime(rt, lines) };
}

/** A runtime whose `tree` connection is connected and used by a subscribing node (`in` → `out`). */
async function connected(): Promise<{ rt: Runtime; rec: RuntimeRecording; s: LineServer }> {
  const s = await startLineServer();
  servers.push(s);
  const { rt, rec } = start();
  s.onChange(rec.poke);
  const result = await rt.deploy(
    flowDoc([{ id: 'in', type: 'tree-in', config: { server: 'tree' } }, { id: 'out', type: 'collect' }], [wire('in', 'out')], {
      connections: [
        { id: 'tree', type: 'line-tree', config: { port: s.port } },
        { id: 'spare', type: 'line-tree', config: { port: s.port } },
        { id: 'line', type: 'tcp-line', config: { port: s.port } },
      ],
    }),
  );
  if (!result.ok) throw new Error(JSON.stringify(result.issues, null, 2));
  await rec.waitFor(() => s.sockets[0]?.subs.length === 1, 'the subscription of "in"');
  return { rt, rec, s };
}

/** The BrowseError a browse rejects with. */
async function failure(p: Promise<unknown>): Promise<BrowseError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BrowseError);
  return err as BrowseError;
}

describe('runtime.browse', () => {
  it('lists the root, then a node page by page, on the live client, while the node on it keeps working', async () => {
    const { rt, rec, s } = await connected();
    expect(await rt.browse('tree')).toEqual({ node: 'root', items: TREE['root'] });

    const pages: ConnectionBrowsePage[] = [await rt.browse('tree', { node: 'plant', maxItems: 2 })];
    for (let i = 0; i < 5 && pages.at(-1)!.continuationPoint !== undefined; i++) {
      pages.push(await rt.browse('tree', { node: 'plant', maxItems: 2, continuationPoint: pages.at(-1)!.continuationPoint }));
    }
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.items)).toEqual(TREE['plant']);
    expect(pages.at(-1)!.continuationPoint).toBeUndefined();

    // One client: the one connect, used by every browse; nothing reconnected or resubscribed.
    expect(lineCalls.connect).toBe(1);
    expect(s.sockets).toHaveLength(1);
    expect(new Set(browseCalls.map((c) => c.port))).toEqual(new Set([lineCalls.connected[0]]));
    expect(s.publish('t', 'still-here')).toBe(1);
    await rec.waitFor(() => received.get('out')!.length === 1, 'a message after browsing');
    expect(received.get('out')![0]).toMatchObject({ payload: 'still-here' });
  });

  it('rejects CONNECTION_UNKNOWN for an id not in the running document (and before any deploy)', async () => {
    const { rt } = start();
    const before = await failure(rt.browse('tree'));
    expect(before.code).toBe('CONNECTION_UNKNOWN');
    const { rt: running } = await connected();
    const err = await failure(running.browse('nope', { node: 'plant' }));
    expect(err).toMatchObject({ code: 'CONNECTION_UNKNOWN', connectionId: 'nope', message: expect.stringContaining('"nope"') });
  });

  it('rejects NOT_SUPPORTED for a type without browse, naming the connection and its type', async () => {
    const { rt } = await connected();
    const err = await failure(rt.browse('line'));
    expect(err).toMatchObject({ code: 'NOT_SUPPORTED', connectionId: 'line' });
    expect(err.message).toMatch(/connection "line".*"tcp-line"/);
  });

  it('rejects NOT_CONNECTED for an entry no running node uses, without opening a client for it', async () => {
    const { rt, s } = await connected();
    const err = await failure(rt.browse('spare'));
    expect(err).toMatchObject({ code: 'NOT_CONNECTED', connectionId: 'spare' });
    expect(err.message).toMatch(/no running node uses it/);
    expect(s.sockets).toHaveLength(1);
    expect(browseCalls).toEqual([]);
  });

  it('rejects NOT_CONNECTED with the reason when the link is down', async () => {
    const { rt, rec, s } = await connected();
    await s.stop();
    await rec.waitFor(() => rt.connections().find((c) => c.id === 'tree')?.state === 'waiting', 'the loss');
    const err = await failure(rt.browse('tree'));
    expect(err).toMatchObject({ code: 'NOT_CONNECTED', connectionId: 'tree' });
    expect(err.message).toMatch(/connection "tree" \(line-tree\): it is not connected: connection lost: the server closed the connection/);
    expect(browseCalls).toEqual([]);
  });

  it('rejects BROWSE_FAILED when the device refuses, naming the node and the connection, with the cause', async () => {
    const { rt } = await connected();
    const err = await failure(rt.browse('tree', { node: 'missing' }));
    expect(err).toMatchObject({ code: 'BROWSE_FAILED', connectionId: 'tree' });
    expect(err.message).toBe('browsing "missing" of connection "tree" (line-tree) failed: no node "missing" (BadNodeIdUnknown)');
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('rejects TIMEOUT when the device does not answer within the bound, and aborts the request', async () => {
    const { rt } = await connected();
    const err = await failure(rt.browse('tree', { node: 'hang', timeoutMs: 30 }));
    expect(err).toMatchObject({ code: 'TIMEOUT', connectionId: 'tree', message: 'browsing "hang" of connection "tree" (line-tree) did not finish within 30 ms' });
    expect(browseCalls.at(-1)!.signal.aborted).toBe(true);
    // The connection is untouched by a browse that timed out.
    expect(rt.connections().find((c) => c.id === 'tree')?.state).toBe('connected');
  });

  it('refuses a malformed request before touching the device', async () => {
    const { rt } = await connected();
    await expect(rt.browse('tree', { node: '' })).rejects.toThrow(/browse of connection "tree": node must be a non-empty string/);
    await expect(rt.browse('tree', { maxItems: -1 })).rejects.toThrow(/maxItems must be an integer ≥ 0/);
    expect(browseCalls).toEqual([]);
  });
});
