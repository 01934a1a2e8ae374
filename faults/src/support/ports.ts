import { createServer } from 'node:net';

/**
 * Ports below Linux's ephemeral range (ip_local_port_range, 32768–60999 by default): the kernel
 * never hands one of these to a `listen(0)` or an outgoing connection. A device this suite stops
 * and starts again on the same port must sit here, or another test running beside it (they all
 * listen on port 0) may be given that port during the outage, and the runtime would reconnect to
 * the wrong server.
 */
const LOW = 20_000;
const HIGH = 32_000;

/** A free port on 127.0.0.1 outside the ephemeral range, for a server that restarts on it. */
export async function restartablePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port between ${LOW} and ${HIGH} on 127.0.0.1 after 50 tries`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
