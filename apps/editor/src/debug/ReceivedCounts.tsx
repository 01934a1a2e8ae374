import type { DebugLog } from './debug-log.js';

export interface ReceivedCountsProps {
  readonly log: DebugLog;
  /** The feed's version: the log is mutable, so this is what tells React it changed. */
  readonly version: number;
  readonly nodes: ReadonlyArray<{ readonly id: string; readonly label: string; readonly type: string }>;
  readonly labelOf: (nodeId: string) => string | undefined;
  onSelectNode(nodeId: string): void;
}

/**
 * Per debug node: the exact number of messages it received (from the server's metrics, once a
 * second) next to how many reached this page. Under a flood the two differ; the first is the truth.
 */
export function ReceivedCounts({ log, nodes, labelOf, onSelectNode }: ReceivedCountsProps) {
  const ids = nodes.filter((n) => n.type === 'debug').map((n) => n.id);
  // Debug nodes of other documents (or of a not yet saved deploy) still print: list them too.
  for (const id of log.nodeIds()) if (log.shown(id) > 0 && !ids.includes(id)) ids.push(id);
  if (ids.length === 0) return null;
  return (
    <ul className="pw-debug-counts" aria-label="Messages received per debug node">
      {ids.map((id) => {
        const received = log.received(id);
        return (
          <li key={id}>
            <button type="button" className="pw-link-button pw-debug-node" onClick={() => onSelectNode(id)}>
              {labelOf(id) ?? id}
            </button>
            {' received '}
            <span className="pw-debug-count" data-testid={`debug-received-${id}`} data-count={received ?? 0} title={received === undefined ? 'no metrics sample yet' : undefined}>
              {received ?? 0}
            </span>
            <span className="pw-debug-muted">
              {' '}
              (shown {log.shown(id)}
              {log.skipped(id) > 0 && `, skipped ${log.skipped(id)}`})
            </span>
          </li>
        );
      })}
    </ul>
  );
}
