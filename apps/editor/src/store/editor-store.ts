import type { FlowDocument } from '@plantwire/flow';
import type { NodeManifest } from '@plantwire/protocol';
import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from '@xyflow/react';
import { create } from 'zustand';
import { ApiClientError, type ApiClient } from '../api/api-client.js';
import { tabsOf, type EditorState } from './editor-state.js';
import { assignConnection } from '../model/assign-connection.js';
import { autoLayout } from '../model/auto-layout.js';
import { fallbackLayout } from '../model/fallback-layout.js';
import type { CanvasEdge, CanvasNode } from '../model/canvas-types.js';
import { copySelection, parseClipboard } from '../model/clipboard.js';
import { checkWire } from '../model/connection-rules.js';
import { documentToCanvas, gridPosition, tabKeyOf, UNTABBED, withPositions } from '../model/document-to-canvas.js';
import type { DraftStore } from '../model/drafts.js';
import * as edit from '../model/edit-document.js';
import { createHistory, record, redo, undo } from '../model/history.js';
import { issuesByEntry, type ConfigIssue } from '../model/issues-by-node.js';
import { mergeFragment, type Fragment } from '../model/merge-fragment.js';
import { nodeGeometry, nodeSize } from '../model/node-geometry.js';
import { NO_CHANGES, pendingChanges } from '../model/pending-changes.js';

/** What the store needs from outside, injected so it runs in a unit test without a browser. */
export interface EditorDeps {
  readonly api: ApiClient;
  readonly drafts: DraftStore;
  readonly now: () => number;
  /** As-you-type config check (the inspector's `validateConfigLocally`). */
  readonly validateConfig?: (manifest: NodeManifest, config: unknown) => readonly ConfigIssue[];
  /** Called after a successful login with the new token, and with undefined on a 401. */
  readonly onToken?: (token: string | undefined) => void;
}

/** A partial update of the state (mutable while being built). */
type Patch = { -readonly [K in keyof EditorState]?: EditorState[K] };

/** Above this many nodes the minimap starts switched off. */
export const MINIMAP_DEFAULT_MAX_NODES = 500;

const EMPTY_DOCUMENT: FlowDocument = { version: 1, nodes: [], wires: [] };
const EMPTY_SET: ReadonlySet<string> = new Set();

export function createEditorStore(deps: EditorDeps) {
  // First local problem per config object: a config is immutable, so the answer never goes stale.
  const localProblems = new WeakMap<object, string | null>();
  // One geometry object per manifest, shared by every node of the type.
  const geometries = new WeakMap<NodeManifest, ReturnType<typeof nodeGeometry>>();
  const unknownGeometry = nodeGeometry(undefined);
  const fallbackFor = (doc: FlowDocument, manifests: ReadonlyMap<string, NodeManifest>) => fallbackLayout(doc, (type) => nodeSize(manifests.get(type)));
  const geometryFor = (manifest: NodeManifest | undefined): ReturnType<typeof nodeGeometry> => {
    if (!manifest) return unknownGeometry;
    let geometry = geometries.get(manifest);
    if (!geometry) geometries.set(manifest, (geometry = nodeGeometry(manifest)));
    return geometry;
  };

  return create<EditorState>()((set, get) => {
    /** Node id → first problem, for the nodes of one tab: server errors first, then the local schema check. */
    function problemsFor(doc: FlowDocument, tab: string, issues: ReadonlyMap<string, readonly ConfigIssue[]>, manifests: ReadonlyMap<string, NodeManifest>): Map<string, string> {
      const problems = new Map<string, string>();
      for (const node of doc.nodes) {
        if (tabKeyOf(node) !== tab) continue;
        const server = issues.get(node.id)?.find((i) => i.severity === 'error');
        if (server) {
          problems.set(node.id, server.path.length > 0 ? `${server.path.join('.')}: ${server.message}` : server.message);
          continue;
        }
        const manifest = manifests.get(node.type);
        if (!manifest) {
          problems.set(node.id, `unknown node type "${node.type}"`);
          continue;
        }
        if (!deps.validateConfig) continue;
        const config = node.config ?? {};
        let problem = localProblems.get(config);
        if (problem === undefined) {
          const first = deps.validateConfig(manifest, config).find((i) => i.severity === 'error');
          problem = first ? (first.path.length > 0 ? `${first.path.join('.')}: ${first.message}` : first.message) : null;
          localProblems.set(config, problem);
        }
        if (problem !== null) problems.set(node.id, problem);
      }
      return problems;
    }

    /** Re-derive what depends on the working copy: canvas of the active tab, tabs, pending changes. */
    function derive(doc: FlowDocument, patch: Partial<EditorState> = {}): Partial<EditorState> {
      const state = { ...get(), ...patch };
      const tabs = tabsOf(doc);
      const activeTab = tabs.some((t) => t.id === state.activeTab) ? state.activeTab : (tabs[0]?.id ?? UNTABBED);
      const onTab = new Set(doc.nodes.filter((n) => tabKeyOf(n) === activeTab).map((n) => n.id));
      const selectedNodes = new Set([...state.selectedNodes].filter((id) => onTab.has(id)));
      const canvas = documentToCanvas(doc, activeTab, {
        selectedNodes,
        selectedEdges: state.selectedEdges,
        problems: problemsFor(doc, activeTab, state.issues, state.manifests),
        geometry: (type) => geometryFor(state.manifests.get(type)),
        fallback: state.fallback,
        ...(activeTab === get().activeTab ? { previous: { nodes: get().nodes, edges: get().edges } } : {}),
      });
      const liveEdges = new Set(canvas.edges.map((e) => e.id));
      const selectedEdges = new Set([...state.selectedEdges].filter((id) => liveEdges.has(id)));
      const selectedConnection = state.selectedConnection !== undefined && doc.connections?.some((c) => c.id === state.selectedConnection) ? state.selectedConnection : undefined;
      return {
        ...patch,
        doc,
        tabs,
        activeTab,
        nodes: canvas.nodes,
        edges: canvas.edges,
        selectedNodes,
        selectedEdges,
        selectedConnection,
        pending: state.deployed ? pendingChanges(state.deployed, doc) : NO_CHANGES,
      };
    }

    /** Every edit goes through here: one history step (or coalesced into the last), then derive. */
    function commit(next: FlowDocument, key?: string, patch: Partial<EditorState> = {}): void {
      const history = record(get().history, next, { at: deps.now(), ...(key !== undefined ? { key } : {}) });
      if (history === get().history && Object.keys(patch).length === 0) return;
      set(derive(history.present, { ...patch, history }));
    }

    function failWith(err: unknown, attempted: string): void {
      if (err instanceof ApiClientError && err.status === 401) {
        deps.onToken?.(undefined);
        set({ phase: 'login', loginError: 'Your session ended; log in again.' });
        return;
      }
      set({ notice: `${attempted}: ${err instanceof Error ? err.message : String(err)}` });
    }

    function selectionOnTab(): string[] {
      return get().nodes.filter((n) => get().selectedNodes.has(n.id)).map((n) => n.id);
    }

    async function loadServerDocument(): Promise<{ document: FlowDocument; revision: string }> {
      const flows = await deps.api.getFlows();
      return { document: flows.document, revision: flows.revision };
    }

    return {
      phase: 'loading',
      loadError: undefined,
      loginError: undefined,
      role: undefined,
      nodeManifests: [],
      manifests: new Map(),
      connectionManifests: new Map(),
      deployed: undefined,
      revision: '',
      history: createHistory(EMPTY_DOCUMENT),
      doc: EMPTY_DOCUMENT,
      tabs: tabsOf(EMPTY_DOCUMENT),
      activeTab: UNTABBED,
      nodes: [],
      edges: [],
      selectedNodes: EMPTY_SET,
      selectedEdges: EMPTY_SET,
      selectedConnection: undefined,
      pending: NO_CHANGES,
      issues: new Map(),
      deployState: { kind: 'idle' },
      notice: undefined,
      snapToGrid: true,
      minimap: true,
      debugOpen: true,
      helpOpen: false,
      importOpen: false,
      trend: undefined,
      focus: undefined,
      clipboard: undefined,
      fallback: new Map(),

      async boot() {
        set({ phase: 'loading', loadError: undefined });
        try {
          const auth = await deps.api.auth();
          if (auth.required && !auth.authenticated) {
            set({ phase: 'login' });
            return;
          }
          const [types, server] = await Promise.all([deps.api.nodeTypes(), loadServerDocument()]);
          const manifests = new Map(types.nodes.map((m) => [m.type, m]));
          set({ role: auth.required ? auth.role : undefined });
          const connectionManifests = new Map(types.connections.map((m) => [m.type, m]));
          const draft = deps.drafts.load();
          const working = draft ? draft.document : server.document;
          const revision = draft ? draft.baseRevision : server.revision;
          const notice = draft
            ? `Restored unsaved changes from ${new Date(draft.savedAt).toLocaleString()}${draft.baseRevision !== server.revision ? ' (the flow has been deployed since; deploying will ask what to keep)' : ''}.`
            : undefined;
          // The minimap redraws every node on every drag frame: off by default for big flows (one click turns it on).
          set({ minimap: working.nodes.length <= MINIMAP_DEFAULT_MAX_NODES, manifests, connectionManifests, nodeManifests: types.nodes, deployed: server.document, revision, history: createHistory(working), fallback: fallbackFor(working, manifests), issues: new Map(), notice, activeTab: tabsOf(working)[0]?.id ?? UNTABBED, nodes: [], edges: [] });
          set({ ...derive(working), phase: 'ready' });
          if (draft && get().pending.total === 0 && draft.baseRevision === server.revision) deps.drafts.clear();
        } catch (err) {
          if (err instanceof ApiClientError && err.status === 401) {
            deps.onToken?.(undefined);
            set({ phase: 'login' });
            return;
          }
          set({ phase: 'failed', loadError: err instanceof Error ? err.message : String(err) });
        }
      },

      async login(password) {
        set({ loginError: undefined });
        try {
          const { token } = await deps.api.login(password);
          deps.onToken?.(token);
          await get().boot();
        } catch (err) {
          const message = err instanceof ApiClientError ? (err.status === 401 ? 'Wrong password.' : err.error.message) : String(err);
          set({ loginError: message });
        }
      },

      onNodesChange(changes) {
        const moved: Array<{ id: string; position: { x: number; y: number } }> = [];
        let selectionChanged = false;
        for (const change of changes) {
          if (change.type === 'position' && change.position && change.dragging === false) moved.push({ id: change.id, position: change.position });
          if (change.type === 'select') selectionChanged = true;
        }
        // Removal goes through deleteSelection (one undo step, wires too); the canvas never removes on its own.
        const applicable = changes.filter((c) => c.type !== 'remove' && c.type !== 'add' && c.type !== 'replace');
        const nodes = applicable.length > 0 ? (applyNodeChanges(applicable as NodeChange<never>[], get().nodes as never[]) as unknown as CanvasNode[]) : get().nodes;
        const patch: Patch = { nodes };
        if (selectionChanged) {
          patch.selectedNodes = new Set(nodes.filter((n) => n.selected).map((n) => n.id));
          patch.selectedConnection = undefined;
        }
        if (moved.length > 0) {
          // A drag ends (or an arrow key nudges) with dragging: false: written to the layout once,
          // and nudges of the same nodes in quick succession are one undo step.
          set(patch);
          const key = `move:${moved.map((m) => m.id).sort().join(',')}`;
          commit(withPositions(get().doc, moved), key);
          return;
        }
        set(patch);
      },

      onEdgesChange(changes) {
        const selects = changes.filter((c) => c.type === 'select');
        if (selects.length === 0) return;
        const edges = applyEdgeChanges(selects as EdgeChange<never>[], get().edges as never[]) as unknown as CanvasEdge[];
        set({ edges, selectedEdges: new Set(edges.filter((e) => e.selected).map((e) => e.id)), selectedConnection: undefined });
      },

      isValidConnection(connection) {
        const nodes = get().doc.nodes;
        const typeOf = (id: string) => nodes.find((n) => n.id === id)?.type;
        return checkWire(connection, typeOf, (type) => get().manifests.get(type)).ok;
      },

      onConnect(connection) {
        const typeOf = (id: string) => get().doc.nodes.find((n) => n.id === id)?.type;
        const check = checkWire(connection, typeOf, (type) => get().manifests.get(type));
        if (!check.ok) {
          set({ notice: `Cannot wire: ${check.reason}` });
          return;
        }
        commit(edit.addWire(get().doc, { from: { node: connection.source, port: connection.sourceHandle ?? '' }, to: { node: connection.target, port: connection.targetHandle ?? '' } }));
      },

      addNodeAt(type, position) {
        const manifest = get().manifests.get(type);
        if (!manifest) return undefined;
        const at = get().snapToGrid ? gridPosition(position) : position;
        const { doc, id } = edit.addNode(get().doc, { type, typeVersion: manifest.version, tab: get().activeTab, position: at });
        commit(doc, undefined, { selectedNodes: new Set([id]), selectedEdges: EMPTY_SET, selectedConnection: undefined });
        return id;
      },

      updateConfig(nodeId, config) {
        // The server's old verdict on this node is stale now; the local check takes over until the next deploy.
        const issues = new Map(get().issues);
        const changed = issues.delete(nodeId);
        commit(edit.setNodeConfig(get().doc, nodeId, config), `config:${nodeId}`, changed ? { issues } : {});
      },

      updateSettings(nodeId, settings) {
        commit(edit.setNodeSettings(get().doc, nodeId, settings), `settings:${nodeId}:${Object.keys(settings).join(',')}`);
      },

      upsertConnection(entry) {
        const issues = new Map(get().issues);
        const changed = issues.delete(entry.id);
        commit(edit.upsertConnection(get().doc, entry), `connection:${entry.id}`, changed ? { issues } : {});
      },

      removeConnection(id) {
        commit(edit.removeConnection(get().doc, id), undefined, { selectedConnection: undefined });
      },

      editConnection(id, type, forNode) {
        if (id !== undefined && get().doc.connections?.some((c) => c.id === id)) {
          set({ selectedConnection: id });
          return;
        }
        const manifest = get().connectionManifests.get(type);
        const entry = edit.newConnection(get().doc, type, manifest?.version ?? 1);
        let doc = edit.upsertConnection(get().doc, entry);
        const node = forNode === undefined ? undefined : doc.nodes.find((n) => n.id === forNode);
        const nodeManifest = node ? get().manifests.get(node.type) : undefined;
        if (node && nodeManifest) {
          const config = assignConnection(node.config ?? {}, nodeManifest, type, entry.id);
          if (config !== node.config) doc = edit.setNodeConfig(doc, node.id, { ...config });
        }
        commit(doc, undefined, { selectedConnection: entry.id });
      },

      selectConnection(id) {
        set({ selectedConnection: id });
      },

      selectNode(id, reveal = false) {
        const node = get().doc.nodes.find((n) => n.id === id);
        if (!node) return;
        const tab = tabKeyOf(node);
        const patch: Patch = { activeTab: tab, selectedNodes: new Set([id]), selectedEdges: EMPTY_SET, selectedConnection: undefined };
        if (reveal) patch.focus = { nodeId: id, seq: (get().focus?.seq ?? 0) + 1 };
        set(derive(get().doc, patch));
      },

      selectAll() {
        set(derive(get().doc, { selectedNodes: new Set(get().nodes.map((n) => n.id)), selectedConnection: undefined }));
      },

      clearSelection() {
        set(derive(get().doc, { selectedNodes: EMPTY_SET, selectedEdges: EMPTY_SET, selectedConnection: undefined }));
      },

      deleteSelection() {
        const { selectedNodes, selectedEdges } = get();
        if (selectedNodes.size === 0 && selectedEdges.size === 0) return;
        commit(edit.removeElements(get().doc, selectedNodes, selectedEdges), undefined, { selectedNodes: EMPTY_SET, selectedEdges: EMPTY_SET });
      },

      copy() {
        const ids = selectionOnTab();
        if (ids.length === 0) return undefined;
        const text = JSON.stringify(copySelection(get().doc, new Set(ids)), null, 2);
        set({ clipboard: text, notice: `Copied ${ids.length} node${ids.length === 1 ? '' : 's'}.` });
        return text;
      },

      cut() {
        const text = get().copy();
        if (text !== undefined) get().deleteSelection();
        return text;
      },

      paste(text, at) {
        const source = text ?? get().clipboard;
        if (source === undefined) return false;
        const fragment: Fragment | undefined = parseClipboard(source);
        if (!fragment || fragment.nodes.length === 0) return false;
        const target = at ?? nudged(fragment);
        const { doc, plan } = mergeFragment(get().doc, fragment, { tab: get().activeTab, keepTabs: false, ...(target ? { at: get().snapToGrid ? gridPosition(target) : target } : {}) });
        commit(doc, undefined, { selectedNodes: new Set(plan.nodes.map((n) => n.id)), selectedEdges: EMPTY_SET, selectedConnection: undefined, clipboard: source });
        return true;
      },

      duplicate() {
        const ids = selectionOnTab();
        if (ids.length === 0) return;
        const fragment = copySelection(get().doc, new Set(ids));
        const target = nudged(fragment);
        const { doc, plan } = mergeFragment(get().doc, fragment, { tab: get().activeTab, keepTabs: false, ...(target ? { at: target } : {}) });
        commit(doc, undefined, { selectedNodes: new Set(plan.nodes.map((n) => n.id)), selectedEdges: EMPTY_SET });
      },

      undo() {
        const history = undo(get().history);
        if (history !== get().history) set(derive(history.present, { history }));
      },

      redo() {
        const history = redo(get().history);
        if (history !== get().history) set(derive(history.present, { history }));
      },

      layoutSelection() {
        const { nodes, selectedNodes, manifests, doc } = get();
        const chosen = selectedNodes.size >= 2 ? nodes.filter((n) => selectedNodes.has(n.id)) : nodes;
        if (chosen.length < 2) return;
        const boxes = chosen.map((n) => {
          const size = nodeSize(manifests.get(n.data.nodeType));
          return { id: n.id, x: n.position.x, y: n.position.y, width: n.measured?.width ?? size.width, height: n.measured?.height ?? size.height };
        });
        const placed = autoLayout(boxes, doc.wires.map((w) => ({ source: w.from.node, target: w.to.node })));
        commit(withPositions(doc, [...placed].map(([id, position]) => ({ id, position }))));
      },

      setActiveTab(id) {
        if (id === get().activeTab) return;
        set(derive(get().doc, { activeTab: id, selectedNodes: EMPTY_SET, selectedEdges: EMPTY_SET }));
      },

      addTab() {
        const { doc, id } = edit.addTab(get().doc);
        commit(doc, undefined, { activeTab: id, selectedNodes: EMPTY_SET, selectedEdges: EMPTY_SET });
      },

      renameTab(id, label) {
        commit(edit.renameTab(get().doc, id, label), `tab:${id}`);
      },

      removeTab(id) {
        commit(edit.removeTab(get().doc, id));
      },

      applyImport(doc, plan, issues, imported) {
        // The imported document's issues name its own ids and indexes; follow the renames.
        const byOld = issuesByEntry(issues, imported);
        const merged = new Map(get().issues);
        for (const [id, list] of byOld) merged.set(plan.remapped.get(id) ?? id, list);
        commit(doc, undefined, { issues: merged, selectedNodes: new Set(plan.nodes.map((n) => n.id)), selectedEdges: EMPTY_SET, importOpen: false });
        set({ notice: `Imported ${plan.nodes.length} node${plan.nodes.length === 1 ? '' : 's'}${plan.remapped.size > 0 ? `, ${plan.remapped.size} renamed` : ''}.` });
      },

      async deploy() {
        if (get().deployState.kind === 'deploying') return;
        const sent = get().doc;
        const layoutOnly = get().pending.semantic === 0;
        set({ deployState: { kind: 'deploying' } });
        try {
          const result = await deps.api.deploy({ document: sent, revision: get().revision });
          deps.drafts.clear();
          const issues = issuesByEntry(result.warnings, sent);
          set(derive(get().doc, { deployed: sent, revision: result.revision, issues, deployState: { kind: 'deployed', at: deps.now(), warnings: result.warnings, layoutOnly } }));
          if (get().doc !== sent) deps.drafts.save(get().doc, result.revision, new Date(deps.now()));
        } catch (err) {
          // 422: validation; 403 with issues: device writers that need the elevated role (ELEVATION_REQUIRED), marked on their nodes the same way.
          if (err instanceof ApiClientError && (err.status === 422 || (err.status === 403 && err.error.issues !== undefined))) {
            const issues = err.error.issues ?? [];
            set(derive(get().doc, { issues: issuesByEntry(issues, sent), deployState: { kind: 'invalid', message: err.error.message, issues } }));
          } else if (err instanceof ApiClientError && err.status === 409) {
            set({ deployState: { kind: 'conflict', message: err.error.message } });
          } else if (err instanceof ApiClientError && err.status === 401) {
            set({ deployState: { kind: 'idle' } });
            failWith(err, 'Deploy');
          } else {
            set({ deployState: { kind: 'failed', message: err instanceof Error ? err.message : String(err) } });
          }
        }
      },

      async reloadKeepDraft() {
        try {
          const server = await loadServerDocument();
          // My edits stay the working copy; they are now measured against, and sent over, the newer revision.
          set(derive(get().doc, { deployed: server.document, revision: server.revision, deployState: { kind: 'idle' }, notice: 'Reloaded the deployed flow; your changes are kept and will replace it when you deploy.' }));
          deps.drafts.save(get().doc, server.revision, new Date(deps.now()));
        } catch (err) {
          failWith(err, 'Reload');
        }
      },

      async discardChanges() {
        try {
          const server = await loadServerDocument();
          deps.drafts.clear();
          set(derive(server.document, { deployed: server.document, revision: server.revision, history: createHistory(server.document), fallback: fallbackFor(server.document, get().manifests), issues: new Map(), deployState: { kind: 'idle' }, notice: 'Changes discarded; showing the deployed flow.' }));
        } catch (err) {
          failWith(err, 'Discard');
        }
      },

      async remoteDeployed(revision) {
        if (revision === get().revision || get().deployState.kind === 'deploying') return;
        if (get().pending.total === 0) {
          // Nothing of mine to lose: follow the server.
          const server = await loadServerDocument().catch(() => undefined);
          if (server && get().pending.total === 0) {
            set(derive(server.document, { deployed: server.document, revision: server.revision, history: createHistory(server.document), fallback: fallbackFor(server.document, get().manifests), notice: 'The flow was deployed from elsewhere; showing the new version.' }));
          }
        } else {
          set({ notice: 'The flow was deployed from elsewhere; deploying will ask whether to keep your changes.' });
        }
      },

      setNotice(notice) {
        set({ notice });
      },

      toggle(flag) {
        set({ [flag]: !get()[flag] } as Partial<EditorState>);
      },

      openTrend(spec, title) {
        set({ trend: { spec, title } });
      },

      closeTrend() {
        set({ trend: undefined });
      },

      dismissDeployState() {
        set({ deployState: { kind: 'idle' } });
      },
    };

    /** A paste or duplicate without a target lands 40 px right and down of the original. */
    function nudged(fragment: Fragment): { x: number; y: number } | undefined {
      const positions = Object.values(fragment.positions ?? {});
      if (positions.length === 0) return undefined;
      return { x: Math.min(...positions.map((p) => p.x)) + 40, y: Math.min(...positions.map((p) => p.y)) + 40 };
    }
  });
}

export type EditorStore = ReturnType<typeof createEditorStore>;
export { tabsOf, type DeployState, type EditorState, type FocusRequest, type Phase, type TabView } from './editor-state.js';
