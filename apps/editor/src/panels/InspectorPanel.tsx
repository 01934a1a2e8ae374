import { useEditor } from '../store/editor.js';
import { ConnectionInspector } from './ConnectionInspector.js';
import { NodeInspector } from './NodeInspector.js';

/** Right-hand panel: the selected connection entry, else the single selected node. */
export function InspectorPanel() {
  const connection = useEditor((s) => s.selectedConnection);
  const single = useEditor((s) => (s.selectedNodes.size === 1 ? [...s.selectedNodes][0] : undefined));
  const count = useEditor((s) => s.selectedNodes.size);
  if (connection !== undefined) return <ConnectionInspector key={`c:${connection}`} id={connection} />;
  if (single !== undefined) return <NodeInspector key={`n:${single}`} nodeId={single} />;
  return (
    <div className="pw-inspector" data-testid="inspector">
      <div className="pw-empty">{count > 1 ? `${count} nodes selected.` : 'Select a node or a connection to edit it.'}</div>
    </div>
  );
}
