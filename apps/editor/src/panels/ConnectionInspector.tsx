import type { ConnectionEntry } from '@plantwire/flow';
import type { CredentialsStatusResponse } from '@plantwire/protocol';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ConnectionForm } from '../inspector/ConnectionForm.js';
import { ApiClientError } from '../api/api-client.js';
import { collectStrings } from '../model/walk-strings.js';
import { api, useEditor } from '../store/editor.js';

const NO_ISSUES: never[] = [];

/** A connection entry: the inspector helper's form, its write-only credentials, its test, and the nodes that use it. */
export function ConnectionInspector({ id }: { readonly id: string }) {
  const entry = useEditor((s) => s.doc.connections?.find((c) => c.id === id));
  const manifest = useEditor((s) => (entry ? s.connectionManifests.get(entry.type) : undefined));
  const nodes = useEditor((s) => s.doc.nodes);
  const issues = useEditor((s) => s.issues.get(id)) ?? NO_ISSUES;
  const [credentials, setCredentials] = useState<CredentialsStatusResponse | undefined>();

  const loadCredentials = useCallback(() => {
    setCredentials(undefined);
    api
      .credentials(id)
      .then(setCredentials)
      .catch((err: unknown) => {
        // 404: not deployed yet, so nothing stored; anything else is worth a line.
        if (!(err instanceof ApiClientError && err.status === 404)) useEditor.getState().setNotice(`Credentials of ${id}: ${err instanceof Error ? err.message : String(err)}`);
      });
  }, [id]);
  useEffect(loadCredentials, [loadCredentials]);

  const usedBy = useMemo(() => nodes.filter((n) => collectStrings(n.config).has(id)), [nodes, id]);
  const onChange = useCallback((next: ConnectionEntry) => useEditor.getState().upsertConnection(next), []);
  const onSetCredentials = useCallback(
    async (values: Record<string, unknown>) => {
      const status = await api.setCredentials(id, values, entry?.type);
      setCredentials(status);
    },
    [id, entry?.type],
  );
  const onTest = useCallback((values?: Record<string, unknown>) => api.testConnection(id, entry, values), [id, entry]);

  if (!entry) return null;
  return (
    <div className="pw-inspector" data-testid="inspector">
      <h2>
        {entry.name ?? entry.id} <span style={{ color: 'var(--pw-muted)', fontWeight: 400 }}>{entry.type}</span>
      </h2>
      <div className="meta">connection {entry.id}</div>
      <div className="row">
        <label htmlFor="pw-conn-name">Name</label>
        <input
          id="pw-conn-name"
          value={entry.name ?? ''}
          placeholder={entry.id}
          onChange={(e) => {
            const { name: _old, ...rest } = entry;
            useEditor.getState().upsertConnection(e.target.value === '' ? rest : { ...rest, name: e.target.value });
          }}
        />
      </div>
      {manifest ? (
        <div className="form">
          <ConnectionForm manifest={manifest} entry={entry} onChange={onChange} issues={issues} credentials={credentials} onSetCredentials={onSetCredentials} onTest={onTest} />
        </div>
      ) : (
        <p className="pw-issues">Unknown connection type “{entry.type}”.</p>
      )}
      <div className="actions">
        <span style={{ color: 'var(--pw-muted)' }}>Used by:</span>
        {usedBy.length === 0 && <span style={{ color: 'var(--pw-muted)' }}>no node</span>}
        {usedBy.map((n) => (
          <button key={n.id} onClick={() => useEditor.getState().selectNode(n.id, true)}>
            {n.name ?? n.id}
          </button>
        ))}
      </div>
      <div className="actions">
        <button
          disabled={usedBy.length > 0}
          title={usedBy.length > 0 ? 'Still used by nodes' : 'Remove this connection entry'}
          onClick={() => useEditor.getState().removeConnection(id)}
          data-testid="connection-remove"
        >
          Remove connection
        </button>
      </div>
    </div>
  );
}
