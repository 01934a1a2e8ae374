import { useEffect } from 'react';
import { useEditor } from '../store/editor.js';

/** The outcome of the last deploy: the server's problems (422), a conflict (409) with both ways out, a failure, or success. */
export function DeployBanner() {
  const state = useEditor((s) => s.deployState);
  const st = useEditor.getState;
  useEffect(() => {
    if (state.kind !== 'deployed' || state.warnings.length > 0) return;
    const timer = setTimeout(() => st().dismissDeployState(), 4000);
    return () => clearTimeout(timer);
  }, [state, st]);

  if (state.kind === 'invalid') {
    return (
      <div className="pw-banner error" data-testid="deploy-error" role="alert">
        <div className="grow">
          <strong>Not deployed: {state.message}</strong> Nothing was changed on the server, and your edits are kept.
          <ul>
            {state.issues.map((issue, i) => (
              <li key={i} data-testid="deploy-issue">
                {issue.nodeId !== undefined ? (
                  <a onClick={() => st().selectNode(issue.nodeId!, true)}>{issue.nodeId}</a>
                ) : (
                  <code>{issue.path}</code>
                )}
                {': '}
                {issue.message} <span style={{ color: 'var(--pw-muted)' }}>({issue.code}{issue.nodeId !== undefined ? `, ${issue.path}` : ''})</span>
              </li>
            ))}
          </ul>
        </div>
        <button onClick={() => st().dismissDeployState()}>Close</button>
      </div>
    );
  }
  if (state.kind === 'conflict') {
    return (
      <div className="pw-overlay">
        <div className="pw-dialog" data-testid="conflict-dialog" role="alertdialog">
          <h2>The flow changed on the server</h2>
          <p>Someone deployed since you started editing ({state.message}). Your changes are still here.</p>
          <div className="buttons">
            <button onClick={() => st().dismissDeployState()}>Cancel</button>
            <button data-testid="conflict-discard" onClick={() => void st().discardChanges()}>
              Discard my changes
            </button>
            <button className="primary" data-testid="conflict-keep" onClick={() => void st().reloadKeepDraft()}>
              Reload and keep my changes
            </button>
          </div>
        </div>
      </div>
    );
  }
  if (state.kind === 'failed') {
    return (
      <div className="pw-banner error" data-testid="deploy-error" role="alert">
        <div className="grow">
          <strong>Deploy failed:</strong> {state.message} Your edits are kept.
        </div>
        <button onClick={() => st().dismissDeployState()}>Close</button>
      </div>
    );
  }
  if (state.kind === 'deployed') {
    return (
      <div className={`pw-banner ${state.warnings.length > 0 ? 'warn' : 'ok'}`} data-testid="deploy-success">
        <div className="grow">
          {state.layoutOnly ? 'Layout saved; nothing was restarted.' : 'Deployed.'}
          {state.warnings.length > 0 && (
            <ul>
              {state.warnings.map((w, i) => (
                <li key={i}>
                  {w.nodeId ?? w.path}: {w.message} ({w.code})
                </li>
              ))}
            </ul>
          )}
        </div>
        <button onClick={() => st().dismissDeployState()}>Close</button>
      </div>
    );
  }
  return null;
}
