import type { ReactNode } from 'react';
import type { FieldIssue } from './field-issues.js';
import { useForm } from './form-context.js';
import { inline } from './NodeDocs.js';
import { pathKey, type Field, type FieldPath } from './schema-fields.js';

/** The first sentence of a description: the hint under a control (the docs beside the form have all of it). */
export function firstSentence(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const end = /[.!?](?=\s|$)/g;
  for (let m = end.exec(text); m; m = end.exec(text)) {
    // "e.g." and "i.e." end no sentence.
    if (/\b(e\.g|i\.e|etc|vs|cf)$/i.test(text.slice(0, m.index))) continue;
    return text.slice(0, m.index + 1).replace(/\s+/g, ' ').trim();
  }
  return text.replace(/\s+/g, ' ').trim();
}

/** Inline problems of one control: `field-error-<path>`. Errors before warnings. */
export function FieldErrors(props: { readonly path: FieldPath; readonly extra?: readonly FieldIssue[] }): ReactNode {
  const { issues } = useForm();
  const key = pathKey(props.path);
  const list = [...(props.extra ?? []), ...(issues.get(key) ?? [])].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  if (list.length === 0) return null;
  return (
    <div className="pw-insp-errors" data-testid={`field-error-${key}`} role="alert">
      {list.map((issue, i) => (
        <div key={i} className={issue.severity === 'error' ? 'pw-insp-error' : 'pw-insp-warning'}>
          {issue.message}
        </div>
      ))}
    </div>
  );
}

/** Label, control, hint and inline errors of one field. */
export function FieldRow(props: {
  readonly field: Field;
  readonly path: FieldPath;
  readonly inputId?: string;
  readonly children: ReactNode;
  /** Problems only the control knows (text that is not a number yet). */
  readonly localIssues?: readonly FieldIssue[];
  /** Draw the label beside a checkbox rather than above the control. */
  readonly inline?: boolean;
}): ReactNode {
  const { field, path } = props;
  const { onFocusField } = useForm();
  const key = pathKey(path);
  const hint = firstSentence(field.description);
  const label = field.title === '' ? null : (
    <label className="pw-insp-label" htmlFor={props.inputId} title={field.description}>
      {field.title}
      {field.required ? <span className="pw-insp-required" aria-label="required"> *</span> : null}
    </label>
  );
  return (
    <div className={`pw-insp-row${props.inline ? ' pw-insp-row-inline' : ''}`} data-field={key} onFocus={() => onFocusField?.(key)}>
      {props.inline ? (
        <div className="pw-insp-inline">
          {props.children}
          {label}
        </div>
      ) : (
        <>
          {label}
          {props.children}
        </>
      )}
      {hint ? <div className="pw-insp-hint">{inline(hint)}</div> : null}
      <FieldErrors path={path} {...(props.localIssues ? { extra: props.localIssues } : {})} />
    </div>
  );
}
