import { javascript } from '@codemirror/lang-javascript';
import CodeMirror, { Decoration, EditorView, MatchDecorator, ViewPlugin, type DecorationSet, type ViewUpdate } from '@uiw/react-codemirror';
import { useMemo, type ReactNode } from 'react';
import { useForm } from './form-context.js';
import { FieldRow } from './FieldRow.js';
import { pathKey, type CodeField as CodeFieldSchema, type FieldPath } from './schema-fields.js';

/** `{{name}}`, `{{#section}}`, `{{/section}}` marked in a mustache template (there is no mustache grammar for CodeMirror 6 installed). */
const mustacheTags = new MatchDecorator({ regexp: /\{\{\{?[^}]*\}?\}\}/g, decoration: Decoration.mark({ class: 'pw-insp-mustache' }) });
const mustache = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = mustacheTags.createDeco(view);
    }
    update(update: ViewUpdate) {
      this.decorations = mustacheTags.updateDeco(update, this.decorations);
    }
  },
  { decorations: (v) => v.decorations },
);

const theme = EditorView.theme({
  '&': { fontSize: '12px', border: '1px solid var(--pw-border)', borderRadius: '3px', backgroundColor: 'var(--pw-bg)', color: 'var(--pw-text)' },
  '&.cm-focused': { outline: '1px solid var(--pw-accent)' },
  '.cm-content': { fontFamily: 'var(--pw-mono, monospace)' },
  '.cm-gutters': { backgroundColor: 'var(--pw-panel)', color: 'var(--pw-muted)', borderRight: '1px solid var(--pw-border)' },
});

/** A function body (JavaScript) or a template (mustache) in a code editor. */
export function CodeField(props: { readonly field: CodeFieldSchema; readonly path: FieldPath; readonly value: unknown }): ReactNode {
  const { field, path } = props;
  const form = useForm();
  const key = pathKey(path);
  const extensions = useMemo(() => [theme, EditorView.lineWrapping, field.language === 'javascript' ? javascript() : mustache], [field.language]);
  const value = typeof props.value === 'string' ? props.value : field.hasDefault && typeof field.default === 'string' ? field.default : '';
  return (
    <FieldRow field={field} path={path}>
      <div data-testid={`field-${key}`} className="pw-insp-code" data-language={field.language} aria-invalid={form.issues.has(key) || undefined}>
        <CodeMirror
          value={value}
          minHeight={field.language === 'javascript' ? '120px' : '60px'}
          maxHeight="480px"
          basicSetup={{ foldGutter: false, highlightActiveLine: false }}
          extensions={extensions}
          theme="none"
          onChange={(text) => form.set(path, text)}
        />
      </div>
    </FieldRow>
  );
}
