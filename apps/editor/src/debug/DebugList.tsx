import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { DebugEntry } from './debug-log.js';
import { DEBUG_ROW_HEIGHT, DebugRow } from './DebugRow.js';
import { offsetOfKey, virtualWindow } from './virtual-window.js';

/** A scroll this soon after a wheel, touch or key press is the user's. */
const USER_SCROLL_MS = 500;

export interface DebugListProps {
  readonly entries: readonly DebugEntry[];
  readonly labelOf: (nodeId: string | undefined) => string | undefined;
  onSelectNode(nodeId: string): void;
  onTrend?: ((debugNodeId: string, topic: string | undefined) => void) | undefined;
}

/**
 * The rows, virtualised: only those in view (plus a margin) are in the DOM, whatever the buffer
 * holds. Collapsed rows have a fixed height; expanded ones are measured. Follows the newest row at
 * the bottom unless the user scrolled up.
 *
 * Under a flood this renders up to ten times a second, so it never reads layout (scrollHeight,
 * clientHeight) while rendering: sizes come from ResizeObserver and the row model, and the only
 * DOM write is scrollTop. A reader scrolled back keeps the rows in view still while old rows
 * leave the top of the buffer (until those very rows leave).
 */
export function DebugList({ entries, labelOf, onSelectNode, onTrend }: DebugListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  /** The scroller's scrollTop as last written or seen; a scroll re-renders through `setScrolled`. */
  const domTop = useRef(0);
  const [, setScrolled] = useState(0);
  /** The row at the top of the view and where it was, to hold it in place as rows above it go. */
  const anchor = useRef<{ readonly seq: number; readonly offset: number } | undefined>(undefined);
  const [viewport, setViewport] = useState(400);
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(() => new Set());
  const heights = useRef(new Map<number, number>());
  const [, setMeasured] = useState(0);
  const [follow, setFollow] = useState(true);
  const total = useRef(0);

  const onToggle = useCallback((seq: number) => {
    // Opening a row means reading it: stop following, so the flood does not carry it away.
    setFollow(false);
    setExpanded((previous) => {
      const next = new Set(previous);
      if (next.has(seq)) {
        next.delete(seq);
        heights.current.delete(seq);
      } else next.add(seq);
      return next;
    });
  }, []);

  // Expanded rows change height (tree opened, "show more"); one observer measures them all.
  const observer = useRef<ResizeObserver | undefined>(undefined);
  useEffect(() => {
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver((records) => {
      let changed = false;
      for (const record of records) {
        const seq = Number((record.target as HTMLElement).dataset['seq']);
        const h = Math.ceil(record.borderBoxSize[0]?.blockSize ?? record.contentRect.height);
        if (h > 0 && heights.current.get(seq) !== h) {
          heights.current.set(seq, h);
          changed = true;
        }
      }
      if (changed) setMeasured((n) => n + 1);
    });
    observer.current = ro;
    return () => ro.disconnect();
  }, []);
  const measure = useCallback((element: HTMLDivElement | null) => {
    if (!element || !observer.current) return;
    observer.current.observe(element);
    return () => observer.current?.unobserve(element);
  }, []);

  useEffect(() => {
    const element = scroller.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver((records) => {
      const h = records[0]?.contentRect.height;
      if (h) setViewport(h);
    });
    ro.observe(element);
    return () => ro.disconnect();
  }, []);

  const heightOf = (index: number): number => {
    const entry = entries[index];
    if (!entry) return 0;
    return expanded.has(entry.seq) ? (heights.current.get(entry.seq) ?? DEBUG_ROW_HEIGHT * 4) : DEBUG_ROW_HEIGHT;
  };
  let scrollTop = domTop.current;
  if (!follow && anchor.current) {
    const now = offsetOfKey(entries.length, (i) => entries[i]?.seq ?? 0, heightOf, anchor.current.seq);
    if (now !== undefined) scrollTop = Math.max(0, scrollTop + now - anchor.current.offset);
  }
  const w = virtualWindow({ count: entries.length, heightOf, scrollTop, viewportHeight: viewport, atEnd: follow });
  total.current = w.total;
  // The first row at or below the top edge of the view becomes the next anchor.
  let nextAnchor: { seq: number; offset: number } | undefined;
  for (let i = w.start, y = w.before; i < w.end; i++) {
    const h = heightOf(i);
    if (y + h > w.scrollTop) {
      const entry = entries[i];
      if (entry) nextAnchor = { seq: entry.seq, offset: y };
      break;
    }
    y += h;
  }

  useLayoutEffect(() => {
    anchor.current = nextAnchor;
    const element = scroller.current;
    if (!element || Math.abs(w.scrollTop - domTop.current) < 1) return;
    domTop.current = w.scrollTop;
    element.scrollTop = w.scrollTop;
  });

  // Only a person scrolling decides whether to follow: the browser also scrolls on its own (clamping
  // our writes when a row's real height differs from its estimate, focusing a clicked button).
  const intentAt = useRef(-Infinity);
  const dragging = useRef(false);
  const noteIntent = (): void => {
    intentAt.current = performance.now();
  };
  useEffect(() => {
    const release = (): void => {
      dragging.current = false;
    };
    window.addEventListener('pointerup', release);
    window.addEventListener('pointercancel', release);
    return () => {
      window.removeEventListener('pointerup', release);
      window.removeEventListener('pointercancel', release);
    };
  }, []);

  const onScroll = (): void => {
    const element = scroller.current;
    if (!element) return;
    const top = element.scrollTop;
    if (Math.abs(top - domTop.current) < 1) return; // our own write
    domTop.current = top;
    if (dragging.current || performance.now() - intentAt.current < USER_SCROLL_MS) {
      anchor.current = undefined;
      setFollow(top >= total.current - viewport - DEBUG_ROW_HEIGHT / 2);
    }
    setScrolled((n) => n + 1);
  };

  const rows = [];
  for (let i = w.start; i < w.end; i++) {
    const entry = entries[i];
    if (!entry) continue;
    const open = expanded.has(entry.seq);
    rows.push(
      <div key={entry.seq} data-seq={entry.seq} ref={open ? measure : undefined}>
        <DebugRow entry={entry} label={labelOf(entry.nodeId)} expanded={open} onToggle={onToggle} onSelectNode={onSelectNode} onTrend={onTrend} />
      </div>,
    );
  }

  return (
    <div className="pw-debug-list-wrap">
    <div
      className="pw-debug-list"
      ref={scroller}
      onScroll={onScroll}
      onWheel={noteIntent}
      onTouchMove={noteIntent}
      onKeyDown={noteIntent}
      onPointerDown={(e) => {
        // The scrollbar belongs to the scroller itself. A press on a row is someone about to read
        // or click it: stop following so a flood does not pull the row from under the pointer.
        if (e.target === e.currentTarget) dragging.current = true;
        else setFollow(false);
      }} data-testid="debug-list" data-rows={entries.length} data-following={follow}>
      {entries.length === 0 ? (
        <div className="pw-debug-empty">No messages. Deploy a flow with a debug node to see its messages here.</div>
      ) : (
        <>
          <div style={{ height: w.before }} />
          {rows}
          <div style={{ height: w.after }} />
        </>
      )}
    </div>
      {!follow && entries.length > 0 && (
        <button type="button" className="pw-debug-follow" onClick={() => setFollow(true)}>
          ↓ newest
        </button>
      )}
    </div>
  );
}
