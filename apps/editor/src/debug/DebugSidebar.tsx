import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import { DebugList } from './DebugList.js';
import type { LiveSocket } from './live-socket.js';
import { ReceivedCounts } from './ReceivedCounts.js';
import { useDebugLog } from './useDebugLog.js';
import './debug.css';

export type { LiveSocket } from './live-socket.js';

export interface DebugSidebarProps {
  readonly socket: LiveSocket | undefined;
  /** Labels of the nodes of the working document, for the filter and the rows. */
  readonly nodes: ReadonlyArray<{ readonly id: string; readonly label: string; readonly type: string }>;
  /** Select (and reveal) a node on the canvas when its name in a row is clicked. */
  onSelectNode(id: string): void;
  /** Chart what fed a debug node, one tag of it when `topic` is given (the rows' "trend" action). */
  onTrend?: ((debugNodeId: string, topic: string | undefined) => void) | undefined;
}

const ALL_NODES = '';

/**
 * The live debug stream: messages of debug nodes, node errors (red) and "skipped" markers, newest
 * at the bottom. Holds the newest 2,000 entries (DEFAULT_DEBUG_CAPACITY in debug-log.ts), renders
 * at most once per frame and only the rows in view.
 */
export function DebugSidebar({ socket, nodes, onSelectNode, onTrend }: DebugSidebarProps) {
  const { feed, version } = useDebugLog(socket);
  const [text, setText] = useState('');
  const [nodeFilter, setNodeFilter] = useState(ALL_NODES);
  // Typing stays responsive with a full buffer: the filter runs behind the keystrokes.
  const deferredText = useDeferredValue(text);

  const labels = useMemo(() => new Map(nodes.map((n) => [n.id, n.label || n.id])), [nodes]);
  const labelOf = useCallback((nodeId: string | undefined) => (nodeId === undefined ? undefined : labels.get(nodeId)), [labels]);
  const sortedNodes = useMemo(() => [...nodes].sort((a, b) => (a.label || a.id).localeCompare(b.label || b.id)), [nodes]);

  const nodeIds = useMemo(() => (nodeFilter === ALL_NODES ? undefined : new Set([nodeFilter])), [nodeFilter]);
  // `version` changes at most once per frame; the view is rebuilt then, from the bounded buffer.
  const entries = useMemo(() => feed?.log.view({ nodeIds, text: deferredText }) ?? [], [feed, version, nodeIds, deferredText]);

  const log = feed?.log;
  const paused = log?.paused ?? false;

  const togglePause = (): void => {
    if (!feed) return;
    if (feed.log.paused) feed.log.resume();
    else feed.log.pause();
    feed.changed({ now: true });
  };
  const clear = (): void => {
    if (!feed) return;
    feed.log.clear();
    feed.changed({ now: true });
  };

  return (
    <aside className="pw-debug" data-testid="debug-sidebar" aria-label="Debug messages">
      <div className="pw-debug-toolbar">
        <input
          className="pw-debug-input"
          data-testid="debug-filter-text"
          type="search"
          placeholder="Filter messages"
          aria-label="Filter messages by text"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <select className="pw-debug-input" data-testid="debug-filter-node" aria-label="Filter by node" value={nodeFilter} onChange={(e) => setNodeFilter(e.target.value)}>
          <option value={ALL_NODES}>All nodes</option>
          {sortedNodes.map((n) => (
            <option key={n.id} value={n.id}>
              {n.label || n.id} ({n.type})
            </option>
          ))}
          {nodeFilter !== ALL_NODES && !labels.has(nodeFilter) && <option value={nodeFilter}>{nodeFilter}</option>}
        </select>
        <button type="button" className={`pw-debug-button${paused ? ' pw-debug-active' : ''}`} data-testid="debug-pause" aria-pressed={paused} onClick={togglePause} disabled={!feed}>
          {paused ? `Resume${log && log.heldCount > 0 ? ` (${log.heldCount.toLocaleString()} new)` : ''}` : 'Pause'}
        </button>
        <button type="button" className="pw-debug-button" data-testid="debug-clear" onClick={clear} disabled={!feed}>
          Clear
        </button>
      </div>
      {log && <ReceivedCounts log={log} version={version} nodes={nodes} labelOf={labelOf} onSelectNode={onSelectNode} />}
      {!socket && <div className="pw-debug-notice">Not connected to the server.</div>}
      <DebugList entries={entries} labelOf={labelOf} onSelectNode={onSelectNode} onTrend={onTrend} />
      <div className="pw-debug-footer">
        {entries.length.toLocaleString()} shown
        {log && log.evicted > 0 && ` · ${log.evicted.toLocaleString()} older removed (keeps the last ${log.capacity.toLocaleString()})`}
        {paused && ' · paused'}
      </div>
    </aside>
  );
}
