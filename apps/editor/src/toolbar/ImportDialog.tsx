import type { FlowDocument, ValidationIssue } from '@plantwire/flow';
import { useState, type ChangeEvent } from 'react';
import { ApiClientError } from '../api/api-client.js';
import { planImport, type ImportPlan } from '../model/plan-import.js';
import { api, useEditor } from '../store/editor.js';

interface Preview {
  readonly imported: FlowDocument;
  readonly issues: readonly ValidationIssue[];
  readonly merged: FlowDocument;
  readonly plan: ImportPlan;
}

/**
 * Paste or upload a flow document; the server parses, migrates and validates it
 * (`POST /api/flows/import`), the preview shows what will be added and which ids are renamed,
 * and confirming merges it into the working copy (nothing is deployed).
 */
export function ImportDialog() {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; issues: readonly ValidationIssue[] } | undefined>();
  const [preview, setPreview] = useState<Preview | undefined>();
  const st = useEditor.getState;

  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    file.text().then(
      (content) => {
        setText(content);
        setPreview(undefined);
      },
      (err: unknown) => setError({ message: `could not read ${file.name}: ${String(err)}`, issues: [] }),
    );
  };

  const onPreview = async () => {
    setBusy(true);
    setError(undefined);
    setPreview(undefined);
    try {
      const response = await api.importText(text);
      const { doc, plan } = planImport(st().doc, response.document, st().activeTab);
      setPreview({ imported: response.document, issues: response.issues, merged: doc, plan });
    } catch (err) {
      if (err instanceof ApiClientError) setError({ message: err.error.message, issues: err.error.issues ?? [] });
      else setError({ message: String(err), issues: [] });
    } finally {
      setBusy(false);
    }
  };

  const onConfirm = () => {
    if (!preview) return;
    // Planned again against the current working copy, in case it changed while the dialog was open.
    const { doc, plan } = planImport(st().doc, preview.imported, st().activeTab);
    st().applyImport(doc, plan, preview.issues, preview.imported);
  };

  return (
    <div className="pw-overlay" onMouseDown={(e) => e.target === e.currentTarget && st().toggle('importOpen')}>
      <div className="pw-dialog" data-testid="import-dialog" role="dialog" aria-label="Import a flow">
        <h2>Import a flow</h2>
        <p style={{ color: 'var(--pw-muted)', marginTop: 0 }}>Paste a flow document (or a copied selection), or choose a file. It is added to your working copy; nothing is deployed.</p>
        <textarea
          data-testid="import-text"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setPreview(undefined);
          }}
          placeholder='{ "version": 1, "nodes": [...], "wires": [...] }'
          spellCheck={false}
        />
        <div style={{ marginTop: 8 }}>
          <input type="file" accept=".json,application/json" onChange={onFile} data-testid="import-file" />
        </div>
        {error && (
          <div className="pw-error-text" style={{ marginTop: 8 }} data-testid="import-error">
            {error.message}
            <ul>
              {error.issues.map((issue, i) => (
                <li key={i}>
                  {issue.path}: {issue.message}
                </li>
              ))}
            </ul>
          </div>
        )}
        {preview && <ImportPreview preview={preview} />}
        <div className="buttons">
          <button onClick={() => st().toggle('importOpen')}>Cancel</button>
          <button disabled={busy || text.trim() === ''} onClick={() => void onPreview()} data-testid="import-preview-button">
            {busy ? 'Checking…' : 'Preview'}
          </button>
          <button className="primary" disabled={!preview || preview.plan.nodes.length + preview.plan.connections.length === 0} onClick={onConfirm} data-testid="import-confirm">
            Add to flow
          </button>
        </div>
      </div>
    </div>
  );
}

function ImportPreview({ preview }: { readonly preview: Preview }) {
  const { plan, issues } = preview;
  const errors = issues.filter((i) => i.severity === 'error');
  return (
    <div data-testid="import-preview" style={{ marginTop: 12 }}>
      <p>
        Adds <strong>{plan.nodes.length}</strong> node{plan.nodes.length === 1 ? '' : 's'}, <strong>{plan.wires}</strong> wire{plan.wires === 1 ? '' : 's'},{' '}
        <strong>{plan.connections.filter((c) => !c.reused).length}</strong> connection{plan.connections.length === 1 ? '' : 's'}
        {plan.tabs.length > 0 ? `, ${plan.tabs.length} tab${plan.tabs.length === 1 ? '' : 's'}` : ''}.
        {plan.remapped.size > 0 && ` ${plan.remapped.size} id${plan.remapped.size === 1 ? ' was' : 's were'} taken and will be renamed.`}
        {errors.length > 0 && <span className="pw-error-text"> {errors.length} problem{errors.length === 1 ? '' : 's'} will be marked on the nodes.</span>}
      </p>
      <table>
        <thead>
          <tr>
            <th>kind</th>
            <th>id</th>
            <th>type</th>
            <th>note</th>
          </tr>
        </thead>
        <tbody>
          {plan.tabs.map((t) => (
            <tr key={`t:${t.id}`}>
              <td>tab</td>
              <td>{t.id}</td>
              <td>{t.label}</td>
              <td>{t.id !== t.from ? `renamed from ${t.from}` : ''}</td>
            </tr>
          ))}
          {plan.connections.map((c) => (
            <tr key={`c:${c.id}:${c.from}`}>
              <td>connection</td>
              <td>{c.id}</td>
              <td>{c.type}</td>
              <td>{c.reused ? 'same as existing, shared' : c.id !== c.from ? `renamed from ${c.from}` : ''}</td>
            </tr>
          ))}
          {plan.nodes.map((n) => (
            <tr key={`n:${n.id}`}>
              <td>node</td>
              <td>{n.id}</td>
              <td>{n.type}</td>
              <td>{n.id !== n.from ? `renamed from ${n.from}` : (n.name ?? '')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {plan.droppedWires > 0 && <p>{plan.droppedWires} wire(s) to nodes outside the document are left out.</p>}
      {plan.envAdded.length > 0 && <p>Adds environment variables: {plan.envAdded.join(', ')}.</p>}
      {plan.envConflicts.length > 0 && <p className="pw-error-text">Keeps your values of: {plan.envConflicts.join(', ')} (the import defines them differently).</p>}
    </div>
  );
}
