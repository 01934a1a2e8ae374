import type { ClientToServerEvents, ServerToClientEvents, SocketAuth } from '@plantwire/protocol';
import { io, type Socket } from 'socket.io-client';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The live channel to the server this page came from, with the admin token when auth is on. */
export function connectLive(token: string | undefined): LiveSocket {
  const auth: SocketAuth = token ? { token } : {};
  return io({ auth, transports: ['websocket', 'polling'] });
}
