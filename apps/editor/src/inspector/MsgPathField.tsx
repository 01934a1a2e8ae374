import type { ReactNode } from 'react';
import { useForm } from './form-context.js';
import { FieldRow } from './FieldRow.js';
import { pathKey, type FieldPath, type MsgPathField as MsgPathFieldSchema } from './schema-fields.js';

/** Paths most flows use; the field's own examples come first. */
export const COMMON_MSG_PATHS: readonly string[] = ['payload', 'topic', 'payload.value', 'payload.quality', 'payload.timestamp', 'payload.unit', '_msgid'];

/** A message path (`payload.temperature`): text with the usual paths offered, `msg.` shown before it. */
export function MsgPathField(props: { readonly field: MsgPathFieldSchema; readonly path: FieldPath; readonly value: unknown }): ReactNode {
  const { field, path } = props;
  const form = useForm();
  const key = pathKey(path);
  const id = `${form.idPrefix}-${key}`;
  const listId = `${id}-suggestions`;
  const suggestions = [...new Set([...(field.wholeMessage ? ['msg'] : []), ...field.examples.filter((e): e is string => typeof e === 'string'), ...COMMON_MSG_PATHS])];
  const value = typeof props.value === 'string' ? props.value : '';
  return (
    <FieldRow field={field} path={path} inputId={id}>
      <div className="pw-insp-prefixed">
        <span className="pw-insp-prefix">msg.</span>
        <input
          id={id}
          data-testid={`field-${key}`}
          className="pw-insp-input pw-insp-mono"
          list={listId}
          value={value}
          spellCheck={false}
          placeholder={field.hasDefault ? String(field.default) : 'payload'}
          aria-invalid={form.issues.has(key) || undefined}
          onChange={(e) => form.set(path, e.target.value === '' && !field.required ? undefined : e.target.value)}
        />
        <datalist id={listId}>
          {suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      </div>
    </FieldRow>
  );
}
