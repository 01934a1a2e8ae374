import type { ReactNode } from 'react';
import { useForm } from './form-context.js';
import { FieldRow } from './FieldRow.js';
import { pathKey, type EnumField, type FieldPath } from './schema-fields.js';

const NONE = '\u0000none';

/** One of a fixed set. Unset shows the default; an optional field without one can be left empty; an invalid value stays visible. */
export function EnumControl(props: { readonly field: EnumField; readonly path: FieldPath; readonly value: unknown; readonly bare?: boolean }): ReactNode {
  const { field, path, value } = props;
  const form = useForm();
  const key = pathKey(path);
  const id = `${form.idPrefix}-${key}`;
  const options = field.options;
  const index = options.findIndex((o) => o === value);
  const unknown = value !== undefined && index < 0;
  const selected = value === undefined ? (field.hasDefault ? String(options.findIndex((o) => o === field.default)) : NONE) : unknown ? 'unknown' : String(index);
  const control = (
    <select
      id={id}
      data-testid={`field-${key}`}
      className="pw-insp-input"
      value={selected}
      aria-invalid={form.issues.has(key) || undefined}
      onChange={(e) => {
        const v = e.target.value;
        if (v === NONE) form.set(path, undefined);
        else if (v !== 'unknown') form.set(path, options[Number(v)]);
      }}
    >
      {!field.hasDefault && (!field.required || value === undefined) ? <option value={NONE}>{field.required ? '— choose —' : '—'}</option> : null}
      {options.map((o, i) => (
        <option key={i} value={String(i)}>
          {String(o)}
          {!props.bare && field.hasDefault && o === field.default ? ' (default)' : ''}
        </option>
      ))}
      {unknown ? <option value="unknown">{JSON.stringify(value)} (not allowed)</option> : null}
    </select>
  );
  if (props.bare) return control;
  return (
    <FieldRow field={field} path={path} inputId={id}>
      {control}
    </FieldRow>
  );
}
