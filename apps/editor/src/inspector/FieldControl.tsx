import type { ReactNode } from 'react';
import { CodeField } from './CodeField.js';
import { ConnectionPicker } from './ConnectionPicker.js';
import { EnumControl } from './EnumControl.js';
import { useForm } from './form-context.js';
import { FieldRow } from './FieldRow.js';
import { JsonControl } from './JsonControl.js';
import { ListControl } from './ListControl.js';
import { MsgPathField } from './MsgPathField.js';
import { NumberControl } from './NumberControl.js';
import { ObjectControl } from './ObjectControl.js';
import { RecordControl } from './RecordControl.js';
import { pathKey, type Field, type FieldPath } from './schema-fields.js';
import { TextControl } from './TextControl.js';
import { TopicField } from './TopicField.js';
import { UnionControl } from './UnionControl.js';

/** The control for one field, by its kind. */
export function FieldControl(props: { readonly field: Field; readonly path: FieldPath; readonly value: unknown }): ReactNode {
  const { field, path, value } = props;
  const form = useForm();
  const key = pathKey(path);
  switch (field.kind) {
    case 'text':
      return <TextControl field={field} path={path} value={value} />;
    case 'number':
    case 'integer':
      return <NumberControl field={field} path={path} value={value} />;
    case 'boolean': {
      const id = `${form.idPrefix}-${key}`;
      const checked = typeof value === 'boolean' ? value : field.default === true;
      return (
        <FieldRow field={field} path={path} inputId={id} inline>
          <input id={id} type="checkbox" data-testid={`field-${key}`} checked={checked} onChange={(e) => form.set(path, e.target.checked)} />
        </FieldRow>
      );
    }
    case 'enum':
      return <EnumControl field={field} path={path} value={value} />;
    case 'const':
      return null; // fixed by the schema (a discriminator is drawn by its union's picker)
    case 'code':
      return <CodeField field={field} path={path} value={value} />;
    case 'msgPath':
      return <MsgPathField field={field} path={path} value={value} />;
    case 'topic':
      return <TopicField field={field} path={path} value={value} />;
    case 'connectionRef':
      return <ConnectionPicker field={field} path={path} value={value} />;
    case 'list':
      return <ListControl field={field} path={path} value={value} />;
    case 'object':
      return <ObjectControl field={field} path={path} value={value} />;
    case 'record':
      return <RecordControl field={field} path={path} value={value} />;
    case 'union':
      return <UnionControl field={field} path={path} value={value} />;
    case 'json':
      return <JsonControl field={field} path={path} value={value} />;
  }
}
