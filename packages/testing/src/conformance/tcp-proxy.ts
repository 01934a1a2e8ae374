import { connect, createServer, type Server, type Socket } from 'node:net';

/** Where a TCP peer listens. */
export interface TcpAddress {
  readonly host: string;
  readonly port: number;
}

/** One client connection relayed by a {@link TcpProxy}. */
export interface ProxiedConnection {
  /** 1, 2, 3… in the order clients connected. */
  readonly id: number;
  /** True until both sides are closed. */
  readonly open: boolean;
  /**
   * Which side ended the connection first: `client` (the code under test closed its socket, as a
   * peer would see on `stop()`), `peer` (the server went away, e.g. a restart), undefined while open.
   */
  readonly closedBy: 'client' | 'peer' | undefined;
}

/**
 * A TCP relay between the code under test and a peer (broker, PLC, server) on 127.0.0.1, so a
 * protocol-neutral test can see what the peer sees: how many client connections are open and who
 * closed each one. It keeps relaying across restarts of the peer on the same port: a connection whose
 * peer side dies is closed on the client side too, and the next client connection is relayed again.
 */
export interface TcpProxy extends TcpAddress {
  /** Every connection relayed so far, oldest first. */
  readonly connections: readonly ProxiedConnection[];
  /** How many client connections are open right now. */
  openCount(): number;
  /** Stop listening and cut every relayed connection. */
  close(): Promise<void>;
}

/**
 * Start a {@link TcpProxy} on 127.0.0.1 (an ephemeral port) that relays to `target`.
 *
 * @example
 * const proxy = await startTcpProxy({ host: '127.0.0.1', port: broker.port });
 * // point the flow at `mqtt://127.0.0.1:${proxy.port}`, run it, stop it, then:
 * expect(proxy.openCount()).toBe(0);
 * expect(proxy.connections.every((c) => c.closedBy === 'client')).toBe(true);
 */
export async function startTcpProxy(target: TcpAddress): Promise<TcpProxy> {
  const connections: Array<{ id: number; open: boolean; closedBy: 'client' | 'peer' | undefined }> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const record = { id: connections.length + 1, open: true, closedBy: undefined as 'client' | 'peer' | undefined };
    connections.push(record);
    const upstream = connect({ host: target.host, port: target.port });
    sockets.add(client);
    sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    let closed = 0;
    const onClosed = (socket: Socket) => () => {
      sockets.delete(socket);
      if (++closed === 2) record.open = false;
    };
    client.once('close', onClosed(client));
    upstream.once('close', onClosed(upstream));
    // The first side to end or fail is the one that closed the connection; the other follows.
    const ended = (by: 'client' | 'peer') => () => {
      record.closedBy ??= by;
      (by === 'client' ? upstream : client).destroy();
    };
    client.once('end', ended('client'));
    client.once('error', ended('client'));
    upstream.once('end', ended('peer'));
    upstream.once('error', ended('peer'));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as { port: number };
  return {
    host: '127.0.0.1',
    port,
    connections,
    openCount: () => connections.filter((c) => c.open).length,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
