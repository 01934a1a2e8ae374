import { IMPLICIT_ERROR_PORT } from '@plantwire/flow';
import { useCallback, useMemo, useState } from 'react';
import { NodeForm } from '../inspector/NodeForm.js';
import { collectStrings } from '../model/walk-strings.js';
import { api, useEditor } from '../store/editor.js';

const NO_ISSUES: never[] = [];

/** The selected node: its name and switches, the inspector helper's form, its connections, trends and docs. */
export function NodeInspector({ nodeId }: { readonly nodeId: string }) {
  const node = useEditor((s) => s.doc.nodes.find((n) => n.id === nodeId));
  const manifest = useEditor((s) => (node ? s.manifests.get(node.type) : undefined));
  const connections = useEditor((s) => s.doc.connections);
  const issues = useEditor((s) => s.issues.get(nodeId)) ?? NO_ISSUES;
  const [trendPath, setTrendPath] = useState('payload');
  const onChange = useCallback((config: Record<string, unknown>) => useEditor.getState().updateConfig(nodeId, config), [nodeId]);
  const onEditConnection = useCallback((id: string | undefined, type: string) => useEditor.getState().editConnection(id, type, nodeId), [nodeId]);
  const browse = useCallback((connectionId: string, opcNode?: string, continuationPoint?: string) => api.browse(connectionId, opcNode, continuationPoint), []);
  const used = useMemo(() => {
    if (!node) return [];
    const named = collectStrings(node.config);
    return (connections ?? []).filter((c) => named.has(c.id));
  }, [node, connections]);
  if (!node) return null;
  if (!manifest) {
    return (
      <div className="pw-inspector" data-testid="inspector">
        <h2>{node.id}</h2>
        <p className="pw-issues">Unknown node type “{node.type}”: the server has no such type, so it cannot be edited or deployed.</p>
      </div>
    );
  }
  const entryIssues = issues.filter((i) => i.path.length === 0);
  const outputs = Object.keys(manifest.outputs).filter((p) => p !== IMPLICIT_ERROR_PORT);
  return (
    <div className="pw-inspector" data-testid="inspector">
      <h2>
        {node.name ?? node.id} <span style={{ color: 'var(--pw-muted)', fontWeight: 400 }}>{node.type}</span>
      </h2>
      <div className="meta">id {node.id}</div>
      <div className="row">
        <label htmlFor="pw-node-name">Name</label>
        <input id="pw-node-name" data-testid="node-name" value={node.name ?? ''} placeholder={node.type} onChange={(e) => useEditor.getState().updateSettings(nodeId, { name: e.target.value })} />
      </div>
      <div className="row">
        <label htmlFor="pw-node-disabled">Disabled</label>
        <input id="pw-node-disabled" type="checkbox" checked={node.disabled === true} onChange={(e) => useEditor.getState().updateSettings(nodeId, { disabled: e.target.checked })} style={{ justifySelf: 'start' }} />
      </div>
      {entryIssues.length > 0 && (
        <ul className="pw-issues">
          {entryIssues.map((issue, i) => (
            <li key={i}>{issue.message}</li>
          ))}
        </ul>
      )}
      <div className="form">
        <NodeForm nodeId={nodeId} manifest={manifest} config={node.config ?? {}} onChange={onChange} issues={issues} connections={connections ?? []} onEditConnection={onEditConnection} browse={browse} />
      </div>
      {used.length > 0 && (
        <div className="actions">
          <span style={{ color: 'var(--pw-muted)' }}>Uses:</span>
          {used.map((c) => (
            <button key={c.id} onClick={() => useEditor.getState().selectConnection(c.id)} data-testid={`node-connection-${c.id}`}>
              {c.name ?? c.id} ({c.type})
            </button>
          ))}
        </div>
      )}
      <div className="actions">
        {manifest.triggerable && (
          <button
            data-testid="inject-button"
            onClick={() => api.inject(nodeId).catch((err: unknown) => useEditor.getState().setNotice(`Inject: ${err instanceof Error ? err.message : String(err)}`))}
          >
            Inject now
          </button>
        )}
        {outputs.length > 0 && (
          <>
            <input aria-label="Trend path" value={trendPath} onChange={(e) => setTrendPath(e.target.value)} style={{ width: 110 }} title="Message path to chart, e.g. payload or payload.value" />
            {outputs.map((port) => (
              <button key={port} data-testid={`trend-button-${port}`} onClick={() => useEditor.getState().openTrend({ nodeId, port, path: trendPath || 'payload' }, `${node.name ?? nodeId} · ${port} · ${trendPath}`)}>
                Trend {port}
              </button>
            ))}
          </>
        )}
      </div>
    </div>
  );
}
