import { Fragment, type ReactNode } from 'react';
import type { Field, ObjectField } from './schema-fields.js';

/** Inline `code` and **bold**, the two marks node descriptions use. */
export function inline(text: string): ReactNode[] {
  return text.split(/(`[^`]+`|\*\*[^*]+\*\*)/g).map((part, i) =>
    part.startsWith('`') && part.endsWith('`') && part.length > 1 ? (
      <code key={i}>{part.slice(1, -1)}</code>
    ) : part.startsWith('**') && part.endsWith('**') && part.length > 4 ? (
      <strong key={i}>{part.slice(2, -2)}</strong>
    ) : (
      <Fragment key={i}>{part}</Fragment>
    ),
  );
}

/** Paragraphs and `- ` lists of a node's description (markdown, as the generated docs use it). */
export function DocText(props: { readonly text: string }): ReactNode {
  const blocks = props.text.split(/\n\s*\n/);
  return (
    <>
      {blocks.map((block, i) => {
        const lines = block.split('\n');
        if (lines.every((l) => /^\s*- /.test(l) || /^\s{2,}\S/.test(l))) {
          const items = block.split(/\n(?=\s*- )/).map((l) => l.replace(/^\s*- /, '').replace(/\n\s*/g, ' '));
          return (
            <ul key={i}>
              {items.map((item, j) => (
                <li key={j}>{inline(item)}</li>
              ))}
            </ul>
          );
        }
        return <p key={i}>{inline(block.replace(/\n/g, ' '))}</p>;
      })}
    </>
  );
}

interface DocRow {
  /** `rules.*.path`: the docs key; list indexes are `*`. */
  readonly key: string;
  readonly name: string;
  readonly field: Field;
  readonly when?: string | undefined;
}

function rowsOf(field: Field, key: string, name: string, when: string | undefined, depth: number, out: DocRow[]): DocRow[] {
  if (depth > 6) return out;
  if (key !== '' && field.kind !== 'const') out.push({ key, name, field, when });
  const join = (a: string, b: string) => (a === '' ? b : `${a}.${b}`);
  switch (field.kind) {
    case 'object':
      for (const e of field.fields) rowsOf(e.field, join(key, e.key), join(name, e.key), when, depth + 1, out);
      break;
    case 'list':
      if (field.item.kind === 'object' || field.item.kind === 'union') rowsOf({ ...field.item, title: '' } as Field, join(key, '*'), `${name}[]`, when, depth + 1, out);
      break;
    case 'union':
      for (const v of field.variants) {
        if (v.field.kind === 'object') for (const e of v.field.fields) rowsOf(e.field, join(key, e.key), join(name, e.key), `${field.discriminator ?? 'kind'} = ${v.label}`, depth + 1, out);
      }
      break;
    default:
      break;
  }
  return out.filter((r) => r.field.title !== '');
}

/** `rules.0.path` → `rules.*.path`, to find a focused field's docs entry. */
export const docsKeyOf = (key: string) => key.replace(/(^|\.)\d+(?=\.|$)/g, '$1*');

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v));

/** The docs beside a form: summary, description, ports, then every field with its full description. */
export function NodeDocs(props: {
  readonly summary: string;
  readonly description?: string | undefined;
  readonly inputs?: Readonly<Record<string, string>>;
  readonly outputs?: Readonly<Record<string, string>>;
  readonly fields: ObjectField;
  /** The key of the focused field (`rules.0.path`): its entry is marked. */
  readonly active?: string | undefined;
}): ReactNode {
  const rows = rowsOf(props.fields, '', '', undefined, 0, []);
  const active = props.active !== undefined ? docsKeyOf(props.active) : undefined;
  const ports = (title: string, map: Readonly<Record<string, string>> | undefined) =>
    map && Object.keys(map).length > 0 ? (
      <>
        <h4>{title}</h4>
        <dl className="pw-insp-docs-ports">
          {Object.entries(map).map(([port, text]) => (
            <Fragment key={port}>
              <dt>
                <code>{port}</code>
              </dt>
              <dd>{inline(text)}</dd>
            </Fragment>
          ))}
        </dl>
      </>
    ) : null;
  return (
    <aside className="pw-insp-docs" data-testid="node-docs">
      <p className="pw-insp-docs-summary">{inline(props.summary)}</p>
      {props.description ? <DocText text={props.description} /> : null}
      {ports('Inputs', props.inputs)}
      {ports('Outputs', props.outputs)}
      {rows.length > 0 ? <h4>Fields</h4> : null}
      {rows.map((row, i) => {
        const f = row.field;
        return (
          <div key={`${row.key}-${i}`} className={`pw-insp-docs-field${active === row.key ? ' pw-insp-docs-active' : ''}`} data-doc-field={row.key}>
            <div className="pw-insp-docs-field-head">
              <strong>{f.title}</strong> <code className="pw-insp-docs-key">{row.name}</code>
              {(f.kind === 'number' || f.kind === 'integer') && f.unit ? <span className="pw-insp-docs-meta"> in {f.unit}</span> : null}
              {row.when ? <span className="pw-insp-docs-meta"> ({row.when})</span> : null}
            </div>
            {f.description ? <div className="pw-insp-docs-text">{inline(f.description)}</div> : null}
            {f.hasDefault ? <div className="pw-insp-docs-meta">Default: <code>{show(f.default)}</code></div> : null}
            {f.examples.length > 0 ? (
              <div className="pw-insp-docs-meta">
                Examples:{' '}
                {f.examples.map((e, j) => (
                  <Fragment key={j}>
                    {j > 0 ? ', ' : ''}
                    <code>{show(e)}</code>
                  </Fragment>
                ))}
              </div>
            ) : null}
          </div>
        );
      })}
    </aside>
  );
}
