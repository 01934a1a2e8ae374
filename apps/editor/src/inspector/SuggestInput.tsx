import type { ReactNode } from 'react';
import { useForm } from './form-context.js';
import { pathKey, type FieldPath } from './schema-fields.js';

/** A one-line monospace text input offering `suggestions` (a datalist); empty means "unset" unless required. */
export function SuggestInput(props: {
  readonly id: string;
  readonly path: FieldPath;
  readonly value: unknown;
  readonly required: boolean;
  readonly suggestions: readonly string[];
  readonly placeholder: string;
  readonly title?: string | undefined;
}): ReactNode {
  const { id, path, required } = props;
  const form = useForm();
  const key = pathKey(path);
  const listId = `${id}-suggestions`;
  return (
    <>
      <input
        id={id}
        data-testid={`field-${key}`}
        className="pw-insp-input pw-insp-mono"
        list={listId}
        value={typeof props.value === 'string' ? props.value : ''}
        spellCheck={false}
        placeholder={props.placeholder}
        title={props.title}
        aria-invalid={form.issues.has(key) || undefined}
        onChange={(e) => form.set(path, e.target.value === '' && !required ? undefined : e.target.value)}
      />
      <datalist id={listId}>
        {[...new Set(props.suggestions)].map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
    </>
  );
}
