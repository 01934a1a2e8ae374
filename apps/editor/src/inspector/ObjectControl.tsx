import type { ReactNode } from 'react';
import { initialValue } from './config-edit.js';
import { FieldControl } from './FieldControl.js';
import { FieldErrors, firstSentence } from './FieldRow.js';
import { useForm } from './form-context.js';
import { inline } from './NodeDocs.js';
import { isPlainObject, pathKey, type FieldPath, type ObjectField } from './schema-fields.js';

/** The fields of an object, in schema order. */
export function ObjectFields(props: { readonly field: ObjectField; readonly path: FieldPath; readonly value: unknown }): ReactNode {
  const value = isPlainObject(props.value) ? props.value : {};
  return (
    <>
      {props.field.fields.map(({ key, field }) => (
        <FieldControl key={key} field={field} path={[...props.path, key]} value={value[key]} />
      ))}
    </>
  );
}

/** A nested object (an MQTT will): a group of fields; an optional one can be left out entirely. */
export function ObjectControl(props: { readonly field: ObjectField; readonly path: FieldPath; readonly value: unknown }): ReactNode {
  const { field, path, value } = props;
  const form = useForm();
  const key = pathKey(path);
  const present = value !== undefined || field.required || field.hasDefault;
  return (
    <fieldset className="pw-insp-group" data-testid={`field-${key}`}>
      <legend className="pw-insp-legend" title={field.description}>
        {field.title}
        {!field.required && !field.hasDefault ? (
          <label className="pw-insp-toggle">
            <input type="checkbox" data-testid={`field-${key}-enabled`} checked={value !== undefined} onChange={(e) => form.set(path, e.target.checked ? initialValue(field) : undefined)} />
            use
          </label>
        ) : null}
      </legend>
      {firstSentence(field.description) && present ? <div className="pw-insp-hint">{inline(firstSentence(field.description)!)}</div> : null}
      {present ? <ObjectFields field={field} path={path} value={value} /> : null}
      <FieldErrors path={path} />
    </fieldset>
  );
}
