import type { ReactNode } from 'react';
import { useForm } from './form-context.js';
import { FieldRow } from './FieldRow.js';
import { pathKey, type ConnectionRefField, type FieldPath } from './schema-fields.js';

/** Pick a connection entry of the right type, edit it, or make a new one. */
export function ConnectionPicker(props: { readonly field: ConnectionRefField; readonly path: FieldPath; readonly value: unknown }): ReactNode {
  const { field, path } = props;
  const form = useForm();
  const key = pathKey(path);
  const id = `${form.idPrefix}-${key}`;
  const entries = form.connections.filter((c) => c.type === field.connectionType);
  const value = typeof props.value === 'string' ? props.value : '';
  const known = entries.some((c) => c.id === value);
  return (
    <FieldRow field={field} path={path} inputId={id}>
      <div className="pw-insp-with-button">
        <select
          id={id}
          data-testid={`field-${key}`}
          className="pw-insp-input"
          value={value}
          aria-invalid={form.issues.has(key) || undefined}
          onChange={(e) => form.set(path, e.target.value === '' && !field.required ? undefined : e.target.value)}
        >
          <option value="">{entries.length === 0 ? `— no ${field.connectionType} yet —` : '— choose —'}</option>
          {entries.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name ? `${c.name} (${c.id})` : c.id}
            </option>
          ))}
          {value !== '' && !known ? <option value={value}>{value} (missing)</option> : null}
        </select>
        {form.onEditConnection ? (
          <>
            <button type="button" className="pw-insp-button" data-testid={`connection-edit-${key}`} disabled={!known} onClick={() => form.onEditConnection?.(value, field.connectionType)}>
              Edit
            </button>
            <button type="button" className="pw-insp-button" data-testid={`connection-new-${key}`} onClick={() => form.onEditConnection?.(undefined, field.connectionType)}>
              New
            </button>
          </>
        ) : null}
      </div>
    </FieldRow>
  );
}
