import type { NodeStatus } from '@plantwire/protocol';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { LastMessage } from '../debug/LastMessage.js';
import type { PwNodeData } from '../model/canvas-types.js';
import { inputHandlesOf, outputHandlesOf, portOffset, nodeSize } from '../model/node-geometry.js';
import { nodeLoadOf } from '../model/node-load.js';
import { IMPLICIT_ERROR_PORT } from '@plantwire/flow';
import { useEditor } from '../store/editor.js';
import { useLive } from '../store/live-store.js';
import { iconGlyph } from './node-icons.js';

export type PwFlowNode = Node<PwNodeData, 'pw'>;

const FILL: Readonly<Record<NonNullable<NodeStatus['fill']>, string>> = {
  green: 'var(--pw-ok)', yellow: 'var(--pw-warn)', red: 'var(--pw-error)', blue: 'var(--pw-accent)', grey: 'var(--pw-muted)',
};

/**
 * The one canvas node for every type, drawn from its manifest. Memoised: it re-renders when its
 * own canvas node object changes (the store keeps unchanged ones), its status changes, or it
 * becomes the single selection; never on another node's edit or a counter tick.
 */
export const PwNode = memo(function PwNode({ id, data, selected }: NodeProps<PwFlowNode>) {
  // React Flow hands position and drag state as props too; the body depends on none of them, so
  // dragging 50 nodes re-renders 50 of these thin wrappers and no handle.
  return <PwNodeBody id={id} data={data} selected={selected === true} />;
});

const PwNodeBody = memo(function PwNodeBody({ id, data, selected }: { readonly id: string; readonly data: PwNodeData; readonly selected: boolean }) {
  const manifest = useEditor((s) => s.manifests.get(data.nodeType));
  const soleSelection = useEditor((s) => selected && s.selectedNodes.size === 1);
  const inputs = inputHandlesOf(manifest);
  const outputs = outputHandlesOf(manifest);
  const { height } = nodeSize(manifest);
  const classes = ['pw-node', `pw-node-cat-${manifest?.category ?? 'unknown'}`];
  if (selected) classes.push('selected');
  if (data.invalid) classes.push('invalid');
  if (data.disabled) classes.push('disabled');
  return (
    <div className={classes.join(' ')} style={{ height }} data-testid={`node-${id}`} title={manifest?.summary}>
      <div className="pw-node-head">
        <span className="pw-icon">{iconGlyph(manifest?.icon, data.nodeType)}</span>
        <span className="label">{data.label}</span>
        {manifest?.privileged && (
          <span className="pw-privileged" data-testid={`node-privileged-${id}`} title="Writes to a device: deploying it new or changed needs the elevated role (admin by default)">
            🔒
          </span>
        )}
        {data.invalid && (
          <span className="pw-invalid" data-testid={`node-invalid-${id}`} title={data.problem}>
            !
          </span>
        )}
      </div>
      {inputs.map((port, i) => (
        <span key={`in-${port}`}>
          <Handle type="target" position={Position.Left} id={port} className="pw-handle" style={{ top: portOffset(i) }} data-testid={`handle-${id}-in-${port}`} title={manifest?.inputs[port]} />
          {inputs.length > 1 && (
            <span className="pw-port-label in" style={{ top: portOffset(i) }}>
              {port}
            </span>
          )}
        </span>
      ))}
      {outputs.map((port, i) => {
        const error = port === IMPLICIT_ERROR_PORT && manifest?.outputs[port] === undefined;
        return (
          <span key={`out-${port}`}>
            <Handle
              type="source"
              position={Position.Right}
              id={port}
              className={error ? 'pw-handle pw-handle-error' : 'pw-handle'}
              style={{ top: portOffset(i) }}
              data-testid={`handle-${id}-out-${port}`}
              title={error ? 'error: this node\'s errors, when wired' : manifest?.outputs[port]}
            />
            {outputs.length > 2 && !error && (
              <span className={`pw-port-label out${error ? ' error' : ''}`} style={{ top: portOffset(i) }}>
                {port}
              </span>
            )}
          </span>
        );
      })}
      <StatusBadge id={id} />
      <LoadBadge id={id} />
      {soleSelection && <SelectedLastMessage id={id} />}
    </div>
  );
});

/** Queue depth and drops under the node's right edge: backpressure made visible, where it builds. */
function LoadBadge({ id }: { readonly id: string }) {
  const load = nodeLoadOf(useLive((s) => s.nodes[id]));
  if (!load) return null;
  return (
    <div className={`pw-load pw-load-${load.level}`} data-testid={`node-load-${id}`}>
      {load.text}
    </div>
  );
}

function StatusBadge({ id }: { readonly id: string }) {
  const status = useLive((s) => s.statuses[id]);
  if (!status) return null;
  const color = FILL[status.fill ?? 'grey'];
  return (
    <div className="pw-status" data-testid={`node-status-${id}`}>
      <span className={`pw-dot${status.shape === 'ring' ? ' ring' : ''}`} style={{ background: color, borderColor: color }} />
      {status.text}
    </div>
  );
}

function SelectedLastMessage({ id }: { readonly id: string }) {
  const socket = useLive((s) => s.socket);
  return (
    <div className="pw-lastmsg nodrag nowheel" onMouseDown={(e) => e.stopPropagation()}>
      <LastMessage nodeId={id} socket={socket} />
    </div>
  );
}
