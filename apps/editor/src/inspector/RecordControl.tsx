import { useState, type ReactNode } from 'react';
import { initialValue } from './config-edit.js';
import { FieldControl } from './FieldControl.js';
import { FieldErrors, firstSentence } from './FieldRow.js';
import { useForm } from './form-context.js';
import { inline } from './NodeDocs.js';
import { isPlainObject, pathKey, type FieldPath, type RecordField } from './schema-fields.js';

/** Name → value pairs (extra message properties, MQTT user properties): rename, remove, add. */
export function RecordControl(props: { readonly field: RecordField; readonly path: FieldPath; readonly value: unknown }): ReactNode {
  const { field, path } = props;
  const form = useForm();
  const key = pathKey(path);
  const value = isPlainObject(props.value) ? props.value : {};
  const [newName, setNewName] = useState('');
  const keyRe = field.keyPattern !== undefined ? new RegExp(field.keyPattern) : undefined;
  const rename = (from: string, to: string) => {
    if (to === from || to === '' || to in value) return;
    // Keep the order: the entry stays where it was.
    form.set(path, Object.fromEntries(Object.entries(value).map(([k, v]) => [k === from ? to : k, v])));
  };
  const add = () => {
    if (newName === '' || newName in value) return;
    form.set(path, { ...value, [newName]: initialValue(field.value) });
    setNewName('');
  };
  return (
    <fieldset className="pw-insp-group" data-testid={`field-${key}`}>
      <legend className="pw-insp-legend" title={field.description}>
        {field.title}
      </legend>
      {firstSentence(field.description) ? <div className="pw-insp-hint">{inline(firstSentence(field.description)!)}</div> : null}
      {Object.entries(value).map(([name, item]) => (
        <div className="pw-insp-record-row" key={name}>
          <input
            className="pw-insp-input pw-insp-mono pw-insp-record-key"
            defaultValue={name}
            aria-label={`${field.title}: name`}
            data-testid={`field-${key}-key-${name}`}
            onBlur={(e) => rename(name, e.target.value)}
          />
          <div className="pw-insp-record-value">
            <FieldControl field={{ ...field.value, title: '', description: undefined }} path={[...path, name]} value={item} />
          </div>
          <button type="button" className="pw-insp-icon-button" title="Remove" data-testid={`record-remove-${key}.${name}`} onClick={() => form.set([...path, name], undefined)}>
            ✕
          </button>
        </div>
      ))}
      <div className="pw-insp-record-row">
        <input
          className="pw-insp-input pw-insp-mono pw-insp-record-key"
          placeholder="name"
          value={newName}
          data-testid={`record-new-${key}`}
          onChange={(e) => setNewName(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && add()}
        />
        <button type="button" className="pw-insp-button" data-testid={`record-add-${key}`} disabled={newName === '' || newName in value || (keyRe !== undefined && !keyRe.test(newName))} onClick={add}>
          Add
        </button>
      </div>
      <FieldErrors path={path} />
    </fieldset>
  );
}
