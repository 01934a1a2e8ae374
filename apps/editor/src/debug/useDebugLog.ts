/**
 * React adapters of the debug feed: the sidebar re-renders at most once per frame, and a canvas
 * "last message" only when its own node's last entry changes.
 */
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { debugFeedFor, type DebugFeed } from './debug-feed.js';
import type { DebugErrorEntry, DebugMessageEntry } from './debug-log.js';
import type { LiveSocket } from './live-socket.js';

const noSubscribe = (): (() => void) => () => undefined;

function useRetainedFeed(socket: LiveSocket | undefined): DebugFeed | undefined {
  const feed = useMemo(() => (socket ? debugFeedFor(socket) : undefined), [socket]);
  useEffect(() => feed?.retain(), [feed]);
  return feed;
}

/** The feed of a socket and its version (changes at most once per animation frame). */
export function useDebugLog(socket: LiveSocket | undefined): { readonly feed: DebugFeed | undefined; readonly version: number } {
  const feed = useRetainedFeed(socket);
  const version = useSyncExternalStore(feed ? feed.subscribe : noSubscribe, () => feed?.version ?? 0);
  return { feed, version };
}

/** The newest message or error of one node. */
export function useLastMessage(socket: LiveSocket | undefined, nodeId: string): DebugMessageEntry | DebugErrorEntry | undefined {
  const feed = useRetainedFeed(socket);
  return useSyncExternalStore(feed ? feed.subscribe : noSubscribe, () => feed?.log.lastFor(nodeId));
}
