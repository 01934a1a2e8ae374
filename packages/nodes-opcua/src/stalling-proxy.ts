import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 for tests that can stall: `stall()` stops reading and writing either way
 * (sockets paused, TCP stays open, as a hung server or a black-holed route), `pass()` relays again,
 * bytes held in the kernel buffers included. A slim cousin of the fault suite's proxy
 * (faults/src/support/fault-proxy.ts), which this package cannot import.
 */
export interface StallingProxy {
  readonly port: number;
  stall(): void;
  pass(): void;
  close(): Promise<void>;
}

export async function startStallingProxy(target: { host: string; port: number }): Promise<StallingProxy> {
  let stalled = false;
  const pairs = new Set<[Socket, Socket]>();
  const apply = (pair: [Socket, Socket]) => pair.forEach((s) => (stalled ? s.pause() : s.resume()));
  const server = createServer((client) => {
    const upstream = connect(target);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    // Plain 'data' relays, not pipe(): pipe resumes a paused source when its destination drains.
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const s of pair) {
      s.once('close', end);
      s.on('error', end);
    }
    apply(pair);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const setStalled = (next: boolean) => {
    stalled = next;
    pairs.forEach(apply);
  };
  return {
    port: (server.address() as { port: number }).port,
    stall: () => setStalled(true),
    pass: () => setStalled(false),
    async close() {
      for (const [client, upstream] of [...pairs]) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
