import type { MetricsSampledEvent, NodeCountersSample, NodeStatus, PortCountersSample } from '@plantwire/protocol';
import { create } from 'zustand';
import type { LiveSocket } from '../api/live-connection.js';

/**
 * What the server streams: badges and counters. Kept apart from the editor store so a counter
 * tick re-renders only the nodes and wires whose numbers changed (each reads its own key), never
 * the canvas.
 */
export interface LiveState {
  readonly socket: LiveSocket | undefined;
  readonly connected: boolean;
  readonly statuses: Readonly<Record<string, NodeStatus | null>>;
  /** Key `${nodeId}:${port}`. */
  readonly ports: Readonly<Record<string, PortCountersSample>>;
  readonly nodes: Readonly<Record<string, NodeCountersSample>>;
  setSocket(socket: LiveSocket | undefined): void;
  setConnected(connected: boolean): void;
  setStatus(nodeId: string, status: NodeStatus | null): void;
  setStatuses(statuses: Readonly<Record<string, NodeStatus | null>>): void;
  applyMetrics(event: MetricsSampledEvent): void;
  reset(): void;
}

export const useLive = create<LiveState>()((set) => ({
  socket: undefined,
  connected: false,
  statuses: {},
  ports: {},
  nodes: {},
  setSocket: (socket) => set({ socket }),
  setConnected: (connected) => set({ connected }),
  setStatus: (nodeId, status) => set((s) => ({ statuses: { ...s.statuses, [nodeId]: status } })),
  setStatuses: (statuses) => set({ statuses: { ...statuses } }),
  applyMetrics: (event) =>
    set((s) => ({ ports: keepUnchanged(s.ports, event.ports, samePort), nodes: keepUnchanged(s.nodes, event.nodes, sameNodeCounters) })),
  reset: () => set({ statuses: {}, ports: {}, nodes: {} }),
}));

/** A new record where every value equal to the old one keeps the old object, so its readers skip rendering. */
export function keepUnchanged<T>(before: Readonly<Record<string, T>>, after: Readonly<Record<string, T>>, same: (a: T, b: T) => boolean): Record<string, T> {
  const next: Record<string, T> = {};
  for (const [key, value] of Object.entries(after)) {
    const old = before[key];
    next[key] = old !== undefined && same(old, value) ? old : value;
  }
  return next;
}

const samePort = (a: PortCountersSample, b: PortCountersSample): boolean => a.total === b.total && a.perSecond === b.perSecond;
const sameNodeCounters = (a: NodeCountersSample, b: NodeCountersSample): boolean =>
  a.in === b.in && a.out === b.out && a.errors === b.errors && a.dropped === b.dropped && a.queueDepth === b.queueDepth;
