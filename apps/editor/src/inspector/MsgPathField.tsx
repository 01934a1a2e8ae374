import type { ReactNode } from 'react';
import { useForm } from './form-context.js';
import { FieldRow } from './FieldRow.js';
import { pathKey, type FieldPath, type MsgPathField as MsgPathFieldSchema } from './schema-fields.js';
import { SuggestInput } from './SuggestInput.js';

/** Paths most flows use; the field's own examples come first. */
export const COMMON_MSG_PATHS: readonly string[] = ['payload', 'topic', 'payload.value', 'payload.quality', 'payload.timestamp', 'payload.unit', '_msgid'];

/** A message path (`payload.temperature`): text with the usual paths offered, `msg.` shown before it. */
export function MsgPathField(props: { readonly field: MsgPathFieldSchema; readonly path: FieldPath; readonly value: unknown }): ReactNode {
  const { field, path } = props;
  const id = `${useForm().idPrefix}-${pathKey(path)}`;
  const suggestions = [...(field.wholeMessage ? ['msg'] : []), ...field.examples.filter((e): e is string => typeof e === 'string'), ...COMMON_MSG_PATHS];
  return (
    <FieldRow field={field} path={path} inputId={id}>
      <div className="pw-insp-prefixed">
        <span className="pw-insp-prefix">msg.</span>
        <SuggestInput id={id} path={path} value={props.value} required={field.required} suggestions={suggestions} placeholder={field.hasDefault ? String(field.default) : 'payload'} />
      </div>
    </FieldRow>
  );
}
