import type { ReactNode } from 'react';
import { useForm } from './form-context.js';
import { FieldRow } from './FieldRow.js';
import { pathKey, type FieldPath, type TextField } from './schema-fields.js';
import { showEscapes, takeEscapes } from './text-escapes.js';
import { useDraft } from './useDraft.js';

/** A string field: one line, a text area for PEM text, separators shown as escapes, a browse button for OPC UA node ids. */
export function TextControl(props: { readonly field: TextField; readonly path: FieldPath; readonly value: unknown; readonly bare?: boolean }): ReactNode {
  const { field, path } = props;
  const form = useForm();
  const key = pathKey(path);
  const id = `${form.idPrefix}-${key}`;
  const shown = typeof props.value === 'string' ? (field.escapes ? showEscapes(props.value) : props.value) : props.value === undefined ? '' : JSON.stringify(props.value);
  // A half-typed escape (`a\`) means the same text as what the config got back; keep the draft.
  const [draft, setDraft] = useDraft(shown, (d, v) => (field.escapes ? takeEscapes(d) === takeEscapes(v) : d === v));
  const placeholder = field.hasDefault ? (field.escapes ? showEscapes(String(field.default)) : String(field.default)) : field.examples.length > 0 ? `e.g. ${String(field.examples[0])}` : '';
  const commit = (text: string) => {
    setDraft(text);
    // An optional field cleared is removed, so its default (or absence) applies again.
    form.set(path, text === '' && !field.required ? undefined : field.escapes ? takeEscapes(text) : text);
  };
  const common = {
    id,
    'data-testid': `field-${key}`,
    value: draft,
    placeholder,
    spellCheck: false,
    'aria-invalid': form.issues.has(key) || undefined,
    className: 'pw-insp-input',
  };
  const input = field.multiline ? (
    <textarea {...common} rows={4} className="pw-insp-input pw-insp-mono" onChange={(e) => commit(e.target.value)} />
  ) : (
    <input {...common} type={field.secret ? 'password' : 'text'} onChange={(e) => commit(e.target.value)} />
  );
  const control =
    field.browse && form.openBrowse ? (
      <div className="pw-insp-with-button">
        {input}
        <button type="button" className="pw-insp-button" data-testid={`browse-${key}`} disabled={!form.browse} title={form.browse ? 'Pick a node from the server' : 'Choose a connection that can browse first'} onClick={() => form.openBrowse?.((nodeId) => commit(nodeId))}>
          Browse…
        </button>
      </div>
    ) : (
      input
    );
  if (props.bare) return control;
  return (
    <FieldRow field={field} path={path} inputId={id}>
      {control}
    </FieldRow>
  );
}
