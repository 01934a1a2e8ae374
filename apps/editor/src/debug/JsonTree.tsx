import { memo, useMemo, useState } from 'react';
import { CHILD_PAGE, copyValueText, jsonTreeChildren, jsonTreeRoot, type JsonTreeNode, type PathSegment } from './json-tree.js';
import { copyLabel, useCopy } from './useCopy.js';
import './debug.css';

export interface JsonTreeProps {
  readonly value: unknown;
  /** Where the value sits in its message (e.g. `['payload']`), for copied paths; empty when unknown. */
  readonly prefix?: readonly PathSegment[];
  /** Open the root's children right away (a row the user just expanded). */
  readonly open?: boolean;
}

/** A value as an expandable tree with "copy path" / "copy value" per line; children render a page at a time. */
const NO_PREFIX: readonly PathSegment[] = [];

export function JsonTree({ value, prefix = NO_PREFIX, open = true }: JsonTreeProps) {
  const root = useMemo(() => jsonTreeRoot(value, prefix), [value, prefix]);
  return (
    <div className="pw-json-tree" role="tree">
      <JsonTreeItem node={root} depth={0} initiallyOpen={open} />
    </div>
  );
}

const JsonTreeItem = memo(function JsonTreeItem({ node, depth, initiallyOpen }: { readonly node: JsonTreeNode; readonly depth: number; readonly initiallyOpen: boolean }) {
  const [open, setOpen] = useState(initiallyOpen && node.childCount > 0);
  const [limit, setLimit] = useState(CHILD_PAGE);
  const page = useMemo(() => (open ? jsonTreeChildren(node, limit) : undefined), [open, node, limit]);
  const path = useCopy();
  const copied = useCopy();
  const container = node.kind === 'object' || node.kind === 'array';

  return (
    <div role="treeitem" aria-expanded={container ? open : undefined} className="pw-json-item">
      <div className="pw-json-line" style={{ paddingLeft: depth * 14 }}>
        {container && node.childCount > 0 ? (
          <button type="button" className="pw-json-toggle" aria-label={open ? 'collapse' : 'expand'} onClick={() => setOpen((o) => !o)}>
            {open ? '▾' : '▸'}
          </button>
        ) : (
          <span className="pw-json-toggle-space" />
        )}
        {node.key !== undefined && <span className="pw-json-key">{node.key}</span>}
        {node.key !== undefined && <span className="pw-json-colon">: </span>}
        <span className={`pw-json-value pw-json-${node.kind}`}>{node.summary}</span>
        <span className="pw-json-actions">
          {node.path !== '' && (
            <button type="button" className="pw-link-button" title={node.path} onClick={() => path.copy(node.path)}>
              {copyLabel(path.state, 'copy path')}
            </button>
          )}
          <button type="button" className="pw-link-button" onClick={() => copied.copy(copyValueText(node.value))}>
            {copyLabel(copied.state, 'copy value')}
          </button>
        </span>
      </div>
      {page && (
        <div role="group">
          {page.children.map((child) => (
            <JsonTreeItem key={String(child.key)} node={child} depth={depth + 1} initiallyOpen={false} />
          ))}
          {page.hidden > 0 && (
            <div className="pw-json-line" style={{ paddingLeft: (depth + 1) * 14 }}>
              <span className="pw-json-toggle-space" />
              <button type="button" className="pw-link-button" onClick={() => setLimit((l) => l + CHILD_PAGE)}>
                show {Math.min(CHILD_PAGE, page.hidden)} more of {page.hidden}
              </button>
            </div>
          )}
        </div>
      )}
    </div>
  );
});
