import { BaseEdge, getBezierPath, type Edge, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import { useLive } from '../store/live-store.js';

/** A wire with its live message counter (messages that left its source port since the deploy). */
export const PwEdge = memo(function PwEdge(props: EdgeProps<Edge<Record<string, unknown>, 'pw'>>) {
  const { source, target, sourceHandleId, targetHandleId, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, selected, markerEnd, style } = props;
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  const counter = useLive((s) => s.ports[`${source}:${sourceHandleId ?? ''}`]);
  return (
    <>
      <BaseEdge path={path} {...(markerEnd !== undefined ? { markerEnd } : {})} style={{ ...style, strokeWidth: selected ? 2.5 : 1.5, ...(sourceHandleId === 'error' ? { strokeDasharray: '4 3' } : {}) }} />
      {counter && (
        <text className="pw-edge-count" x={labelX} y={labelY - 6} textAnchor="middle" data-total={counter.total} data-testid={`edge-count-${source}-${sourceHandleId ?? ''}-${target}-${targetHandleId ?? ''}`}>
          {counter.total}
          {counter.perSecond > 0 ? ` · ${formatRate(counter.perSecond)}/s` : ''}
        </text>
      )}
    </>
  );
});

function formatRate(rate: number): string {
  return rate >= 100 ? String(Math.round(rate)) : rate.toFixed(rate >= 10 ? 0 : 1);
}
