import { useState } from 'react';
import { tabKeyOf } from '../model/document-to-canvas.js';
import { useEditor } from '../store/editor.js';
import { ConfirmDialog } from './ConfirmDialog.js';

/** One tab per flow tab; double-click renames, × removes (with its nodes, after asking). */
export function Tabs() {
  const tabs = useEditor((s) => s.tabs);
  const active = useEditor((s) => s.activeTab);
  const [editing, setEditing] = useState<string | undefined>();
  const [removing, setRemoving] = useState<{ id: string; label: string; count: number } | undefined>();
  const st = useEditor.getState;
  return (
    <nav className="pw-tabs">
      {tabs.map((tab) => (
        <div
          key={tab.id}
          className={`pw-tab${tab.id === active ? ' active' : ''}`}
          data-testid={`tab-${tab.implicit ? 'default' : tab.id}`}
          onClick={() => st().setActiveTab(tab.id)}
          onDoubleClick={() => !tab.implicit && setEditing(tab.id)}
        >
          {editing === tab.id ? (
            <input
              autoFocus
              defaultValue={tab.label}
              onBlur={(e) => {
                if (e.target.value.trim() !== '') st().renameTab(tab.id, e.target.value.trim());
                setEditing(undefined);
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
                if (e.key === 'Escape') setEditing(undefined);
              }}
            />
          ) : (
            <span>{tab.label}</span>
          )}
          {!tab.implicit && (
            <button
              className="close"
              title="Remove this tab"
              onClick={(e) => {
                e.stopPropagation();
                const count = st().doc.nodes.filter((n) => tabKeyOf(n) === tab.id).length;
                if (count === 0) st().removeTab(tab.id);
                else setRemoving({ id: tab.id, label: tab.label, count });
              }}
            >
              ×
            </button>
          )}
        </div>
      ))}
      <button className="add" data-testid="tab-add" title="Add a tab" onClick={() => st().addTab()}>
        +
      </button>
      {removing && (
        <ConfirmDialog
          testId="tab-remove-dialog"
          title={`Remove tab “${removing.label}”?`}
          text={`Its ${removing.count} node${removing.count === 1 ? '' : 's'} will be removed too (undo brings them back).`}
          confirm="Remove tab"
          onConfirm={() => {
            st().removeTab(removing.id);
            setRemoving(undefined);
          }}
          onCancel={() => setRemoving(undefined)}
        />
      )}
    </nav>
  );
}
