import type { ReactNode } from 'react';
import { useForm } from './form-context.js';
import { FieldRow } from './FieldRow.js';
import { pathKey, type FieldPath, type TopicField as TopicFieldSchema } from './schema-fields.js';

/** An MQTT topic (or filter): text with the field's examples offered and the wildcard rule spelled out. */
export function TopicField(props: { readonly field: TopicFieldSchema; readonly path: FieldPath; readonly value: unknown }): ReactNode {
  const { field, path } = props;
  const form = useForm();
  const key = pathKey(path);
  const id = `${form.idPrefix}-${key}`;
  const listId = `${id}-suggestions`;
  const value = typeof props.value === 'string' ? props.value : '';
  const suggestions = [...new Set(field.examples.filter((e): e is string => typeof e === 'string'))];
  return (
    <FieldRow field={field} path={path} inputId={id}>
      <input
        id={id}
        data-testid={`field-${key}`}
        className="pw-insp-input pw-insp-mono"
        list={listId}
        value={value}
        spellCheck={false}
        placeholder={field.examples.length > 0 ? `e.g. ${String(field.examples[0])}` : 'plant/line1/temperature'}
        title={field.wildcards ? '"+" matches one level, "#" (last) matches the rest' : 'A topic name: no "+" or "#"'}
        aria-invalid={form.issues.has(key) || undefined}
        onChange={(e) => form.set(path, e.target.value === '' && !field.required ? undefined : e.target.value)}
      />
      <datalist id={listId}>
        {suggestions.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
    </FieldRow>
  );
}
