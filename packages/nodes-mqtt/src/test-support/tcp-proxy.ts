import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './mosquitto.js';

/**
 * A TCP proxy on 127.0.0.1 from a port of its own to `targetPort`: `down` cuts every connection
 * and stops listening (a reconnect is refused), `up` listens again on the same port, `hold` stops
 * forwarding what the target sends (PUBACKs stay with the broker side, so publishes stay in flight).
 *
 * `coalesceMs`: what the target sends in its first `coalesceMs` on a connection reaches the client
 * in one write, as a busy process reads it in one go (the CONNACK and every packet behind it).
 */
export interface TcpProxy {
  readonly port: number;
  readonly url: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  down(): Promise<void>;
  up(): Promise<void>;
  hold(): void;
}

export async function startTcpProxy(targetPort: number, options: { coalesceMs?: number } = {}): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  /** Target side → client side, for `hold`. */
  const upstreams = new Map<Socket, Socket>();
  let server: Server | undefined;
  let accepted = 0;
  const up = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        accepted++;
        const upstream = connect(targetPort, '127.0.0.1');
        sockets.add(client).add(upstream);
        upstreams.set(upstream, client);
        const end = () => {
          upstreams.delete(upstream);
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        for (const socket of [client, upstream]) socket.on('error', end).on('close', end);
        client.pipe(upstream);
        if (options.coalesceMs === undefined) upstream.pipe(client);
        else {
          let first: Buffer[] | undefined = [];
          upstream.on('data', (chunk: Buffer) => {
            if (first === undefined) client.write(chunk);
            else if (first.push(chunk) === 1) {
              setTimeout(() => {
                if (!client.destroyed) client.write(Buffer.concat(first!));
                first = undefined;
              }, options.coalesceMs);
            }
          });
        }
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        server = s;
        resolve();
      });
    });
  const down = async () => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  const hold = () => {
    for (const [upstream, client] of upstreams) {
      upstream.unpipe(client);
      upstream.removeAllListeners('data');
      upstream.pause();
    }
  };
  await up();
  return {
    port,
    hold,
    url: `mqtt://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    up,
    down,
  };
}
