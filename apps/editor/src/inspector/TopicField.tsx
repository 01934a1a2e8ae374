import type { ReactNode } from 'react';
import { useForm } from './form-context.js';
import { FieldRow } from './FieldRow.js';
import { pathKey, type FieldPath, type TopicField as TopicFieldSchema } from './schema-fields.js';
import { SuggestInput } from './SuggestInput.js';

/** An MQTT topic (or filter): text with the field's examples offered and the wildcard rule spelled out. */
export function TopicField(props: { readonly field: TopicFieldSchema; readonly path: FieldPath; readonly value: unknown }): ReactNode {
  const { field, path } = props;
  const id = `${useForm().idPrefix}-${pathKey(path)}`;
  return (
    <FieldRow field={field} path={path} inputId={id}>
      <SuggestInput
        id={id}
        path={path}
        value={props.value}
        required={field.required}
        suggestions={field.examples.filter((e): e is string => typeof e === 'string')}
        placeholder={field.examples.length > 0 ? `e.g. ${String(field.examples[0])}` : 'plant/line1/temperature'}
        title={field.wildcards ? '"+" matches one level, "#" (last) matches the rest' : 'A topic name: no "+" or "#"'}
      />
    </FieldRow>
  );
}
