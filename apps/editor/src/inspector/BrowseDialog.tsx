import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { BrowseItem, BrowseResponse } from '@plantwire/protocol';

export interface BrowseDialogProps {
  /** One page of a node's children (undefined node: the server's root, the Objects folder). */
  browse(node?: string, continuationPoint?: string): Promise<BrowseResponse>;
  /** A Variable was picked: its node id goes into the field. */
  onPick(nodeId: string): void;
  onClose(): void;
}

interface Branch {
  readonly items: readonly BrowseItem[];
  readonly continuationPoint?: string | undefined;
  readonly loading: boolean;
  readonly error?: string | undefined;
}

const ROOT = '\u0000root';

/** The OPC UA address space as a tree, a page at a time; pick a Variable to use its node id. */
export function BrowseDialog(props: BrowseDialogProps): ReactNode {
  const [branches, setBranches] = useState<ReadonlyMap<string, Branch>>(new Map());
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set([ROOT]));
  const [selected, setSelected] = useState<BrowseItem | undefined>(undefined);
  const browseRef = useRef(props.browse);
  browseRef.current = props.browse;
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const load = useCallback((node: string, more?: string) => {
    setBranches((prev) => new Map(prev).set(node, { items: prev.get(node)?.items ?? [], continuationPoint: prev.get(node)?.continuationPoint, loading: true }));
    browseRef.current(node === ROOT ? undefined : node, more).then(
      (page) => {
        if (!alive.current) return;
        setBranches((prev) => {
          const before = more !== undefined ? (prev.get(node)?.items ?? []) : [];
          return new Map(prev).set(node, { items: [...before, ...page.items], continuationPoint: page.continuationPoint, loading: false });
        });
      },
      (err: unknown) => {
        if (!alive.current) return;
        const message = err instanceof Error ? err.message : String(err);
        setBranches((prev) => new Map(prev).set(node, { items: prev.get(node)?.items ?? [], continuationPoint: prev.get(node)?.continuationPoint, loading: false, error: message }));
      },
    );
  }, []);

  useEffect(() => load(ROOT), [load]);
  // Focus inside, so Escape closes it and the keyboard starts in the dialog.
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => dialog.current?.focus(), []);

  const toggle = (item: BrowseItem) => {
    const next = new Set(open);
    if (next.has(item.nodeId)) next.delete(item.nodeId);
    else {
      next.add(item.nodeId);
      if (!branches.has(item.nodeId)) load(item.nodeId);
    }
    setOpen(next);
  };

  const renderBranch = (node: string, depth: number): ReactNode => {
    const branch = branches.get(node);
    if (!branch) return null;
    return (
      <ul className="pw-browse-list" role="group">
        {branch.items.map((item) => {
          const expandable = item.nodeClass !== 'Variable' && item.nodeClass !== 'Method';
          const isOpen = open.has(item.nodeId);
          return (
            <li key={item.nodeId} role="treeitem" aria-expanded={expandable ? isOpen : undefined} aria-selected={selected?.nodeId === item.nodeId}>
              <div
                className={`pw-browse-item${selected?.nodeId === item.nodeId ? ' pw-browse-selected' : ''}`}
                style={{ paddingLeft: `${depth * 14 + 4}px` }}
                data-testid={`browse-item-${item.nodeId}`}
                onClick={() => (item.nodeClass === 'Variable' ? setSelected(item) : expandable ? toggle(item) : undefined)}
                onDoubleClick={() => item.nodeClass === 'Variable' && props.onPick(item.nodeId)}
              >
                <span className="pw-browse-twisty">{expandable ? (isOpen ? '▾' : '▸') : ''}</span>
                <span className={`pw-browse-class pw-browse-${item.nodeClass}`}>{item.nodeClass === 'Variable' ? 'V' : item.nodeClass === 'Object' ? 'O' : item.nodeClass.charAt(0)}</span>
                <span className="pw-browse-name">{item.displayName || item.browseName}</span>
                <span className="pw-browse-id">{item.nodeId}</span>
              </div>
              {expandable && isOpen ? renderBranch(item.nodeId, depth + 1) : null}
            </li>
          );
        })}
        {branch.loading ? <li className="pw-browse-status" style={{ paddingLeft: `${depth * 14 + 22}px` }}>Loading…</li> : null}
        {branch.error ? (
          <li className="pw-browse-status pw-insp-error" style={{ paddingLeft: `${depth * 14 + 22}px` }} data-testid="browse-error">
            {branch.error}{' '}
            <button type="button" className="pw-insp-button" onClick={() => load(node)}>
              Retry
            </button>
          </li>
        ) : null}
        {!branch.loading && branch.items.length === 0 && !branch.error ? <li className="pw-browse-status" style={{ paddingLeft: `${depth * 14 + 22}px` }}>No children</li> : null}
        {branch.continuationPoint && !branch.loading ? (
          <li style={{ paddingLeft: `${depth * 14 + 22}px` }}>
            <button type="button" className="pw-insp-button" data-testid={`browse-more-${node === ROOT ? 'root' : node}`} onClick={() => load(node, branch.continuationPoint)}>
              More…
            </button>
          </li>
        ) : null}
      </ul>
    );
  };

  return (
    <div className="pw-browse-backdrop" onClick={props.onClose}>
      <div
        className="pw-browse-dialog"
        ref={dialog}
        tabIndex={-1}
        role="dialog"
        aria-modal="true"
        aria-label="Browse the OPC UA server"
        data-testid="browse-dialog"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === 'Escape' && props.onClose()}
      >
        <div className="pw-browse-head">Browse the server</div>
        <div className="pw-browse-tree" role="tree">
          {renderBranch(ROOT, 0)}
        </div>
        <div className="pw-browse-foot">
          <span className="pw-browse-picked pw-insp-mono">{selected ? selected.nodeId : 'Select a variable'}</span>
          <button type="button" className="pw-insp-button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="button" className="pw-insp-button pw-insp-primary" data-testid="browse-pick" disabled={!selected} onClick={() => selected && props.onPick(selected.nodeId)}>
            Use
          </button>
        </div>
      </div>
    </div>
  );
}
