import type { ReactNode } from 'react';
import { moveItem, removeItem } from './config-edit.js';
import { useForm } from './form-context.js';
import { pathKey, type FieldPath } from './schema-fields.js';

/** Up, down, remove for item `index`. */
export function ItemButtons(props: { readonly path: FieldPath; readonly index: number; readonly count: number; readonly minItems: number }): ReactNode {
  const form = useForm();
  const { path, index, count } = props;
  const key = `${pathKey(path)}.${index}`;
  return (
    <span className="pw-insp-item-buttons">
      <button type="button" className="pw-insp-icon-button" title="Move up" data-testid={`list-up-${key}`} disabled={index === 0} onClick={() => form.update((c) => moveItem(c, path, index, index - 1))}>
        ↑
      </button>
      <button type="button" className="pw-insp-icon-button" title="Move down" data-testid={`list-down-${key}`} disabled={index === count - 1} onClick={() => form.update((c) => moveItem(c, path, index, index + 1))}>
        ↓
      </button>
      <button type="button" className="pw-insp-icon-button" title={count <= props.minItems ? `At least ${props.minItems} needed` : 'Remove'} data-testid={`list-remove-${key}`} onClick={() => form.update((c) => removeItem(c, path, index))}>
        ✕
      </button>
    </span>
  );
}

