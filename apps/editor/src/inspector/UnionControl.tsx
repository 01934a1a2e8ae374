import type { ReactNode } from 'react';
import { setAt, switchVariant } from './config-edit.js';
import { FieldControl } from './FieldControl.js';
import { FieldErrors, FieldRow } from './FieldRow.js';
import { useForm } from './form-context.js';
import { ObjectFields } from './ObjectControl.js';
import { pathKey, variantIndexOf, type FieldPath, type UnionField } from './schema-fields.js';

/** The variant picker of a union (`field-<path>.<discriminator>`, e.g. `field-rules.0.op`), without the fields. */
export function VariantPicker(props: { readonly field: UnionField; readonly path: FieldPath; readonly value: unknown }): ReactNode {
  const { field, path, value } = props;
  const form = useForm();
  const pickerPath = field.discriminator !== undefined ? [...path, field.discriminator] : path;
  const key = pathKey(pickerPath);
  const index = variantIndexOf(field, value);
  return (
    <select
      id={`${form.idPrefix}-${key}-variant`}
      data-testid={field.discriminator !== undefined ? `field-${key}` : `field-${key}-variant`}
      className="pw-insp-input pw-insp-variant"
      value={String(index)}
      aria-label={`${field.title}: kind`}
      onChange={(e) => {
        const next = Number(e.target.value);
        form.update((config) => setAt(config, path, switchVariant(field, value, next)));
      }}
    >
      {index < 0 ? <option value="-1">— choose —</option> : null}
      {field.variants.map((v, i) => (
        <option key={i} value={String(i)}>
          {v.label}
        </option>
      ))}
    </select>
  );
}

/** A union: the picker, then the chosen variant's fields in place. */
export function UnionFields(props: { readonly field: UnionField; readonly path: FieldPath; readonly value: unknown }): ReactNode {
  const { field, path, value } = props;
  const variant = field.variants[variantIndexOf(field, value)];
  if (!variant) return null;
  if (variant.field.kind === 'object') return <ObjectFields field={variant.field} path={path} value={value} />;
  // The union's row already has the label and hint; the variant's control sits under it.
  return <FieldControl field={{ ...variant.field, title: '', description: undefined, required: field.required }} path={path} value={value} />;
}

export function UnionControl(props: { readonly field: UnionField; readonly path: FieldPath; readonly value: unknown }): ReactNode {
  const { field, path } = props;
  const form = useForm();
  const value = props.value === undefined ? field.default : props.value;
  const discriminated = field.discriminator !== undefined;
  return (
    <div className="pw-insp-union">
      <FieldRow field={field} path={discriminated ? [...path, field.discriminator!] : [...path, '\u0000variant']} inputId={`${form.idPrefix}-${pathKey(discriminated ? [...path, field.discriminator!] : path)}-variant`}>
        <VariantPicker field={field} path={path} value={value} />
      </FieldRow>
      <div className="pw-insp-union-body">
        <UnionFields field={field} path={path} value={value} />
      </div>
      {discriminated ? <FieldErrors path={path} /> : null}
    </div>
  );
}
