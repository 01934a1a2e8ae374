import { useCallback, useMemo, useRef, useState, type JSX } from 'react';
import type { ConnectionEntry } from '@plantwire/flow';
import type { BrowseResponse, NodeManifest } from '@plantwire/protocol';
import { BrowseDialog } from './BrowseDialog.js';
import { setAt } from './config-edit.js';
import { mergeIssues, placeIssues, type FieldIssue } from './field-issues.js';
import { FieldErrors } from './FieldRow.js';
import { FormContext, type FormContextValue } from './form-context.js';
import { NodeDocs } from './NodeDocs.js';
import { ObjectFields } from './ObjectControl.js';
import { configFieldsCached, type FieldPath } from './schema-fields.js';
import { validateConfigLocally } from './validate-config.js';
import './inspector.css';

export type { FieldIssue };

export interface NodeFormProps {
  readonly nodeId: string;
  readonly manifest: NodeManifest;
  readonly config: Readonly<Record<string, unknown>>;
  /** Called on every edit with the whole new config (the shell records history and drafts). */
  onChange(config: Record<string, unknown>): void;
  /** Server-side issues for this node, paths relative to its config (the shell converts `$.nodes[i].config.x`). */
  readonly issues: readonly FieldIssue[];
  /** Connection entries of the working document, for pickers of `manifest.connections` fields. */
  readonly connections: readonly ConnectionEntry[];
  /** Open a connection entry's form (shell shows ConnectionForm); id undefined = create a new entry of that type. */
  onEditConnection(id: string | undefined, type: string): void;
  /** OPC UA browse through the server; undefined when not available. */
  readonly browse?: (connectionId: string, node?: string, continuationPoint?: string) => Promise<BrowseResponse>;
}

/** The connection a node's browse goes through: the first top-level connection field that is filled in. */
function browseConnectionOf(manifest: NodeManifest, config: Readonly<Record<string, unknown>>): string | undefined {
  for (const { pointer } of manifest.connections) {
    const key = pointer.slice(1);
    if (key.includes('/')) continue;
    const id = config[key];
    if (typeof id === 'string' && id !== '') return id;
  }
  return undefined;
}

/**
 * The property form of one node, generated from its type's config schema, with the type's docs
 * beside it. Every edit hands the whole new config to `onChange`; problems show under their field
 * as you type (the local schema check at once, the server's issues as they arrive, the server's
 * winning where both speak about one field).
 */
export function NodeForm(props: NodeFormProps): JSX.Element {
  const { manifest, config, onChange } = props;
  const root = configFieldsCached(manifest.configSchema);
  const local = useMemo(() => validateConfigLocally(manifest, config), [manifest, config]);
  const issues = useMemo(() => placeIssues(root, config, mergeIssues(local, props.issues)), [root, config, local, props.issues]);
  const [focused, setFocused] = useState<string | undefined>(undefined);
  const [picking, setPicking] = useState<((nodeId: string) => void) | undefined>(undefined);

  // Edits may come from stale closures (a CodeMirror callback): always apply them to the latest config.
  const latest = useRef(config);
  latest.current = config;
  const update = useCallback((edit: (value: Record<string, unknown>) => Record<string, unknown>) => {
    const next = edit(latest.current as Record<string, unknown>);
    if (next !== latest.current) {
      latest.current = next;
      onChange(next);
    }
  }, [onChange]);
  const set = useCallback((path: FieldPath, value: unknown) => update((c) => setAt(c, path, value)), [update]);

  const connectionId = browseConnectionOf(manifest, config);
  const { browse } = props;
  const browseNode = useMemo(
    () => (browse && connectionId !== undefined ? (node?: string, cp?: string) => browse(connectionId, node, cp) : undefined),
    [browse, connectionId],
  );

  const ctx: FormContextValue = useMemo(
    () => ({
      value: config,
      set,
      update,
      issues,
      connections: props.connections,
      onEditConnection: props.onEditConnection,
      browse: browseNode,
      ...(browse ? { openBrowse: (onPick: (nodeId: string) => void) => setPicking(() => onPick) } : {}),
      onFocusField: setFocused,
      idPrefix: `pw-node-${props.nodeId}`,
    }),
    [config, set, update, issues, props.connections, props.onEditConnection, browseNode, browse, props.nodeId],
  );

  return (
    <FormContext.Provider value={ctx}>
      <div className="pw-insp" data-testid="node-form" data-node-id={props.nodeId} data-node-type={manifest.type}>
        <div className="pw-insp-form">
          <FieldErrors path={[]} />
          {root.fields.length === 0 ? <div className="pw-insp-hint">This node has no settings.</div> : <ObjectFields field={root} path={[]} value={config} />}
        </div>
        <NodeDocs summary={manifest.summary} description={manifest.description} inputs={manifest.inputs} outputs={manifest.outputs} fields={root} active={focused} />
      </div>
      {picking && browseNode ? (
        <BrowseDialog
          browse={browseNode}
          onClose={() => setPicking(undefined)}
          onPick={(nodeId) => {
            picking(nodeId);
            setPicking(undefined);
          }}
        />
      ) : null}
    </FormContext.Provider>
  );
}
