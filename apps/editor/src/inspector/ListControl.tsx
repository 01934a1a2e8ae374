import type { ReactNode } from 'react';
import { initialValue, insertItem, setAt } from './config-edit.js';
import { EnumControl } from './EnumControl.js';
import { FieldControl } from './FieldControl.js';
import { FieldErrors, FieldRow, firstSentence } from './FieldRow.js';
import { useForm } from './form-context.js';
import { inline } from './NodeDocs.js';
import { ItemButtons } from './ItemButtons.js';
import { JsonControl } from './JsonControl.js';
import { NumberControl } from './NumberControl.js';
import { ObjectFields } from './ObjectControl.js';
import { RegisterMapTable } from './RegisterMapTable.js';
import { pathKey, type Field, type FieldPath, type ListField } from './schema-fields.js';
import { TextControl } from './TextControl.js';
import { UnionFields, VariantPicker } from './UnionControl.js';

/** "Rules" → "rule": what the add button adds. */
export const singular = (title: string) => title.toLowerCase().replace(/ies$/, 'y').replace(/s$/, '');

/** One item as a bare input (a list of strings or numbers). */
function ItemInput(props: { readonly field: Field; readonly path: FieldPath; readonly value: unknown }): ReactNode {
  const { field, path, value } = props;
  switch (field.kind) {
    case 'text':
      return <TextControl field={field} path={path} value={value} bare />;
    case 'number':
    case 'integer':
      return <NumberControl field={field} path={path} value={value} bare />;
    case 'enum':
      return <EnumControl field={field} path={path} value={value} bare />;
    case 'json':
      return <JsonControl field={field} path={path} value={value} bare />;
    default:
      return <FieldControl field={{ ...field, title: '', description: undefined }} path={path} value={value} />;
  }
}

/** A list: checkboxes for a set of options, a register map for Modbus tags, cards for objects and unions, else one input per item. */
export function ListControl(props: { readonly field: ListField; readonly path: FieldPath; readonly value: unknown }): ReactNode {
  const { field, path } = props;
  const form = useForm();
  const key = pathKey(path);
  const items: readonly unknown[] = Array.isArray(props.value) ? props.value : Array.isArray(field.default) && props.value === undefined ? field.default : [];
  const isDefault = props.value === undefined && field.hasDefault;

  if (field.presentation === 'checkboxes' && field.item.kind === 'enum') {
    const options = field.item.options;
    return (
      <FieldRow field={field} path={path}>
        <div className="pw-insp-checkboxes" data-testid={`field-${key}`}>
          {options.map((option, i) => (
            <label key={i} className="pw-insp-check">
              <input
                type="checkbox"
                data-testid={`field-${key}-option-${String(option)}`}
                checked={items.includes(option)}
                onChange={(e) => form.set(path, e.target.checked ? options.filter((o) => o === option || items.includes(o)) : items.filter((o) => o !== option))}
              />
              {String(option)}
            </label>
          ))}
        </div>
      </FieldRow>
    );
  }

  if (field.presentation === 'registerMap') return <RegisterMapTable field={field} path={path} value={props.value} />;

  // A list still showing its default becomes a real list on the first edit, default items kept.
  const base = (c: Record<string, unknown>) => (isDefault ? setAt(c, path, [...items]) : c);
  const add = () => form.update((c) => insertItem(base(c), path, items.length, initialValue(field.item)));
  const browseToAdd = field.item.kind === 'text' && field.item.browse && form.openBrowse !== undefined;
  const full = field.maxItems !== undefined && items.length >= field.maxItems;
  const minItems = field.minItems ?? 0;
  return (
    <fieldset className="pw-insp-group" data-testid={`field-${key}`}>
      <legend className="pw-insp-legend" title={field.description}>
        {field.title}
        {field.required ? <span className="pw-insp-required"> *</span> : null}
      </legend>
      {firstSentence(field.description) ? <div className="pw-insp-hint">{inline(firstSentence(field.description)!)}</div> : null}
      {items.map((item, i) => {
        const itemPath = [...path, i];
        if (field.presentation === 'inputs') {
          return (
            <div key={i} className="pw-insp-list-row">
              <div className="pw-insp-list-input">
                <ItemInput field={field.item} path={itemPath} value={item} />
                <FieldErrors path={itemPath} />
              </div>
              <ItemButtons path={path} index={i} count={items.length} minItems={minItems} />
            </div>
          );
        }
        return (
          <div key={i} className="pw-insp-card" data-testid={`list-item-${key}.${i}`}>
            <div className="pw-insp-card-head">
              <span className="pw-insp-card-title">#{i + 1}</span>
              {field.item.kind === 'union' ? <VariantPicker field={field.item} path={itemPath} value={item} /> : null}
              <ItemButtons path={path} index={i} count={items.length} minItems={minItems} />
            </div>
            {field.item.kind === 'union' ? (
              <>
                <FieldErrors path={[...itemPath, field.item.discriminator ?? '\u0000']} />
                <UnionFields field={field.item} path={itemPath} value={item} />
              </>
            ) : field.item.kind === 'object' ? (
              <ObjectFields field={field.item} path={itemPath} value={item} />
            ) : (
              <FieldControl field={{ ...field.item, title: '' }} path={itemPath} value={item} />
            )}
            <FieldErrors path={itemPath} />
          </div>
        );
      })}
      <button type="button" className="pw-insp-button pw-insp-add" data-testid={`list-add-${key}`} disabled={full} onClick={add}>
        + Add {singular(field.title)}
      </button>
      {browseToAdd ? (
        <button type="button" className="pw-insp-button pw-insp-add" data-testid={`browse-add-${key}`} disabled={full || !form.browse} onClick={() => form.openBrowse?.((nodeId) => form.update((c) => insertItem(base(c), path, items.length, nodeId)))}>
          Browse…
        </button>
      ) : null}
      <FieldErrors path={path} />
    </fieldset>
  );
}
