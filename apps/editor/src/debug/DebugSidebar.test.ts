// @vitest-environment happy-dom
import type { DebugMessageEvent } from '@plantwire/protocol';
import { act, createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { debugFeedFor } from './debug-feed.js';
import { DEFAULT_DEBUG_CAPACITY } from './debug-log.js';
import { DebugSidebar } from './DebugSidebar.js';
import { LastMessage } from './LastMessage.js';
import type { LiveSocket } from './live-socket.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** A socket stand-in: records listeners so the test can emit server events and check unsubscribing. */
function fakeSocket() {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const socket = {
    on(event: string, listener: (payload: unknown) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return socket;
    },
    off(event: string, listener: (payload: unknown) => void) {
      listeners.get(event)?.delete(listener);
      return socket;
    },
    serverEmit(event: string, payload: unknown) {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
    listenerCount(): number {
      let n = 0;
      for (const set of listeners.values()) n += set.size;
      return n;
    },
  };
  return socket;
}

const nodes = [
  { id: 'print', label: 'Boiler print', type: 'debug' },
  { id: 'pump', label: 'Pump poller', type: 'modbus-read' },
];

const message = (i: number, nodeId = 'print'): DebugMessageEvent => ({
  nodeId,
  msgId: `m${i}`,
  value: { value: i, quality: 'good', tag: nodeId === 'print' ? 'boiler/temperature' : 'pump/rpm' },
  timestamp: 1_700_000_000_000 + i,
});

/** Resolves when the feed of this socket next tells the page to render, and React has rendered. */
const rendered = (socket: object) =>
  act(
    () =>
      new Promise<void>((resolve) => {
        const off = debugFeedFor(socket as unknown as LiveSocket).subscribe(() => {
          off();
          resolve();
        });
      }),
  );

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

const q = (testId: string) => container.querySelectorAll(`[data-testid="${testId}"]`);
const one = (testId: string): HTMLElement => {
  const element = container.querySelector<HTMLElement>(`[data-testid="${testId}"]`);
  if (!element) throw new Error(`no element with data-testid=${testId}`);
  return element;
};

function typeInto(element: HTMLElement, value: string): void {
  const input = element as HTMLInputElement | HTMLSelectElement;
  const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(input) as object, 'value')?.set;
  setter?.call(input, value);
  input.dispatchEvent(new Event(input instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
}

describe('DebugSidebar', () => {
  it('shows a flood as a bounded, virtualised list with exact received counts', async () => {
    const socket = fakeSocket();
    act(() => root.render(createElement(DebugSidebar, { socket: socket as unknown as LiveSocket, nodes, onSelectNode: () => undefined })));
    expect(one('debug-sidebar')).toBeTruthy();
    expect(socket.listenerCount()).toBe(4);

    for (let i = 0; i < 6_000; i++) socket.serverEmit('debug:message', message(i));
    socket.serverEmit('debug:skipped', { nodeId: 'print', count: 94_000, from: 1, to: 2 });
    socket.serverEmit('node:error-raised', { nodeId: 'pump', type: 'modbus-read', code: 'TIMEOUT', message: 'no reply from 127.0.0.1:5020', handledBy: 'log', timestamp: 3 });
    socket.serverEmit('metrics:sampled', {
      at: 3,
      nodes: { print: { in: 100_000, out: 0, errors: 0, dropped: 0, queueDepth: 0, queueCapacity: 1000, inPerSecond: 9_990, outPerSecond: 0 } },
      ports: {},
    });
    await rendered(socket);

    expect(one('debug-received-print').textContent).toBe('100000');
    expect(one('debug-received-print').parentElement?.textContent).toContain('shown 6000');
    // Only rows in view are in the DOM, never the whole buffer.
    expect(q('debug-message').length).toBeGreaterThan(0);
    expect(q('debug-message').length).toBeLessThan(60);
    expect(one('debug-list').dataset['rows']).toBe(String(DEFAULT_DEBUG_CAPACITY));
    expect(container.textContent).toContain('older removed');
  });

  it('filters by text and node, shows errors in red rows and skipped markers', async () => {
    const socket = fakeSocket();
    act(() => root.render(createElement(DebugSidebar, { socket: socket as unknown as LiveSocket, nodes, onSelectNode: () => undefined })));
    for (let i = 0; i < 5; i++) socket.serverEmit('debug:message', message(i));
    socket.serverEmit('debug:skipped', { nodeId: 'print', count: 12, from: 1, to: 2 });
    socket.serverEmit('node:error-raised', { nodeId: 'pump', type: 'modbus-read', code: 'TIMEOUT', message: 'no reply', handledBy: 'catch', timestamp: 3 });
    await rendered(socket);
    expect(q('debug-message')).toHaveLength(6);
    expect(one('debug-skipped').textContent).toContain('12 messages skipped');
    const error = container.querySelector<HTMLElement>('[data-kind="error"]');
    expect(error?.className).toContain('pw-debug-error');
    expect(error?.textContent).toContain('TIMEOUT');

    await act(async () => typeInto(one('debug-filter-text'), 'no reply'));
    expect(q('debug-message')).toHaveLength(1);

    await act(async () => typeInto(one('debug-filter-text'), ''));
    await act(async () => typeInto(one('debug-filter-node'), 'print'));
    expect([...q('debug-message')].map((e) => (e as HTMLElement).dataset['nodeId'])).toEqual(['print', 'print', 'print', 'print', 'print']);
  });

  it('pauses, holds what arrives, resumes and clears', async () => {
    const socket = fakeSocket();
    act(() => root.render(createElement(DebugSidebar, { socket: socket as unknown as LiveSocket, nodes, onSelectNode: () => undefined })));
    socket.serverEmit('debug:message', message(1));
    await rendered(socket);
    expect(q('debug-message')).toHaveLength(1);

    act(() => one('debug-pause').click());
    expect(one('debug-pause').getAttribute('aria-pressed')).toBe('true');
    socket.serverEmit('debug:message', message(2));
    socket.serverEmit('debug:message', message(3));
    await rendered(socket);
    expect(q('debug-message')).toHaveLength(1);
    expect(one('debug-pause').textContent).toBe('Resume (2 new)');

    // A click answers at once, without waiting for a frame.
    act(() => one('debug-pause').click());
    expect(q('debug-message')).toHaveLength(3);

    act(() => one('debug-clear').click());
    expect(q('debug-message')).toHaveLength(0);
    expect(one('debug-received-print').textContent).toBe('0');
  });

  it('expands a row into a JSON tree and selects a node from its name', async () => {
    const socket = fakeSocket();
    const selected: string[] = [];
    act(() => root.render(createElement(DebugSidebar, { socket: socket as unknown as LiveSocket, nodes, onSelectNode: (id: string) => selected.push(id) })));
    socket.serverEmit('debug:message', message(7));
    await rendered(socket);
    const row = one('debug-message');
    act(() => row.querySelector<HTMLButtonElement>('button[aria-label="expand"]')?.click());
    const tree = container.querySelector('[role="tree"]');
    expect(tree?.textContent).toContain('quality');
    expect(tree?.textContent).toContain('"boiler/temperature"');
    act(() => container.querySelector<HTMLButtonElement>('.pw-debug-node')?.click());
    expect(selected).toEqual(['print']);
  });

  it('stops listening when unmounted', () => {
    const socket = fakeSocket();
    act(() => root.render(createElement(DebugSidebar, { socket: socket as unknown as LiveSocket, nodes, onSelectNode: () => undefined })));
    expect(socket.listenerCount()).toBe(4);
    act(() => root.render(createElement('div')));
    expect(socket.listenerCount()).toBe(0);
  });
});

describe('LastMessage', () => {
  it('renders nothing until the node prints, then its newest value', async () => {
    const socket = fakeSocket();
    act(() => root.render(createElement(LastMessage, { nodeId: 'print', socket: socket as unknown as LiveSocket })));
    expect(container.innerHTML).toBe('');
    socket.serverEmit('debug:message', message(1));
    socket.serverEmit('debug:message', message(2));
    socket.serverEmit('debug:message', message(3, 'other'));
    await rendered(socket);
    expect(one('last-message-print').textContent).toContain('value: 2');
    socket.serverEmit('node:error-raised', { nodeId: 'print', type: 'debug', code: 'BOOM', message: 'broke', handledBy: 'log', timestamp: 9 });
    await rendered(socket);
    expect(one('last-message-print').dataset['kind']).toBe('error');
  });
});
