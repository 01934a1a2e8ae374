import { ReactFlowProvider } from '@xyflow/react';
import { useEffect, useMemo } from 'react';
import { startLive } from './api/start-live.js';
import { Canvas } from './canvas/Canvas.js';
import { DebugSidebar } from './debug/DebugSidebar.js';
import { LoginForm } from './login/LoginForm.js';
import { Palette } from './palette/Palette.js';
import { ConnectionsPanel } from './panels/ConnectionsPanel.js';
import { InspectorPanel } from './panels/InspectorPanel.js';
import { ShortcutsOverlay } from './shortcuts/ShortcutsOverlay.js';
import { useShortcuts } from './shortcuts/useShortcuts.js';
import { currentToken, useEditor } from './store/editor.js';
import { useLive } from './store/live-store.js';
import { TrendPanel } from './trends/TrendPanel.js';
import { DeployBanner } from './toolbar/DeployBanner.js';
import { ImportDialog } from './toolbar/ImportDialog.js';
import { Tabs } from './toolbar/Tabs.js';
import { Toolbar } from './toolbar/Toolbar.js';

export function App() {
  const phase = useEditor((s) => s.phase);
  const loadError = useEditor((s) => s.loadError);
  useEffect(() => {
    void useEditor.getState().boot();
  }, []);
  if (phase === 'login') return <LoginForm />;
  if (phase === 'failed') {
    return (
      <div className="pw-login">
        <div className="pw-dialog" data-testid="load-error">
          <h2>The editor could not load the flow</h2>
          <p className="pw-error-text">{loadError}</p>
          <div className="buttons">
            <button className="primary" onClick={() => void useEditor.getState().boot()}>
              Retry
            </button>
          </div>
        </div>
      </div>
    );
  }
  if (phase === 'loading') return <div className="pw-empty" data-testid="loading">Loading…</div>;
  return (
    <ReactFlowProvider>
      <Workbench />
    </ReactFlowProvider>
  );
}

function Workbench() {
  useShortcuts();
  useEffect(() => startLive(currentToken(), useLive.getState, useEditor.getState).stop, []);
  const helpOpen = useEditor((s) => s.helpOpen);
  const importOpen = useEditor((s) => s.importOpen);
  const debugOpen = useEditor((s) => s.debugOpen);
  const trend = useEditor((s) => s.trend);
  const socket = useLive((s) => s.socket);
  return (
    <div className="pw-app">
      <Toolbar />
      <div className="pw-main">
        <aside className="pw-left">
          <Palette />
          <ConnectionsPanel />
        </aside>
        <main className="pw-center">
          <DeployBanner />
          <Tabs />
          <Canvas />
          {trend && (
            <div className="pw-trend-dock">
              <TrendPanel key={`${trend.spec.nodeId}:${trend.spec.port}:${trend.spec.path}:${trend.spec.topic ?? ''}`} socket={socket} spec={trend.spec} title={trend.title} onClose={() => useEditor.getState().closeTrend()} />
            </div>
          )}
        </main>
        <aside className="pw-right">
          <section>
            <InspectorPanel />
          </section>
          {debugOpen && (
            <section className="debug">
              <DebugPanel />
            </section>
          )}
        </aside>
      </div>
      <StatusBar />
      {helpOpen && <ShortcutsOverlay />}
      {importOpen && <ImportDialog />}
    </div>
  );
}

function DebugPanel() {
  const socket = useLive((s) => s.socket);
  const docNodes = useEditor((s) => s.doc.nodes);
  const nodes = useMemo(() => docNodes.map((n) => ({ id: n.id, label: n.name ?? n.id, type: n.type })), [docNodes]);
  return <DebugSidebar socket={socket} nodes={nodes} onSelectNode={onSelectNode} onTrend={onTrend} />;
}

const onSelectNode = (id: string): void => useEditor.getState().selectNode(id, true);

/**
 * A debug row's "trend": chart what feeds that debug node (the first wire into it; trends watch
 * output ports), narrowed to the row's topic when it has one.
 */
const onTrend = (debugNodeId: string, topic: string | undefined): void => {
  const { doc, setNotice, openTrend } = useEditor.getState();
  const wire = doc.wires.find((w) => w.to.node === debugNodeId);
  if (!wire) return setNotice(`nothing is wired into "${debugNodeId}" in the working copy, so there is no output to chart`);
  const source = doc.nodes.find((n) => n.id === wire.from.node);
  const spec = { nodeId: wire.from.node, port: wire.from.port, path: 'payload', ...(topic === undefined ? {} : { topic }) };
  openTrend(spec, topic ?? `${source?.name ?? wire.from.node} · ${wire.from.port}`);
};

function StatusBar() {
  const connected = useLive((s) => s.connected);
  const pending = useEditor((s) => s.pending);
  const count = useEditor((s) => s.doc.nodes.length);
  const notice = useEditor((s) => s.notice);
  return (
    <footer className="pw-statusbar">
      <span data-testid="live-state">
        <span className="pw-dot" style={{ background: connected ? 'var(--pw-ok)' : 'var(--pw-error)' }} />
        {connected ? 'live' : 'offline'}
      </span>
      <span>{count} nodes</span>
      <span>
        {pending.total === 0 ? 'no pending changes' : `${pending.semantic} change${pending.semantic === 1 ? '' : 's'}${pending.layout > 0 ? `, ${pending.layout} layout only` : ''} not deployed`}
      </span>
      {notice !== undefined && (
        <span className="notice" data-testid="notice" title={notice} onClick={() => useEditor.getState().setNotice(undefined)}>
          {notice}
        </span>
      )}
    </footer>
  );
}
