import type { ConnectionEntry, FlowDocument, ValidationIssue } from '@plantwire/flow';
import type { ConnectionManifest, NodeManifest, Role, TrendSpec } from '@plantwire/protocol';
import type { Connection, EdgeChange, NodeChange } from '@xyflow/react';
import type { CanvasEdge, CanvasNode } from '../model/canvas-types.js';
import { UNTABBED } from '../model/document-to-canvas.js';
import type { NodeSettings } from '../model/edit-document.js';
import type { History } from '../model/history.js';
import type { ConfigIssue } from '../model/issues-by-node.js';
import type { PendingChanges } from '../model/pending-changes.js';
import type { ImportPlan } from '../model/plan-import.js';

// The editor store's shape: what components read (narrow selectors) and the actions they call.

export type Phase = 'loading' | 'login' | 'ready' | 'failed';

export type DeployState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'deploying' }
  | { readonly kind: 'deployed'; readonly at: number; readonly warnings: readonly ValidationIssue[]; readonly layoutOnly: boolean }
  | { readonly kind: 'invalid'; readonly message: string; readonly issues: readonly ValidationIssue[] }
  | { readonly kind: 'conflict'; readonly message: string }
  | { readonly kind: 'failed'; readonly message: string };

export interface TabView {
  readonly id: string;
  readonly label: string;
  /** The pseudo-tab of nodes that name no tab; it cannot be renamed or removed. */
  readonly implicit: boolean;
}

/** Where the canvas should look next (a node picked in the debug sidebar); `seq` makes repeats count. */
export interface FocusRequest {
  readonly nodeId: string;
  readonly seq: number;
}

export interface EditorState {
  readonly phase: Phase;
  readonly loadError: string | undefined;
  readonly loginError: string | undefined;
  /** The session's role; undefined when the server needs no login (everything allowed). */
  readonly role: Role | undefined;
  readonly nodeManifests: readonly NodeManifest[];
  readonly manifests: ReadonlyMap<string, NodeManifest>;
  readonly connectionManifests: ReadonlyMap<string, ConnectionManifest>;
  readonly deployed: FlowDocument | undefined;
  readonly revision: string;
  readonly history: History<FlowDocument>;
  /** The working copy (history.present). */
  readonly doc: FlowDocument;
  readonly tabs: readonly TabView[];
  readonly activeTab: string;
  readonly nodes: CanvasNode[];
  readonly edges: CanvasEdge[];
  readonly selectedNodes: ReadonlySet<string>;
  readonly selectedEdges: ReadonlySet<string>;
  /** A connection entry open in the inspector (instead of a node). */
  readonly selectedConnection: string | undefined;
  readonly pending: PendingChanges;
  /** Issues from the server (last deploy or import), by node or connection id, paths relative to the config. */
  readonly issues: ReadonlyMap<string, readonly ConfigIssue[]>;
  readonly deployState: DeployState;
  /** A one-line message for the status bar (restored draft, refused wire, …). */
  readonly notice: string | undefined;
  readonly snapToGrid: boolean;
  readonly minimap: boolean;
  readonly debugOpen: boolean;
  readonly helpOpen: boolean;
  readonly importOpen: boolean;
  readonly trend: { readonly spec: TrendSpec; readonly title: string } | undefined;
  readonly focus: FocusRequest | undefined;
  readonly clipboard: string | undefined;
  /** Where nodes without a stored position are drawn (worked out when a document is loaded). */
  readonly fallback: ReadonlyMap<string, { readonly x: number; readonly y: number }>;

  boot(): Promise<void>;
  login(password: string): Promise<void>;
  onNodesChange(changes: NodeChange[]): void;
  onEdgesChange(changes: EdgeChange[]): void;
  onConnect(connection: Connection): void;
  isValidConnection(connection: Connection | { source: string; target: string; sourceHandle?: string | null; targetHandle?: string | null }): boolean;
  addNodeAt(type: string, position: { x: number; y: number }): string | undefined;
  updateConfig(nodeId: string, config: Record<string, unknown>): void;
  updateSettings(nodeId: string, settings: NodeSettings): void;
  upsertConnection(entry: ConnectionEntry): void;
  removeConnection(id: string): void;
  /** Open a connection entry; undefined creates one of `type` (and puts it in the empty reference field of `forNode`). */
  editConnection(id: string | undefined, type: string, forNode?: string): void;
  selectConnection(id: string | undefined): void;
  selectNode(id: string, reveal?: boolean): void;
  selectAll(): void;
  clearSelection(): void;
  deleteSelection(): void;
  copy(): string | undefined;
  cut(): string | undefined;
  paste(text: string | undefined, at?: { x: number; y: number }): boolean;
  duplicate(): void;
  undo(): void;
  redo(): void;
  layoutSelection(): void;
  setActiveTab(id: string): void;
  addTab(): void;
  renameTab(id: string, label: string): void;
  removeTab(id: string): void;
  applyImport(doc: FlowDocument, plan: ImportPlan, issues: readonly ValidationIssue[], imported: FlowDocument): void;
  deploy(): Promise<void>;
  reloadKeepDraft(): Promise<void>;
  discardChanges(): Promise<void>;
  remoteDeployed(revision: string): Promise<void>;
  setNotice(notice: string | undefined): void;
  toggle(flag: 'snapToGrid' | 'minimap' | 'debugOpen' | 'helpOpen' | 'importOpen'): void;
  openTrend(spec: TrendSpec, title: string): void;
  closeTrend(): void;
  dismissDeployState(): void;
}

/** The pseudo-tab first when some nodes name no tab or there are no tabs at all, then the document's tabs. */
export function tabsOf(doc: FlowDocument): TabView[] {
  const tabs: TabView[] = [];
  if ((doc.tabs ?? []).length === 0 || doc.nodes.some((n) => n.tab === undefined)) {
    tabs.push({ id: UNTABBED, label: doc.name !== undefined && doc.name !== '' ? doc.name : 'Flow', implicit: true });
  }
  for (const tab of doc.tabs ?? []) tabs.push({ id: tab.id, label: tab.label, implicit: false });
  return tabs;
}

