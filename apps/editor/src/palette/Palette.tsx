import type { NodeManifest } from '@plantwire/protocol';
import { useReactFlow } from '@xyflow/react';
import { memo, useDeferredValue, useMemo, useState, type DragEvent, type KeyboardEvent } from 'react';
import { NODE_TYPE_MIME } from '../canvas/Canvas.js';
import { iconGlyph } from '../canvas/node-icons.js';
import { nodeSize } from '../model/node-geometry.js';
import { paletteGroups } from '../model/palette-groups.js';
import { useEditor } from '../store/editor.js';

/** Node types by category with search; drag one onto the canvas, or press Enter / double-click to add it in the middle of the view. */
export function Palette() {
  const manifests = useEditor((s) => s.nodeManifests);
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query);
  const groups = useMemo(() => paletteGroups(manifests, deferred), [manifests, deferred]);
  const flow = useReactFlow();

  const addInView = (manifest: NodeManifest): void => {
    const canvas = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
    const centre = canvas ? { x: canvas.left + canvas.width / 2, y: canvas.top + canvas.height / 2 } : { x: 400, y: 300 };
    const at = flow.screenToFlowPosition(centre);
    const size = nodeSize(manifest);
    useEditor.getState().addNodeAt(manifest.type, { x: at.x - size.width / 2, y: at.y - size.height / 2 });
  };

  return (
    <div className="pw-palette" data-testid="palette">
      <input type="search" placeholder="Search nodes…" value={query} onChange={(e) => setQuery(e.target.value)} data-testid="palette-search" aria-label="Search nodes" />
      {groups.map((group) => (
        <div key={group.label}>
          <div className="pw-section-title">{group.label}</div>
          {group.items.map((manifest) => (
            <PaletteItem key={manifest.type} manifest={manifest} onAdd={addInView} />
          ))}
        </div>
      ))}
      {groups.length === 0 && <div className="pw-empty">No node type matches “{query}”.</div>}
    </div>
  );
}

const PaletteItem = memo(function PaletteItem({ manifest, onAdd }: { readonly manifest: NodeManifest; onAdd(m: NodeManifest): void }) {
  const onDragStart = (event: DragEvent) => {
    event.dataTransfer.setData(NODE_TYPE_MIME, manifest.type);
    event.dataTransfer.setData('text/plain', manifest.type);
    event.dataTransfer.effectAllowed = 'copy';
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter') onAdd(manifest);
  };
  return (
    <div
      className="pw-palette-item"
      draggable
      tabIndex={0}
      onDragStart={onDragStart}
      onDoubleClick={() => onAdd(manifest)}
      onKeyDown={onKeyDown}
      title={manifest.summary}
      data-testid={`palette-item-${manifest.type}`}
    >
      <span className="pw-icon">{iconGlyph(manifest.icon, manifest.type)}</span>
      <span>{manifest.type}</span>
    </div>
  );
});
