import type { ClientToServerEvents, ServerToClientEvents } from '@plantwire/protocol';
import type { Socket } from 'socket.io-client';

/** The editor's live channel, typed by the protocol's events (the shell creates and owns it). */
export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
