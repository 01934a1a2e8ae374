import { connect, createServer, type Socket } from 'node:net';

/** What the proxy does with bytes right now. */
export type ProxyMode = 'pass' | 'stall' | 'drop';

/**
 * A TCP relay on 127.0.0.1 between the code under test and a device that breaks the link on
 * demand (the fault suite, faults/, and protocol packages' own stall tests):
 * - `stall()`: nothing is read or written either way (sockets paused, TCP stays up), as a hung
 *   device or a black-holed route; new connections are accepted and stalled too. `pass()` releases
 *   them, and bytes held in the kernel buffers flow on late.
 * - `drop()`: bytes are read and thrown away both ways (the connection looks alive, nothing
 *   arrives), as a lossy link; `pass()` relays again from the next byte, so a protocol's stream may
 *   be out of frame.
 * - `cut()`: every relayed connection is destroyed (RST-like), the listener stays, as a cable pull
 *   followed by a reconnect.
 */
export interface FaultProxy {
  readonly host: string;
  readonly port: number;
  readonly mode: ProxyMode;
  pass(): void;
  stall(): void;
  drop(): void;
  cut(): void;
  /** Client connections accepted so far. */
  readonly accepted: number;
  /** Bytes relayed (both ways) so far, not counting dropped ones. */
  readonly relayedBytes: number;
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
}

/** Start a {@link FaultProxy} relaying to `target` on an ephemeral port. */
export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let mode: ProxyMode = 'pass';
  let accepted = 0;
  let relayedBytes = 0;
  const pairs = new Set<Pair>();

  const apply = (pair: Pair) => {
    for (const s of [pair.client, pair.upstream]) {
      if (mode === 'stall') s.pause();
      else s.resume();
    }
  };

  const server = createServer((client) => {
    accepted++;
    const upstream = connect({ host: target.host, port: target.port });
    const pair: Pair = { client, upstream };
    pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const relay = (to: Socket) => (chunk: Buffer) => {
      if (mode === 'drop') return;
      relayedBytes += chunk.length;
      to.write(chunk);
    };
    client.on('data', relay(upstream));
    upstream.on('data', relay(client));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.once('close', end);
      s.on('error', end);
    }
    apply(pair);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  const setMode = (next: ProxyMode) => {
    mode = next;
    for (const pair of pairs) apply(pair);
  };
  return {
    host: '127.0.0.1',
    port,
    get mode() {
      return mode;
    },
    get accepted() {
      return accepted;
    },
    get relayedBytes() {
      return relayedBytes;
    },
    pass: () => setMode('pass'),
    stall: () => setMode('stall'),
    drop: () => setMode('drop'),
    cut() {
      for (const pair of [...pairs]) {
        pair.client.resetAndDestroy();
        pair.upstream.destroy();
      }
    },
    async close() {
      for (const pair of [...pairs]) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
