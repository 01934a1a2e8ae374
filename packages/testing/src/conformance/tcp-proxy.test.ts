import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

let server: Server | undefined;
let proxy: TcpProxy | undefined;
const serverSockets: Socket[] = [];

afterEach(async () => {
  await proxy?.close();
  for (const s of serverSockets.splice(0)) s.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = proxy = undefined;
});

/** An echo server on 127.0.0.1 behind a proxy. */
async function echoBehindProxy(): Promise<TcpProxy> {
  server = createServer((socket) => {
    serverSockets.push(socket);
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  proxy = await startTcpProxy({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
  return proxy;
}

async function client(p: TcpProxy): Promise<Socket> {
  const socket = connect({ host: p.host, port: p.port });
  await once(socket, 'connect');
  return socket;
}

describe('startTcpProxy', () => {
  it('relays both ways and counts open connections', async () => {
    const p = await echoBehindProxy();
    const socket = await client(p);
    socket.write('ping');
    const [data] = (await once(socket, 'data')) as [Buffer];
    expect(data.toString()).toBe('ping');
    expect(p.openCount()).toBe(1);
    socket.end();
    await vi.waitFor(() => expect(p.openCount()).toBe(0));
    expect(p.connections).toEqual([{ id: 1, open: false, closedBy: 'client' }]);
  });

  it('closes the client side when the peer goes away, and says so', async () => {
    const p = await echoBehindProxy();
    const socket = await client(p);
    await vi.waitFor(() => expect(serverSockets).toHaveLength(1));
    const closed = once(socket, 'close');
    serverSockets[0]!.destroy();
    await closed;
    await vi.waitFor(() => expect(p.openCount()).toBe(0));
    expect(p.connections[0]!.closedBy).toBe('peer');
  });
});
