import { IMPLICIT_ERROR_PORT } from '@plantwire/flow';
import { useEffect } from 'react';
import { api, useEditor } from '../store/editor.js';

/** Right-click menu of a node: last message, trends of its outputs, inject, duplicate, delete. */
export function NodeContextMenu({ nodeId, x, y, onClose }: { readonly nodeId: string; readonly x: number; readonly y: number; onClose(): void }) {
  const node = useEditor((s) => s.doc.nodes.find((n) => n.id === nodeId));
  const manifest = useEditor((s) => (node ? s.manifests.get(node.type) : undefined));
  useEffect(() => {
    const close = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', close);
    return () => window.removeEventListener('keydown', close);
  }, [onClose]);
  if (!node) return null;
  const label = node.name ?? node.id;
  const outputs = Object.keys(manifest?.outputs ?? {}).filter((p) => p !== IMPLICIT_ERROR_PORT);
  const run = (action: () => void) => () => {
    action();
    onClose();
  };
  return (
    <div className="pw-context-menu" style={{ left: x, top: y }} data-testid="node-context-menu" onContextMenu={(e) => e.preventDefault()}>
      <button onClick={run(() => useEditor.getState().selectNode(nodeId))}>Show last message</button>
      {outputs.map((port) => (
        <button key={port} data-testid={`trend-${nodeId}-${port}`} onClick={run(() => useEditor.getState().openTrend({ nodeId, port, path: 'payload' }, `${label} · ${port}`))}>
          Trend of output “{port}”
        </button>
      ))}
      {manifest?.triggerable && (
        <button
          onClick={run(() => {
            api.inject(nodeId).catch((err: unknown) => useEditor.getState().setNotice(`Inject: ${err instanceof Error ? err.message : String(err)}`));
          })}
        >
          Inject now
        </button>
      )}
      <hr />
      <button onClick={run(() => useEditor.getState().duplicate())}>Duplicate</button>
      <button onClick={run(() => useEditor.getState().deleteSelection())}>Delete</button>
    </div>
  );
}
