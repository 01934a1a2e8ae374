import type { TrendPoint, TrendSpec } from '@plantwire/protocol';
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { LiveSocket } from '../debug/live-socket.js';
import { createTrendSeries, gapRanges, type TrendColumns, type TrendSeries } from './trend-series.js';
import { watchTrend, type TrendWatch, type TrendWatchState } from './trend-watch.js';
import './trends.css';

export interface TrendPanelProps {
  readonly socket: LiveSocket | undefined;
  readonly spec: TrendSpec;
  readonly title: string;
  onClose(): void;
}

/** How often the time axis slides when no data arrives, so a stuck value visibly goes flat. */
const SLIDE_MS = 1_000;
const MIN_WIDTH = 200;
const MIN_HEIGHT = 80;
/** Height of uPlot's one-line legend, until the real one can be measured. */
const LEGEND_HEIGHT = 24;

interface Palette {
  readonly line: string;
  readonly warn: string;
  readonly error: string;
  readonly muted: string;
  readonly grid: string;
  readonly text: string;
}

function readPalette(element: HTMLElement): Palette {
  const style = getComputedStyle(element);
  const css = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  return {
    line: css('--pw-accent', '#2f81f7'),
    warn: css('--pw-warn', '#d29922'),
    error: css('--pw-error', '#f85149'),
    muted: css('--pw-muted', '#8b949e'),
    grid: css('--pw-border', '#30363d'),
    text: css('--pw-text', '#c9d1d9'),
  };
}

const aligned = (c: TrendColumns): uPlot.AlignedData => [c.time, c.value, c.uncertain, c.bad];

function formatValue(v: number): string {
  return Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : String(Math.round(v * 1e4) / 1e4);
}

function stateText(state: TrendWatchState): string {
  switch (state.status) {
    case 'watching':
      return 'connecting…';
    case 'live':
      return 'live';
    case 'offline':
      return 'offline: waiting for the server';
    case 'failed':
      return `${state.code}: ${state.message}`;
  }
}

/**
 * A live chart of one node output's numbers over the last minutes (uPlot). The line breaks where
 * there is no value (device down, shaded); uncertain and bad values get markers. The chart is made
 * once; new batches go through `setData` at most once per frame, and the axis slides every second.
 */
export function TrendPanel({ socket, spec, title, onClose }: TrendPanelProps) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | undefined>(undefined);
  const watch = useRef<TrendWatch | undefined>(undefined);
  const [state, setState] = useState<TrendWatchState>({ status: 'offline' });
  const [latest, setLatest] = useState<TrendPoint | undefined>(undefined);
  const { nodeId, port, path, topic } = spec;
  // A new spec is a new trend: fresh points, fresh watch.
  const series: TrendSeries = useMemo(() => createTrendSeries(), [nodeId, port, path, topic]);
  /** Server clock minus ours, from live points, so the window ends at the server's "now". */
  const clockOffset = useRef<number | undefined>(undefined);

  const windowEnd = (): number => Date.now() + (clockOffset.current ?? 0);
  const frame = useRef<number | undefined>(undefined);
  const redraw = useRef<() => void>(() => undefined);
  redraw.current = () => {
    if (frame.current !== undefined) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = undefined;
      series.trim(windowEnd());
      chart.current?.setData(aligned(series.columns()));
      setLatest(series.latest());
    });
  };

  // The chart: created once per series, resized with its box, sliding every second.
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const palette = readPalette(element);
    let plot: uPlot | undefined;
    // The legend sits under the plot and wraps on narrow panels: the plot gets what it leaves.
    const size = (): { width: number; height: number } => {
      const legend = plot?.root.querySelector<HTMLElement>('.u-legend')?.offsetHeight ?? LEGEND_HEIGHT;
      return { width: Math.max(MIN_WIDTH, element.clientWidth), height: Math.max(MIN_HEIGHT, element.clientHeight - legend - 4) };
    };
    const axis: uPlot.Axis = { stroke: palette.muted, grid: { stroke: palette.grid, width: 1 }, ticks: { stroke: palette.grid, width: 1 } };
    const marker = (color: string, label: string): uPlot.Series => ({
      label,
      stroke: color,
      fill: color,
      paths: () => null,
      points: { show: true, size: 7, stroke: color, fill: color },
    });
    const options: uPlot.Options = {
      ...size(),
      pxAlign: false,
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      scales: {
        x: { time: true, range: () => [(windowEnd() - series.windowMs) / 1000, windowEnd() / 1000] },
      },
      axes: [axis, { ...axis, size: 56 }],
      series: [
        {},
        { label: title, stroke: palette.line, width: 1.5, spanGaps: false, value: (_u, v) => (v == null ? '–' : formatValue(v)) },
        marker(palette.warn, 'uncertain'),
        marker(palette.error, 'bad'),
      ],
      hooks: {
        // Behind the lines: shade spans with no value, so "device down" reads at a glance.
        drawClear: [
          (u) => {
            const ranges = gapRanges(series.points(), windowEnd());
            if (ranges.length === 0) return;
            const { left, top, width, height } = u.bbox;
            u.ctx.save();
            u.ctx.fillStyle = palette.muted;
            u.ctx.globalAlpha = 0.15;
            for (const [from, to] of ranges) {
              const x0 = Math.max(left, u.valToPos(from / 1000, 'x', true));
              const x1 = Math.min(left + width, u.valToPos(to / 1000, 'x', true));
              if (x1 > x0) u.ctx.fillRect(x0, top, x1 - x0, height);
            }
            u.ctx.restore();
          },
        ],
      },
    };
    const created = new uPlot(options, aligned(series.columns()), element);
    plot = created;
    chart.current = created;
    // A new width can re-wrap the legend, which changes the height left: fit, then fit again once.
    // batch() applies the size now rather than in uPlot's next microtask, so the legend can be measured.
    const fit = (): void => {
      created.batch(() => created.setSize(size()));
      const again = size();
      if (again.height !== created.height) created.batch(() => created.setSize(again));
    };
    fit();
    const resize = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(fit);
    resize?.observe(element);
    const slide = setInterval(() => redraw.current(), SLIDE_MS);
    return () => {
      clearInterval(slide);
      resize?.disconnect();
      if (frame.current !== undefined) cancelAnimationFrame(frame.current);
      frame.current = undefined;
      chart.current = undefined;
      created.destroy();
    };
    // `title` only labels the legend; re-creating the chart for it would lose nothing but is not needed.
  }, [series]);

  // The watch: history on ack, live batches after, unwatch on unmount or a new spec/socket.
  useEffect(() => {
    if (!socket) {
      setState({ status: 'offline' });
      return;
    }
    clockOffset.current = undefined;
    const w = watchTrend(socket, topic === undefined ? { nodeId, port, path } : { nodeId, port, path, topic }, {
      points(points) {
        const last = points.at(-1);
        if (last) clockOffset.current = Math.max(clockOffset.current ?? -Infinity, last.t - Date.now());
        series.merge(points);
        redraw.current();
      },
      gap(t) {
        series.markGap(t + (clockOffset.current ?? 0));
        redraw.current();
      },
      state: setState,
    });
    watch.current = w;
    return () => {
      w.stop();
      watch.current = undefined;
    };
  }, [socket, nodeId, port, path, topic, series]);

  const q = latest?.q ?? 'good';
  return (
    <section className="pw-trend" data-testid="trend-panel" data-status={state.status} aria-label={`Trend of ${title}`}>
      <header className="pw-trend-head">
        <span className="pw-trend-title" title={`${nodeId}:${port} ${path}`}>
          {title}
        </span>
        <span className={`pw-trend-latest pw-trend-q-${latest?.v === null ? 'bad' : q}`} data-testid="trend-latest">
          {latest === undefined ? '–' : latest.v === null ? 'no value' : formatValue(latest.v)}
          {latest !== undefined && q !== 'good' && ` (${q})`}
        </span>
        <span className={`pw-trend-status pw-trend-status-${state.status}`}>{stateText(state)}</span>
        {state.status === 'failed' && (
          <button type="button" className="pw-trend-button" onClick={() => watch.current?.retry()}>
            retry
          </button>
        )}
        <span className="pw-trend-spacer" />
        <button type="button" className="pw-trend-button" aria-label="Close trend" onClick={onClose}>
          ×
        </button>
      </header>
      {!socket && <div className="pw-trend-notice">Not connected to the server.</div>}
      <div className="pw-trend-plot" ref={host} />
    </section>
  );
}
