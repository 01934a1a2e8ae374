import type { EditorState } from '../store/editor-store.js';
import type { LiveState } from '../store/live-store.js';
import { connectLive, type LiveSocket } from './live-connection.js';

/**
 * Open the live channel and feed the live store: badges, counters, and deploys made elsewhere.
 * Returns the socket (handed to the debug sidebar and trends) and a stop function.
 */
export function startLive(token: string | undefined, live: () => LiveState, editor: () => EditorState): { socket: LiveSocket; stop: () => void } {
  const socket = connectLive(token);
  const fetchStatuses = (): void => {
    socket.emit('node:statuses', (reply) => {
      if (reply.ok) live().setStatuses(reply.value);
    });
  };
  socket.on('connect', () => {
    live().setConnected(true);
    fetchStatuses();
  });
  socket.on('disconnect', () => live().setConnected(false));
  socket.on('node:status-changed', (event) => live().setStatus(event.nodeId, event.status));
  socket.on('metrics:sampled', (event) => live().applyMetrics(event));
  socket.on('flows:deployed', (event) => {
    // Counters restart with a deploy; statuses are asked for again.
    live().reset();
    fetchStatuses();
    void editor().remoteDeployed(event.revision);
  });
  live().setSocket(socket);
  return {
    socket,
    stop: () => {
      socket.removeAllListeners();
      socket.disconnect();
      live().setSocket(undefined);
      live().setConnected(false);
    },
  };
}
