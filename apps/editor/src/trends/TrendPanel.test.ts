// @vitest-environment happy-dom
import type { Ack, TrendPoint, TrendSpec } from '@plantwire/protocol';
import { act, createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LiveSocket } from '../debug/live-socket.js';
import { TrendPanel } from './TrendPanel.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

type WatchAck = (err: Error | null, reply: Ack<{ readonly trendId: string; readonly points: readonly TrendPoint[] }>) => void;

// happy-dom has no canvas drawing; uPlot only needs the 2D context's calls to exist.
beforeAll(() => {
  const context = new Proxy({} as Record<string | symbol, unknown>, {
    get(target, key) {
      if (key in target) return target[key];
      if (key === 'measureText') return () => ({ width: 10 });
      return () => undefined;
    },
    set(target, key, value) {
      target[key] = value;
      return true;
    },
  });
  HTMLCanvasElement.prototype.getContext = (() => context) as unknown as HTMLCanvasElement['getContext'];
  (globalThis as { Path2D?: unknown }).Path2D ??= class {
    moveTo(): void {}
    lineTo(): void {}
    rect(): void {}
    arc(): void {}
    closePath(): void {}
    addPath(): void {}
    bezierCurveTo(): void {}
  };
});

function fakeSocket() {
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  const watches: Array<{ spec: TrendSpec; ack: WatchAck }> = [];
  const unwatched: string[] = [];
  const socket = {
    connected: true,
    on(event: string, listener: (...args: unknown[]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return socket;
    },
    off(event: string, listener: (...args: unknown[]) => void) {
      listeners.get(event)?.delete(listener);
      return socket;
    },
    timeout() {
      return { emit: (_event: string, spec: TrendSpec, ack: WatchAck) => void watches.push({ spec, ack }) };
    },
    emit(_event: string, trendId: string) {
      unwatched.push(trendId);
    },
    fire(event: string, ...args: unknown[]) {
      for (const listener of listeners.get(event) ?? []) listener(...args);
    },
    listenerCount() {
      let n = 0;
      for (const set of listeners.values()) n += set.size;
      return n;
    },
  };
  return { socket, watches, unwatched, live: socket as unknown as LiveSocket };
}

let container: HTMLDivElement;
let root: Root;
beforeEach(() => {
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

const spec: TrendSpec = { nodeId: 'boiler', port: 'out', path: 'payload.value' };
const text = (testId: string) => container.querySelector(`[data-testid="${testId}"]`)?.textContent;

describe('TrendPanel', () => {
  it('watches on mount, draws history and live batches into one chart, unwatches on unmount', async () => {
    const { socket, watches, unwatched, live } = fakeSocket();
    let closed = 0;
    act(() => root.render(createElement(TrendPanel, { socket: live, spec, title: 'Boiler temperature', onClose: () => closed++ })));
    const panel = container.querySelector<HTMLElement>('[data-testid="trend-panel"]');
    expect(panel?.textContent).toContain('Boiler temperature');
    expect(watches.map((w) => w.spec)).toEqual([spec]);
    const canvas = container.querySelector('canvas');
    expect(canvas).not.toBeNull();

    const now = Date.now();
    act(() => watches[0]?.ack(null, { ok: true, value: { trendId: 't1', points: [{ t: now - 2_000, v: 70 }, { t: now - 1_000, v: 71 }] } }));
    expect(panel?.dataset['status']).toBe('live');
    await vi.waitFor(() => expect(text('trend-latest')).toBe('71'), { timeout: 2_000, interval: 16 });

    act(() => socket.fire('trend:sampled', { trendId: 't1', points: [{ t: now, v: 72.5, q: 'uncertain' }] }));
    await vi.waitFor(() => expect(text('trend-latest')).toBe('72.5 (uncertain)'), { timeout: 2_000, interval: 16 });
    expect(container.querySelector('.pw-trend-q-uncertain')).not.toBeNull();
    // Same chart, fed through setData: never re-created per batch.
    expect(container.querySelector('canvas')).toBe(canvas);
    expect(container.querySelectorAll('.uplot')).toHaveLength(1);

    act(() => container.querySelector<HTMLButtonElement>('button[aria-label="Close trend"]')?.click());
    expect(closed).toBe(1);

    act(() => root.render(createElement('div')));
    expect(unwatched).toEqual(['t1']);
    expect(socket.listenerCount()).toBe(0);
    expect(container.querySelector('.uplot')).toBeNull();
  });

  it('asks the server for one tag when the spec names a topic', () => {
    const { watches, live } = fakeSocket();
    const tag: TrendSpec = { nodeId: 'normalise', port: 'out', path: 'payload', topic: 'line1/machine1/temperature' };
    act(() => root.render(createElement(TrendPanel, { socket: live, spec: tag, title: 'temperature', onClose: () => undefined })));
    expect(watches.map((w) => w.spec)).toEqual([tag]);
  });

  it('shows the server refusing a trend', () => {
    const { watches, live } = fakeSocket();
    act(() => root.render(createElement(TrendPanel, { socket: live, spec, title: 'x', onClose: () => undefined })));
    act(() => watches[0]?.ack(null, { ok: false, code: 'UNKNOWN_NODE', message: 'No node boiler in the running flow.' }));
    expect(container.querySelector<HTMLElement>('[data-testid="trend-panel"]')?.dataset['status']).toBe('failed');
    expect(container.textContent).toContain('UNKNOWN_NODE: No node boiler in the running flow.');
    expect(container.textContent).toContain('retry');
  });

  it('says when there is no live connection', () => {
    act(() => root.render(createElement(TrendPanel, { socket: undefined, spec, title: 'x', onClose: () => undefined })));
    expect(container.textContent).toContain('Not connected to the server.');
  });
});
