import type expressModule from 'express';
import type { Server as SocketIoServer } from 'socket.io';

/** express and socket.io, as the server uses them. */
export interface HttpLibraries {
  readonly express: typeof expressModule;
  readonly SocketServer: typeof SocketIoServer;
}

/**
 * Load express and socket.io when a server starts, not when the module is imported. The CLI is one
 * bundled file, and a bundler hoists a static import of an npm package to the top of it, so
 * `plantwire run` on an edge box would load both web libraries for nothing (idle RSS +20 MB,
 * measured); a chunk split instead cost ~3.5 MB of RSS in loading the chunks (bench/RESULTS.md).
 */
export async function loadHttpLibraries(): Promise<HttpLibraries> {
  const [express, socketIo] = await Promise.all([import('express'), import('socket.io')]);
  return { express: express.default, SocketServer: socketIo.Server };
}
