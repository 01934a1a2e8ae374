import { canonicalStringify } from '@plantwire/flow';
import { useEffect, useRef, useState } from 'react';
import { api, useEditor } from '../store/editor.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { downloadText, flowFileName } from './download.js';

/** Deploy with its pending-change count, history, import/export, layout, view switches. */
export function Toolbar() {
  const pending = useEditor((s) => s.pending);
  const deploying = useEditor((s) => s.deployState.kind === 'deploying');
  const canUndo = useEditor((s) => s.history.past.length > 0);
  const canRedo = useEditor((s) => s.history.future.length > 0);
  const snap = useEditor((s) => s.snapToGrid);
  const minimap = useEditor((s) => s.minimap);
  const debugOpen = useEditor((s) => s.debugOpen);
  const st = useEditor.getState;
  const [confirmDiscard, setConfirmDiscard] = useState(false);
  // A viewer's deploy would get 403: say so before the click.
  const viewerOnly = useEditor((s) => s.role === 'viewer');
  const deployTitle =
    pending.total === 0
      ? 'Nothing to deploy'
      : pending.semantic === 0
        ? `${pending.layout} layout change${pending.layout === 1 ? '' : 's'} only: saved, nothing restarts`
        : `${pending.semantic} change${pending.semantic === 1 ? '' : 's'}${pending.layout > 0 ? ` and ${pending.layout} moved` : ''}`;
  return (
    <header className="pw-toolbar">
      <span className="brand">Plantwire</span>
      <button data-testid="undo-button" disabled={!canUndo} onClick={() => st().undo()} title="Undo (Ctrl+Z)">
        ↶ Undo
      </button>
      <button data-testid="redo-button" disabled={!canRedo} onClick={() => st().redo()} title="Redo (Ctrl+Shift+Z)">
        ↷ Redo
      </button>
      <span className="sep" />
      <button data-testid="layout-button" onClick={() => st().layoutSelection()} title="Auto-layout the selection, or the whole tab (Ctrl+Shift+L)">
        Auto-layout
      </button>
      <label title="Snap to grid (Ctrl+Shift+G)">
        <input type="checkbox" checked={snap} onChange={() => st().toggle('snapToGrid')} data-testid="snap-toggle" /> Snap
      </label>
      <label title="Minimap (Ctrl+Shift+M)">
        <input type="checkbox" checked={minimap} onChange={() => st().toggle('minimap')} /> Minimap
      </label>
      <label title="Debug sidebar (Ctrl+Shift+D)">
        <input type="checkbox" checked={debugOpen} onChange={() => st().toggle('debugOpen')} data-testid="debug-toggle" /> Debug
      </label>
      <span className="spacer" />
      <button data-testid="import-button" onClick={() => st().toggle('importOpen')} title="Import a flow (Ctrl+I)">
        Import
      </button>
      <ExportMenu />
      <button data-testid="shortcuts-button" onClick={() => st().toggle('helpOpen')} title="Keyboard shortcuts (?)">
        ?
      </button>
      <span className="sep" />
      <button data-testid="discard-button" disabled={pending.total === 0 || deploying} onClick={() => setConfirmDiscard(true)} title="Throw away the changes not yet deployed">
        Discard changes
      </button>
      {confirmDiscard && (
        <ConfirmDialog
          testId="discard-dialog"
          title="Discard changes?"
          text={`${pending.total} change${pending.total === 1 ? '' : 's'} not deployed will be thrown away, and the deployed flow shown.`}
          confirm="Discard changes"
          onConfirm={() => {
            setConfirmDiscard(false);
            void st().discardChanges();
          }}
          onCancel={() => setConfirmDiscard(false)}
        />
      )}
      <button className="primary" data-testid="deploy-button" disabled={deploying || viewerOnly} onClick={() => void st().deploy()} title={viewerOnly ? 'You are logged in as a viewer: deploying needs the editor role' : deployTitle}>
        {deploying ? 'Deploying…' : 'Deploy'}
        <span className="pw-pending" data-testid="pending-count" data-semantic={pending.semantic} data-layout={pending.layout}>
          {pending.total}
        </span>
      </button>
    </header>
  );
}

function ExportMenu() {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('mousedown', close);
    return () => window.removeEventListener('mousedown', close);
  }, [open]);
  const st = useEditor.getState;
  const run = (action: () => void | Promise<void>) => () => {
    setOpen(false);
    Promise.resolve(action()).catch((err: unknown) => st().setNotice(`Export: ${err instanceof Error ? err.message : String(err)}`));
  };
  return (
    <div className="pw-menu" ref={ref}>
      <button data-testid="export-button" onClick={() => setOpen(!open)} title="Export (Ctrl+E downloads the working copy)">
        Export ▾
      </button>
      {open && (
        <div className="pw-menu-items">
          <button data-testid="export-working" onClick={run(() => downloadText(flowFileName(st().doc.name), canonicalStringify(st().doc)))}>
            Download working copy (with pending changes)
          </button>
          <button data-testid="export-deployed" onClick={run(async () => downloadText(flowFileName(st().doc.name, '.deployed'), await api.exportFlows()))}>
            Download deployed flow
          </button>
          <button
            data-testid="export-selection"
            onClick={run(async () => {
              const text = st().copy();
              if (text === undefined) st().setNotice('Select nodes to copy them as JSON.');
              else await navigator.clipboard.writeText(text);
            })}
          >
            Copy selection as JSON
          </button>
        </div>
      )}
    </div>
  );
}
