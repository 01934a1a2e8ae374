import { useState, type ReactNode } from 'react';
import { getAt, insertItem, setAt } from './config-edit.js';
import { EnumControl } from './EnumControl.js';
import { FieldControl } from './FieldControl.js';
import { FieldErrors, firstSentence } from './FieldRow.js';
import { useForm } from './form-context.js';
import { inline } from './NodeDocs.js';
import { ItemButtons } from './ItemButtons.js';
import { NumberControl } from './NumberControl.js';
import { addressRange, nextTag } from './register-map.js';
import { parseRegisterPaste } from './register-paste.js';
import { isPlainObject, pathKey, type Field, type FieldPath, type ListField, type ObjectEntry } from './schema-fields.js';
import { TextControl } from './TextControl.js';

/** Columns shown in the panel; the table window shows every field. In schema order, the tag's identity comes first (name, table, address, type). */
const COMPACT_COLUMNS = 4;

function Cell(props: { readonly field: Field; readonly path: FieldPath; readonly value: unknown }): ReactNode {
  const { field, path, value } = props;
  switch (field.kind) {
    case 'text':
      return <TextControl field={field} path={path} value={value} bare />;
    case 'number':
    case 'integer':
      return <NumberControl field={field} path={path} value={value} bare />;
    case 'enum':
      return <EnumControl field={field} path={path} value={value} bare />;
    default:
      return <FieldControl field={{ ...field, title: '', description: undefined }} path={path} value={value} />;
  }
}

function Table(props: { readonly field: ListField; readonly path: FieldPath; readonly rows: readonly unknown[]; readonly columns: readonly ObjectEntry[] }): ReactNode {
  const { field, path, rows, columns } = props;
  const form = useForm();
  // Problems of cells are listed under the table, where the whole message fits; the cell turns red.
  const problems = rows.flatMap((_, i) => [[...path, i], ...(field.item.kind === 'object' ? field.item.fields.map((c) => [...path, i, c.key]) : [])]).filter((p) => form.issues.has(pathKey(p)));
  return (
    <>
      <div className="pw-insp-table-wrap">
        <table className="pw-insp-table" data-testid="register-map">
          <thead>
            <tr>
              <th>#</th>
              {columns.map(({ key: column, field: f }) => (
                <th key={column} title={f.description}>
                  {f.title}
                  {(f.kind === 'number' || f.kind === 'integer') && f.unit ? ` (${f.unit})` : ''}
                  {f.required ? <span className="pw-insp-required"> *</span> : null}
                </th>
              ))}
              <th title="Addresses the tag takes, from its table and type">Span</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => {
              const tag = isPlainObject(row) ? row : {};
              return (
                <tr key={i} data-testid={`register-row-${i}`} className={form.issues.has(pathKey([...path, i])) ? 'pw-insp-row-invalid' : undefined}>
                  <td className="pw-insp-muted">{i + 1}</td>
                  {columns.map(({ key: column, field: f }) => (
                    <td key={column} data-column={column}>
                      <Cell field={f} path={[...path, i, column]} value={tag[column]} />
                    </td>
                  ))}
                  <td className="pw-insp-muted pw-insp-mono">{addressRange(row)}</td>
                  <td>
                    <ItemButtons path={path} index={i} count={rows.length} minItems={field.minItems ?? 0} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {problems.map((p) => (
        <FieldErrors key={pathKey(p)} path={p} />
      ))}
    </>
  );
}

/** Rows pasted from a spreadsheet, appended to the table; cells it cannot read are named. */
function PasteRows(props: { readonly field: ListField; readonly path: FieldPath }): ReactNode {
  const form = useForm();
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<readonly string[]>([]);
  if (props.field.item.kind !== 'object') return null;
  const item = props.field.item;
  const add = () => {
    const { rows, problems: found } = parseRegisterPaste(text, item);
    setProblems(found);
    if (rows.length === 0) return;
    form.update((c) => {
      const current = getAt(c, props.path);
      return setAt(c, props.path, [...(Array.isArray(current) ? current : []), ...rows]);
    });
    if (found.length === 0) setText('');
  };
  return (
    <div className="pw-insp-paste">
      <textarea
        className="pw-insp-input pw-insp-mono"
        rows={3}
        data-testid="register-map-paste"
        placeholder={`Paste rows from a spreadsheet; a first row of column names (${item.fields.slice(0, 4).map((e) => e.field.title).join(', ')} …) picks the columns.`}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <div className="pw-insp-actions">
        <button type="button" className="pw-insp-button" data-testid="register-map-paste-add" disabled={text.trim() === ''} onClick={add}>
          Add pasted rows
        </button>
      </div>
      {problems.length > 0 ? (
        <div className="pw-insp-errors" data-testid="register-map-paste-problems">
          {problems.map((p, i) => (
            <div key={i} className="pw-insp-warning">
              {p}
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}

/** Modbus tags as a table: one row per tag, a column per field of the tag schema (all of them in the table window), and the registers each spans. */
export function RegisterMapTable(props: { readonly field: ListField; readonly path: FieldPath; readonly value: unknown }): ReactNode {
  const { field, path } = props;
  const form = useForm();
  const key = pathKey(path);
  const [wide, setWide] = useState(false);
  const rows: readonly unknown[] = Array.isArray(props.value) ? props.value : [];
  const all = field.item.kind === 'object' ? field.item.fields : [];
  const full = field.maxItems !== undefined && rows.length >= field.maxItems;
  const add = (
    <button type="button" className="pw-insp-button pw-insp-add" data-testid={`list-add-${key}`} disabled={full} onClick={() => form.update((c) => insertItem(c, path, rows.length, nextTag(rows)))}>
      + Add tag
    </button>
  );
  return (
    <fieldset className="pw-insp-group" data-testid={`field-${key}`}>
      <legend className="pw-insp-legend" title={field.description}>
        {field.title}
        {field.required ? <span className="pw-insp-required"> *</span> : null}
        <button type="button" className="pw-insp-button" data-testid={`register-map-open-${key}`} onClick={() => setWide(true)} disabled={wide}>
          All columns…
        </button>
      </legend>
      {firstSentence(field.description) ? <div className="pw-insp-hint">{inline(firstSentence(field.description)!)}</div> : null}
      {wide ? (
        // One table at a time, so every control keeps a single data-testid.
        <div className="pw-browse-backdrop" onClick={() => setWide(false)}>
          <div className="pw-insp-table-dialog" role="dialog" aria-modal="true" aria-label={`${field.title}: all columns`} data-testid="register-map-dialog" onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.key === 'Escape' && setWide(false)}>
            <div className="pw-browse-head">{field.title}</div>
            <div className="pw-insp-table-dialog-body">
              <Table field={field} path={path} rows={rows} columns={all} />
              {add}
              <PasteRows field={field} path={path} />
            </div>
            <div className="pw-browse-foot">
              <span className="pw-browse-picked">{rows.length} tags</span>
              <button type="button" className="pw-insp-button pw-insp-primary" data-testid="register-map-close" onClick={() => setWide(false)}>
                Done
              </button>
            </div>
          </div>
        </div>
      ) : (
        <>
          <Table field={field} path={path} rows={rows} columns={all.slice(0, COMPACT_COLUMNS)} />
          {add}
        </>
      )}
      <FieldErrors path={path} />
    </fieldset>
  );
}
