import type { ReactNode } from 'react';
import type { FieldIssue } from './field-issues.js';
import { useForm } from './form-context.js';
import { FieldRow } from './FieldRow.js';
import { pathKey, type FieldPath, type JsonField } from './schema-fields.js';
import { jsonText, parseJsonText } from './text-escapes.js';
import { useDraft } from './useDraft.js';

/** Any JSON value: typed as JSON (or plain text where text is allowed), checked as you type. */
export function JsonControl(props: { readonly field: JsonField; readonly path: FieldPath; readonly value: unknown; readonly bare?: boolean }): ReactNode {
  const { field, path } = props;
  const form = useForm();
  const key = pathKey(path);
  const id = `${form.idPrefix}-${key}`;
  const shown = jsonText(props.value, field.types);
  const [draft, setDraft] = useDraft(shown, (d, s) => {
    const parsed = parseJsonText(d, field.types);
    return !(parsed instanceof Error) && jsonText(parsed.value, field.types) === s;
  });
  const parsed = draft === '' ? undefined : parseJsonText(draft, field.types);
  const local: FieldIssue[] = parsed instanceof Error ? [{ path, message: `${field.title}: ${parsed.message}`, severity: 'error' }] : [];
  const onChange = (text: string) => {
    setDraft(text);
    if (text === '') return form.set(path, undefined);
    const next = parseJsonText(text, field.types);
    if (!(next instanceof Error)) form.set(path, next.value);
  };
  const multiline = draft.includes('\n') || (typeof props.value === 'object' && props.value !== null);
  const common = {
    id,
    'data-testid': `field-${key}`,
    className: 'pw-insp-input pw-insp-mono',
    value: draft,
    spellCheck: false,
    placeholder: field.hasDefault ? JSON.stringify(field.default) : field.examples.length > 0 ? `e.g. ${JSON.stringify(field.examples[0])}` : field.types.includes('string') ? 'text, a number or JSON' : 'JSON',
    'aria-invalid': local.length > 0 || form.issues.has(key) || undefined,
  };
  const control = multiline ? <textarea {...common} rows={Math.min(10, draft.split('\n').length + 1)} onChange={(e) => onChange(e.target.value)} /> : <input {...common} onChange={(e) => onChange(e.target.value)} />;
  if (props.bare) return control;
  return (
    <FieldRow field={field} path={path} inputId={id} localIssues={local}>
      {control}
    </FieldRow>
  );
}
