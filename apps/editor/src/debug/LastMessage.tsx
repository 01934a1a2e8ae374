import { useState } from 'react';
import { entryPreview } from './debug-log.js';
import { formatClock } from './format-clock.js';
import { JsonTree } from './JsonTree.js';
import type { LiveSocket } from './live-socket.js';
import { useLastMessage } from './useDebugLog.js';
import './debug.css';

/**
 * The canvas's "show last message" for one node: a one-line preview of its newest debug message (or
 * error, in red) that opens into a JSON tree. Renders nothing until the node has printed something.
 * `nodrag`/`nowheel` keep React Flow from dragging or zooming when the user works inside it.
 */
export function LastMessage({ nodeId, socket }: { readonly nodeId: string; readonly socket: LiveSocket | undefined }) {
  const entry = useLastMessage(socket, nodeId);
  const [open, setOpen] = useState(false);
  if (!entry) return null;
  const error = entry.kind === 'error';
  return (
    <div className={`pw-last-message nodrag nowheel${error ? ' pw-last-message-error' : ''}`} data-testid={`last-message-${nodeId}`} data-kind={entry.kind}>
      <button type="button" className="pw-last-message-line" aria-expanded={open} onClick={() => setOpen((o) => !o)} title={`${formatClock(entry.timestamp)} · click to ${open ? 'close' : 'open'}`}>
        <span className="pw-debug-time">{formatClock(entry.timestamp)}</span> <span className="pw-mono">{entryPreview(entry)}</span>
      </button>
      {open && (
        <div className="pw-last-message-tree">
          {entry.kind === 'message' ? <JsonTree value={entry.value} /> : <div className="pw-debug-error-text">{entry.message}</div>}
        </div>
      )}
    </div>
  );
}
