import type { ReactNode } from 'react';
import type { FieldIssue } from './field-issues.js';
import { useForm } from './form-context.js';
import { FieldRow } from './FieldRow.js';
import { pathKey, type FieldPath, type NumberField } from './schema-fields.js';
import { parseNumberText } from './text-escapes.js';
import { useDraft } from './useDraft.js';

/** A number with its unit beside it; text that is not a number yet stays in the input and says so. */
export function NumberControl(props: { readonly field: NumberField; readonly path: FieldPath; readonly value: unknown; readonly bare?: boolean }): ReactNode {
  const { field, path } = props;
  const form = useForm();
  const key = pathKey(path);
  const id = `${form.idPrefix}-${key}`;
  const shown = props.value === undefined ? '' : String(props.value);
  const [draft, setDraft] = useDraft(shown, (d, s) => {
    const parsed = parseNumberText(d, field.kind === 'integer');
    return parsed instanceof Error ? false : String(parsed ?? '') === s;
  });
  const parsed = parseNumberText(draft, field.kind === 'integer');
  const local: FieldIssue[] = parsed instanceof Error ? [{ path, message: `${field.title}: "${draft}" is ${parsed.message}`, severity: 'error' }] : [];
  const onChange = (text: string) => {
    setDraft(text);
    const next = parseNumberText(text, field.kind === 'integer');
    if (next instanceof Error) return;
    form.set(path, next === undefined && field.required ? undefined : next);
  };
  const bounds = [field.minimum !== undefined ? `≥ ${field.minimum}` : '', field.maximum !== undefined ? `≤ ${field.maximum}` : ''].filter(Boolean).join(', ');
  const control = (
    <div className="pw-insp-number">
      <input
        id={id}
        data-testid={`field-${key}`}
        className="pw-insp-input"
        inputMode={field.kind === 'integer' ? 'numeric' : 'decimal'}
        value={draft}
        placeholder={field.hasDefault ? String(field.default) : field.examples.length > 0 ? `e.g. ${String(field.examples[0])}` : ''}
        title={bounds || undefined}
        aria-invalid={local.length > 0 || form.issues.has(key) || undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {field.unit ? <span className="pw-insp-unit">{field.unit}</span> : null}
    </div>
  );
  if (props.bare) return control;
  return (
    <FieldRow field={field} path={path} inputId={id} localIssues={local}>
      {control}
    </FieldRow>
  );
}
