import { useState } from 'react';
import { useEditor } from '../store/editor.js';

/** The document's shared connections (they are entries, not canvas nodes): select one to edit it, or add one. */
export function ConnectionsPanel() {
  const connections = useEditor((s) => s.doc.connections);
  const selected = useEditor((s) => s.selectedConnection);
  const types = useEditor((s) => s.connectionManifests);
  const issues = useEditor((s) => s.issues);
  const [adding, setAdding] = useState(false);
  return (
    <div className="pw-connections" data-testid="connections-panel">
      <div className="pw-section-title">
        Connections
        <button onClick={() => setAdding(!adding)} data-testid="connection-add" title="Add a connection">
          +
        </button>
      </div>
      {adding && (
        <div style={{ padding: '0 10px 6px' }}>
          <select
            aria-label="Connection type"
            data-testid="connection-add-type"
            value=""
            onChange={(e) => {
              if (e.target.value) useEditor.getState().editConnection(undefined, e.target.value);
              setAdding(false);
            }}
          >
            <option value="">New connection of type…</option>
            {[...types.keys()].sort().map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </div>
      )}
      {(connections ?? []).map((c) => (
        <div
          key={c.id}
          className={`pw-connection-row${c.id === selected ? ' selected' : ''}${issues.get(c.id)?.some((i) => i.severity === 'error') ? ' invalid' : ''}`}
          onClick={() => useEditor.getState().selectConnection(c.id)}
          data-testid={`connection-${c.id}`}
        >
          <span className="name">{c.name ?? c.id}</span>
          <span className="type">{c.type}</span>
        </div>
      ))}
      {(connections ?? []).length === 0 && <div className="pw-empty" style={{ padding: '2px 10px' }}>None yet.</div>}
    </div>
  );
}
