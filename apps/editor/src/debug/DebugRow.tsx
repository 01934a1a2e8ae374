import { memo } from 'react';
import { entryPreview, type DebugEntry } from './debug-log.js';
import { formatClock, formatClockRange } from './format-clock.js';
import { copyValueText } from './json-tree.js';
import { JsonTree } from './JsonTree.js';
import { copyLabel, useCopy } from './useCopy.js';
import { trendTargetOf } from './trend-target.js';
import { describeValue } from './value-preview.js';
import './debug.css';

/** Height of a collapsed row in px; the list's virtualisation relies on it (see debug.css). */
export const DEBUG_ROW_HEIGHT = 44;

export interface DebugRowProps {
  readonly entry: DebugEntry;
  /** The node's label in the working document, or undefined when the node is not in it. */
  readonly label: string | undefined;
  readonly expanded: boolean;
  onToggle(seq: number): void;
  onSelectNode(nodeId: string): void;
  /** Chart what fed this debug node (one tag of it when the row has a topic); absent: no trend action. */
  onTrend?: ((debugNodeId: string, topic: string | undefined) => void) | undefined;
}

function NodeLink({ nodeId, label, onSelectNode }: { readonly nodeId: string | undefined; readonly label: string | undefined; onSelectNode(id: string): void }) {
  if (nodeId === undefined) return <span className="pw-debug-node">several nodes</span>;
  return (
    <button type="button" className="pw-debug-node pw-link-button" title={`select ${nodeId} on the canvas`} onClick={() => onSelectNode(nodeId)}>
      {label ?? nodeId}
    </button>
  );
}

/** One entry of the debug sidebar: a message (expandable into a JSON tree), an error (red) or a skipped marker. */
export const DebugRow = memo(function DebugRow({ entry, label, expanded, onToggle, onSelectNode, onTrend }: DebugRowProps) {
  const copy = useCopy();

  if (entry.kind === 'skipped') {
    const why = entry.reason === 'paused' ? 'arrived while paused, beyond the buffer' : 'not forwarded by the server (flood)';
    return (
      <div className="pw-debug-row pw-debug-skipped" data-testid="debug-skipped" data-count={entry.count} style={{ height: DEBUG_ROW_HEIGHT }}>
        <div className="pw-debug-head">
          <span className="pw-debug-time">{formatClock(entry.to)}</span>
          <NodeLink nodeId={entry.nodeId} label={label} onSelectNode={onSelectNode} />
          <span className="pw-debug-skipped-count">{entry.count.toLocaleString()} messages skipped</span>
        </div>
        <div className="pw-debug-preview" title={why}>
          {formatClockRange(entry.from, entry.to)} · {why}
        </div>
      </div>
    );
  }

  if (entry.kind === 'error') {
    return (
      <div className="pw-debug-row pw-debug-error" data-testid="debug-message" data-kind="error" data-node-id={entry.nodeId} style={{ height: DEBUG_ROW_HEIGHT }}>
        <div className="pw-debug-head">
          <span className="pw-debug-time">{formatClock(entry.timestamp)}</span>
          <NodeLink nodeId={entry.nodeId} label={label} onSelectNode={onSelectNode} />
          <span className="pw-debug-type">
            {entry.code} · {entry.handledBy === 'port' ? 'to error port' : entry.handledBy === 'catch' ? 'caught' : 'uncaught'}
          </span>
          <span className="pw-debug-spacer" />
          <button type="button" className="pw-link-button" onClick={() => copy.copy(`${entry.code}: ${entry.message}`)}>
            {copyLabel(copy.state, 'copy')}
          </button>
        </div>
        <div className="pw-debug-preview" title={entry.message}>
          {entry.message}
        </div>
      </div>
    );
  }

  return (
    <div
      className={`pw-debug-row pw-debug-msg${expanded ? ' pw-debug-expanded' : ''}`}
      data-testid="debug-message"
      data-kind="message"
      data-node-id={entry.nodeId}
      style={expanded ? undefined : { height: DEBUG_ROW_HEIGHT }}
    >
      <div className="pw-debug-head">
        <button type="button" className="pw-json-toggle" aria-expanded={expanded} aria-label={expanded ? 'collapse' : 'expand'} onClick={() => onToggle(entry.seq)}>
          {expanded ? '▾' : '▸'}
        </button>
        <span className="pw-debug-time">{formatClock(entry.timestamp)}</span>
        <NodeLink nodeId={entry.nodeId} label={label ?? entry.nodeName} onSelectNode={onSelectNode} />
        <span className="pw-debug-type">{describeValue(entry.value)}</span>
        {entry.truncated && (
          <span className="pw-debug-badge" title="The server cut this value to its size limit">
            truncated
          </span>
        )}
        <span className="pw-debug-spacer" />
        {onTrend && <TrendAction entry={entry} onTrend={onTrend} />}
        {/* Formatting the whole value happens here, on click, never on arrival. */}
        <button type="button" className="pw-link-button" onClick={() => copy.copy(copyValueText(entry.value))}>
          {copyLabel(copy.state, 'copy value')}
        </button>
      </div>
      {expanded ? (
        <JsonTree value={entry.value} />
      ) : (
        <div className="pw-debug-preview pw-mono" onClick={() => onToggle(entry.seq)}>
          {entryPreview(entry)}
        </div>
      )}
    </div>
  );
});

/** "trend" on a row whose value holds a number: worked out on render of the visible rows only. */
function TrendAction({ entry, onTrend }: { readonly entry: DebugEntry & { readonly kind: 'message' }; onTrend(debugNodeId: string, topic: string | undefined): void }) {
  const target = trendTargetOf(entry.value);
  if (!target) return null;
  return (
    <button type="button" className="pw-link-button" data-testid="debug-trend" title={target.topic ? `chart ${target.topic} over the last minutes` : 'chart these values over the last minutes'} onClick={() => onTrend(entry.nodeId, target.topic)}>
      trend
    </button>
  );
}
