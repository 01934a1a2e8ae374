import { useCallback, useMemo, useRef, useState, type JSX } from 'react';
import type { ConnectionEntry } from '@plantwire/flow';
import type { ConnectionManifest, ConnectionTestResponse, CredentialsStatusResponse } from '@plantwire/protocol';
import { setAt } from './config-edit.js';
import { mergeIssues, placeIssues, type FieldIssue } from './field-issues.js';
import { FieldErrors, firstSentence } from './FieldRow.js';
import { FormContext, type FormContextValue } from './form-context.js';
import { inline, NodeDocs } from './NodeDocs.js';
import { ObjectFields } from './ObjectControl.js';
import { configFieldsCached, type FieldPath, type TextField } from './schema-fields.js';
import { validateAgainstSchema, validateConfigLocally } from './validate-config.js';
import './inspector.css';

export interface ConnectionFormProps {
  readonly manifest: ConnectionManifest;
  readonly entry: ConnectionEntry;
  onChange(entry: ConnectionEntry): void;
  readonly issues: readonly FieldIssue[];
  /** 'set' / 'not set' per credential field; undefined while loading or for a new entry. */
  readonly credentials: CredentialsStatusResponse | undefined;
  /** Write-only: the values go to the server and are never shown again. */
  onSetCredentials(values: Record<string, unknown>): Promise<void>;
  onTest(credentials?: Record<string, unknown>): Promise<ConnectionTestResponse>;
}

type TestState = { readonly state: 'idle' } | { readonly state: 'running' } | { readonly state: 'done'; readonly result: ConnectionTestResponse } | { readonly state: 'failed'; readonly message: string };

const EMPTY_SCHEMA = { type: 'object', properties: {} } as const;

/**
 * A connection entry's form: its config (generated like a node's), its credentials
 * (write-only: typed values go to the server and only "set" / "not set" comes back), and a
 * "test connection" button that tries the entry as edited, with the typed credentials if any.
 */
export function ConnectionForm(props: ConnectionFormProps): JSX.Element {
  const { manifest, entry, onChange } = props;
  const root = configFieldsCached(manifest.configSchema);
  const credentialsRoot = configFieldsCached(manifest.credentialsSchema ?? EMPTY_SCHEMA);
  const config = entry.config;
  const local = useMemo(() => validateConfigLocally(manifest, config), [manifest, config]);
  const issues = useMemo(() => placeIssues(root, config, mergeIssues(local, props.issues)), [root, config, local, props.issues]);

  const latest = useRef(entry);
  latest.current = entry;
  const update = useCallback(
    (edit: (value: Record<string, unknown>) => Record<string, unknown>) => {
      const next = edit(latest.current.config);
      if (next !== latest.current.config) {
        latest.current = { ...latest.current, config: next };
        onChange(latest.current);
      }
    },
    [onChange],
  );
  const set = useCallback((path: FieldPath, value: unknown) => update((c) => setAt(c, path, value)), [update]);
  const ctx: FormContextValue = useMemo(
    () => ({ value: config, set, update, issues, connections: [], idPrefix: `pw-connection-${entry.id}` }),
    [config, set, update, issues, entry.id],
  );

  // Typed credentials live here only until saved (or the form closes); they are never put in the entry.
  const [typed, setTyped] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState<{ error?: string; saved?: boolean }>({});
  // Only fields typed into are sent: an empty input leaves the stored value alone.
  const typedValues = useMemo(() => Object.fromEntries(Object.entries(typed).filter(([, v]) => v !== '')), [typed]);
  const credentialIssues = useMemo(
    () => (Object.keys(typedValues).length > 0 && manifest.credentialsSchema ? validateAgainstSchema(manifest.credentialsSchema, typedValues) : []),
    [typedValues, manifest.credentialsSchema],
  );
  const saveCredentials = async () => {
    setSaving({});
    try {
      await props.onSetCredentials(typedValues);
      setTyped({});
      setSaving({ saved: true });
    } catch (err) {
      setSaving({ error: err instanceof Error ? err.message : String(err) });
    }
  };

  const [test, setTest] = useState<TestState>({ state: 'idle' });
  const runTest = async () => {
    setTest({ state: 'running' });
    try {
      const result = await props.onTest(Object.keys(typedValues).length > 0 ? typedValues : undefined);
      setTest({ state: 'done', result });
    } catch (err) {
      setTest({ state: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
  };

  return (
    <FormContext.Provider value={ctx}>
      <div className="pw-insp" data-testid="connection-form" data-connection-id={entry.id} data-connection-type={manifest.type}>
        <div className="pw-insp-form">
          <FieldErrors path={[]} />
          <ObjectFields field={root} path={[]} value={config} />

          {credentialsRoot.fields.length > 0 ? (
            <fieldset className="pw-insp-group" data-testid="connection-credentials">
              <legend className="pw-insp-legend">Credentials</legend>
              <div className="pw-insp-hint">Stored on the server, never in the flow document. Type a value to replace it; it is not shown again.</div>
              {credentialsRoot.fields.map(({ key, field }) => {
                const status = props.credentials?.fields[key];
                const multiline = field.kind === 'text' && (field as TextField).multiline;
                const id = `pw-connection-${entry.id}-credential-${key}`;
                const problems = credentialIssues.filter((i) => i.path[0] === key);
                return (
                  <div key={key} className="pw-insp-row">
                    <label className="pw-insp-label" htmlFor={id} title={field.description}>
                      {field.title}{' '}
                      <span className={`pw-insp-badge ${status === 'set' ? 'pw-insp-badge-ok' : 'pw-insp-badge-muted'}`} data-testid={`credential-status-${key}`}>
                        {status ?? (props.credentials ? 'not set' : '…')}
                      </span>
                    </label>
                    {multiline ? (
                      <textarea id={id} className="pw-insp-input pw-insp-mono" rows={3} autoComplete="off" spellCheck={false} data-testid={`credential-${key}`} value={typed[key] ?? ''} placeholder={status === 'set' ? '(set: type to replace)' : ''} onChange={(e) => setTyped({ ...typed, [key]: e.target.value })} />
                    ) : (
                      <input id={id} type="password" className="pw-insp-input" autoComplete="new-password" data-testid={`credential-${key}`} value={typed[key] ?? ''} placeholder={status === 'set' ? '•••••• (type to replace)' : ''} onChange={(e) => setTyped({ ...typed, [key]: e.target.value })} />
                    )}
                    {firstSentence(field.description) ? <div className="pw-insp-hint">{inline(firstSentence(field.description)!)}</div> : null}
                    {problems.length > 0 ? (
                      <div className="pw-insp-errors" data-testid={`credential-error-${key}`}>
                        {problems.map((p, i) => (
                          <div key={i} className="pw-insp-error">
                            {p.message}
                          </div>
                        ))}
                      </div>
                    ) : null}
                  </div>
                );
              })}
              <div className="pw-insp-actions">
                <button type="button" className="pw-insp-button" data-testid="credentials-save" disabled={Object.keys(typedValues).length === 0 || credentialIssues.length > 0} onClick={() => void saveCredentials()}>
                  Save credentials
                </button>
                {saving.saved ? <span className="pw-insp-ok">Saved</span> : null}
                {saving.error ? <span className="pw-insp-error">{saving.error}</span> : null}
              </div>
            </fieldset>
          ) : null}

          <div className="pw-insp-actions">
            <button type="button" className="pw-insp-button pw-insp-primary" data-testid="connection-test" disabled={test.state === 'running'} onClick={() => void runTest()}>
              {test.state === 'running' ? 'Testing…' : 'Test connection'}
            </button>
            {test.state === 'done' || test.state === 'failed' || test.state === 'running' ? (
              <span
                className={test.state === 'done' && test.result.ok ? 'pw-insp-ok' : test.state === 'running' ? 'pw-insp-muted' : 'pw-insp-error'}
                data-testid="connection-test-result"
                data-ok={test.state === 'done' ? String(test.result.ok) : undefined}
                role="status"
              >
                {test.state === 'running'
                  ? 'Testing…'
                  : test.state === 'failed'
                    ? `Test failed: ${test.message}`
                    : `${test.result.ok ? '✓' : '✗'} ${test.result.message}${test.result.ok ? '' : ` (${test.result.durationMs} ms)`}`}
              </span>
            ) : null}
          </div>
        </div>
        <NodeDocs summary={manifest.summary} description={manifest.description} fields={root} />
      </div>
    </FormContext.Provider>
  );
}
