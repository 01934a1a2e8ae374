import type { FlowDocument } from '@plantwire/flow';
import type { DeployResponse, FlowsResponse, NodeTypesResponse } from '@plantwire/protocol';
import { describe, expect, it } from 'vitest';
import { ApiClientError, type ApiClient } from '../api/api-client.js';
import { createDraftStore, type StorageLike } from '../model/drafts.js';
import { demoDocument, MANIFESTS } from '../model/fixtures.js';
import { createEditorStore } from './editor-store.js';

function memoryStorage(): StorageLike {
  const data = new Map<string, string>();
  return { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

/** A server in memory that answers like apps/server: revisions, 409 on a stale one, 422 from a check. */
function fakeApi(initial: FlowDocument, check: (doc: FlowDocument) => ApiClientError | undefined = () => undefined) {
  const server = { document: initial, revision: 'r1', deploys: 0 };
  const api = {
    auth: async () => ({ required: false, authenticated: true }),
    nodeTypes: async (): Promise<NodeTypesResponse> => ({ nodes: MANIFESTS, connections: [] }),
    getFlows: async (): Promise<FlowsResponse> => ({ document: server.document, revision: server.revision }),
    deploy: async ({ document, revision }: { document: unknown; revision: string }): Promise<DeployResponse> => {
      if (revision !== server.revision) throw new ApiClientError(409, { code: 'REVISION_CONFLICT', message: 'the flow changed' }, 'PUT /api/flows');
      const refused = check(document as FlowDocument);
      if (refused) throw refused;
      server.deploys++;
      server.document = JSON.parse(JSON.stringify(document)) as FlowDocument;
      server.revision = `r${server.deploys + 1}`;
      return { revision: server.revision, started: [], stopped: [], restarted: [], unchanged: [], warnings: [] };
    },
  } as unknown as ApiClient;
  return { api, server };
}

async function booted(initial = demoDocument(), storage = memoryStorage(), check?: (doc: FlowDocument) => ApiClientError | undefined) {
  const { api, server } = fakeApi(initial, check);
  let clock = 1000;
  const store = createEditorStore({ api, drafts: createDraftStore(storage), now: () => (clock += 5000) });
  await store.getState().boot();
  return { store, server, storage };
}

describe('editor store', () => {
  it('knows the session\'s role (the toolbar disables Deploy for a viewer); none when the server needs no login', async () => {
    expect((await booted()).store.getState().role).toBeUndefined();
    const { api } = fakeApi(demoDocument());
    const viewer = { ...api, auth: async () => ({ required: true, authenticated: true, role: 'viewer' }) } as ApiClient;
    const store = createEditorStore({ api: viewer, drafts: createDraftStore(memoryStorage()), now: () => 0 });
    await store.getState().boot();
    expect(store.getState().role).toBe('viewer');
  });

  it('opens the deployed flow on its canvas with nothing pending', async () => {
    const { store } = await booted();
    const s = store.getState();
    expect(s.phase).toBe('ready');
    expect(s.nodes.map((n) => n.id)).toEqual(['tick', 'scale', 'print', 'publish']);
    expect(s.edges).toHaveLength(3);
    expect(s.pending.total).toBe(0);
  });

  it('adds a node, wires it through the shared rule, undoes and redoes both', async () => {
    const { store } = await booted();
    const id = store.getState().addNodeAt('debug', { x: 611, y: 289 })!;
    expect(store.getState().doc.layout?.nodes?.[id]).toEqual({ x: 620, y: 280 }); // snapped to the grid
    expect(store.getState().isValidConnection({ source: id, sourceHandle: 'in', target: 'scale', targetHandle: 'in' })).toBe(false);
    store.getState().onConnect({ source: 'tick', sourceHandle: 'out', target: id, targetHandle: 'in' });
    expect(store.getState().edges).toHaveLength(4);
    expect(store.getState().pending.semantic).toBe(2);
    store.getState().undo();
    expect(store.getState().edges).toHaveLength(3);
    store.getState().undo();
    expect(store.getState().nodes).toHaveLength(4);
    expect(store.getState().pending.total).toBe(0);
    store.getState().redo();
    store.getState().redo();
    expect(store.getState().edges).toHaveLength(4);
  });

  it('refuses a wire the server would refuse, and says why', async () => {
    const { store } = await booted();
    store.getState().onConnect({ source: 'print', sourceHandle: 'in', target: 'scale', targetHandle: 'in' });
    expect(store.getState().edges).toHaveLength(3);
    expect(store.getState().notice).toContain('must start at an output port');
  });

  it('writes a drag into the layout once, as one undo step, and counts it as a layout change', async () => {
    const { store } = await booted();
    store.getState().onNodesChange([{ type: 'position', id: 'tick', position: { x: 90, y: 110 }, dragging: true }]);
    expect(store.getState().doc.layout?.nodes?.['tick']).toEqual({ x: 80, y: 100 });
    store.getState().onNodesChange([{ type: 'position', id: 'tick', position: { x: 100, y: 120 }, dragging: false }]);
    expect(store.getState().doc.layout?.nodes?.['tick']).toEqual({ x: 100, y: 120 });
    expect(store.getState().pending).toMatchObject({ semantic: 0, layout: 1 });
    store.getState().undo();
    expect(store.getState().doc.layout?.nodes?.['tick']).toEqual({ x: 80, y: 100 });
  });

  it('copies, pastes with new ids, and deletes a selection', async () => {
    const { store } = await booted();
    store.getState().onNodesChange([{ type: 'select', id: 'scale', selected: true }, { type: 'select', id: 'print', selected: true }]);
    const text = store.getState().copy();
    expect(text).toContain('plantwire/selection');
    expect(store.getState().paste(text)).toBe(true);
    const ids = store.getState().nodes.map((n) => n.id);
    expect(ids).toEqual(['tick', 'scale', 'print', 'publish', 'change-1', 'debug-1']);
    expect([...store.getState().selectedNodes]).toEqual(['change-1', 'debug-1']);
    expect(store.getState().edges.some((e) => e.source === 'change-1' && e.target === 'debug-1')).toBe(true);
    store.getState().deleteSelection();
    expect(store.getState().nodes).toHaveLength(4);
    expect(store.getState().pending.total).toBe(0);
  });

  it('deploys, and a failed deploy keeps every edit and marks the offending node', async () => {
    const refuse = (doc: FlowDocument) =>
      doc.nodes.some((n) => n.config['intervalMs'] === -1)
        ? new ApiClientError(422, { code: 'FLOW_INVALID', message: '1 problem', issues: [{ severity: 'error', code: 'CONFIG_INVALID', message: 'must be >= 1', path: '$.nodes[0].config.intervalMs', nodeId: 'tick' }] }, 'PUT')
        : undefined;
    const { store, server } = await booted(demoDocument(), memoryStorage(), refuse);
    store.getState().updateConfig('tick', { intervalMs: -1 });
    await store.getState().deploy();
    const s = store.getState();
    expect(s.deployState.kind).toBe('invalid');
    expect(s.nodes.find((n) => n.id === 'tick')?.data).toMatchObject({ invalid: true, problem: 'intervalMs: must be >= 1' });
    expect(s.issues.get('tick')?.[0]?.path).toEqual(['intervalMs']);
    expect(s.doc.nodes[0]?.config).toEqual({ intervalMs: -1 });
    expect(server.deploys).toBe(0);
    store.getState().updateConfig('tick', { intervalMs: 250 });
    expect(store.getState().nodes.find((n) => n.id === 'tick')?.data.invalid).toBe(false);
    await store.getState().deploy();
    expect(store.getState().deployState.kind).toBe('deployed');
    expect(store.getState().pending.total).toBe(0);
    expect(server.document.nodes[0]?.config).toEqual({ intervalMs: 250 });
    expect(store.getState().revision).toBe('r2');
  });

  it('a deploy refused for want of the elevated role (403 ELEVATION_REQUIRED) names and marks the device-writing node', async () => {
    const refuse = () =>
      new ApiClientError(403, { code: 'FORBIDDEN', message: 'deploying node(s) that write to devices needs the admin role', issues: [{ severity: 'error', code: 'ELEVATION_REQUIRED', message: 'writes to Modbus device "plc": holding 10', path: '$.nodes[3]', nodeId: 'publish' }] }, 'PUT');
    const { store, server } = await booted(demoDocument(), memoryStorage(), refuse);
    store.getState().updateConfig('tick', { intervalMs: 500 });
    await store.getState().deploy();
    const s = store.getState();
    expect(s.deployState).toMatchObject({ kind: 'invalid', message: expect.stringContaining('admin role') });
    expect(s.nodes.find((n) => n.id === 'publish')?.data).toMatchObject({ invalid: true });
    expect(server.deploys).toBe(0);
  });

  it('keeps unsaved edits over a reload (draft), and a stale draft gets a conflict with both ways out', async () => {
    const storage = memoryStorage();
    const first = await booted(demoDocument(), storage);
    first.store.getState().updateConfig('tick', { intervalMs: 42 });
    // The App saves drafts on change; do what it does.
    createDraftStore(storage).save(first.store.getState().doc, first.store.getState().revision, new Date(0));

    // Someone else deploys meanwhile; then the page reloads.
    const { api, server } = fakeApi(demoDocument());
    server.revision = 'r9';
    const store = createEditorStore({ api, drafts: createDraftStore(storage), now: () => 0 });
    await store.getState().boot();
    expect(store.getState().doc.nodes[0]?.config).toEqual({ intervalMs: 42 });
    expect(store.getState().pending.semantic).toBe(1);
    expect(store.getState().notice).toContain('Restored unsaved changes');

    await store.getState().deploy();
    expect(store.getState().deployState.kind).toBe('conflict');
    await store.getState().reloadKeepDraft();
    expect(store.getState().revision).toBe('r9');
    expect(store.getState().doc.nodes[0]?.config).toEqual({ intervalMs: 42 });
    await store.getState().deploy();
    expect(store.getState().deployState.kind).toBe('deployed');
    expect(createDraftStore(storage).load()).toBeUndefined();

    store.getState().updateConfig('tick', { intervalMs: 7 });
    await store.getState().discardChanges();
    expect(store.getState().doc.nodes[0]?.config).toEqual({ intervalMs: 42 });
    expect(store.getState().pending.total).toBe(0);
  });

  it('keeps tabs apart and lays out a selection', async () => {
    const { store } = await booted();
    store.getState().addTab();
    expect(store.getState().tabs.map((t) => t.label)).toEqual(['demo', 'Flow 1']);
    expect(store.getState().nodes).toEqual([]);
    store.getState().addNodeAt('inject', { x: 0, y: 0 });
    store.getState().addNodeAt('debug', { x: 0, y: 0 });
    store.getState().onConnect({ source: 'inject-1', sourceHandle: 'out', target: 'debug-1', targetHandle: 'in' });
    store.getState().layoutSelection();
    const [a, b] = store.getState().nodes;
    expect(a!.position.x).toBeLessThan(b!.position.x);
    store.getState().setActiveTab('');
    expect(store.getState().nodes).toHaveLength(4);
  });

  it('creates a connection entry from a node\'s form and puts it in the node\'s empty reference field', async () => {
    const { store } = await booted();
    const id = store.getState().addNodeAt('mqtt-out', { x: 0, y: 0 })!;
    store.getState().editConnection(undefined, 'mqtt-broker', id);
    const s = store.getState();
    expect(s.selectedConnection).toBe('mqtt-broker-1');
    expect(s.doc.connections?.map((c) => c.id)).toEqual(['broker', 'mqtt-broker-1']);
    expect(s.doc.nodes.find((n) => n.id === id)?.config).toEqual({ broker: 'mqtt-broker-1' });
    store.getState().undo();
    expect(store.getState().doc.connections?.map((c) => c.id)).toEqual(['broker']);
  });
});
