import type { Server, Socket } from 'node:net';

/** What the plant does with each of its frozen-able servers (MQTT broker, OPC UA server): faults and lifecycle. */
export interface StallableServer {
  /** Freeze every connection: nothing read, nothing sent, TCP stays up (a device that hangs). */
  stall(): void;
  /** End the freeze: held answers go out late, as from a device that recovered. */
  release(): void;
  /** Drop every client and start again on the same port (state a real device loses is lost). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `stall`, `release` and `restart` of a server whose connections `gate` tracks and which `stop`
 * and `start` take down and bring up again on the same port.
 */
export function gateControls(gate: ConnectionGate, stop: () => Promise<void>, start: () => Promise<void>): Pick<StallableServer, 'stall' | 'release' | 'restart'> {
  return {
    stall: () => gate.stall(),
    release: () => gate.release(),
    async restart() {
      await stop();
      await start();
    },
  };
}

/** How to stop and restart reading from one connection, when `socket.pause()` is not enough. */
export interface ReadControl {
  pause(): void;
  resume(): void;
}

interface Entry {
  readonly socket: Socket;
  readonly read: ReadControl | undefined;
  stalled: boolean;
  wasPaused: boolean;
}

/**
 * The live connections of one server, so a fault can freeze them all (a silent device: nothing is
 * read, nothing is written, the TCP connection stays up) or cut them (a restart). New connections
 * made while frozen are frozen as soon as they arrive.
 *
 * Writes are held with `cork()` rather than dropped so that, when the silence ends, the protocol
 * stream is intact and the client sees a late answer, as from a device that hung and recovered.
 */
export class ConnectionGate {
  readonly #entries = new Map<Socket, Entry>();
  #stalled = false;

  /** Track every connection of a `net.Server`; for servers that hand sockets to a library untouched. */
  watch(server: Server): void {
    server.on('connection', (socket: Socket) => this.track(socket));
  }

  /**
   * Track one connection.
   *
   * @param read how to stop reading it; default `socket.pause()`, which does nothing for a library
   *   that reads on 'readable' (aedes), hence the hook.
   */
  track(socket: Socket, read?: ReadControl): void {
    const entry: Entry = { socket, read, stalled: false, wasPaused: false };
    this.#entries.set(socket, entry);
    socket.once('close', () => this.#entries.delete(socket));
    if (this.#stalled) stallOne(entry);
  }

  get stalled(): boolean {
    return this.#stalled;
  }

  get size(): number {
    return this.#entries.size;
  }

  stall(): void {
    this.#stalled = true;
    for (const entry of this.#entries.values()) stallOne(entry);
  }

  release(): void {
    this.#stalled = false;
    for (const entry of this.#entries.values()) releaseOne(entry);
  }

  /** Cut every connection (the peer sees a reset), e.g. before a restart. */
  destroyAll(): void {
    for (const { socket } of this.#entries.values()) socket.destroy();
    this.#entries.clear();
  }
}

function stallOne(entry: Entry): void {
  if (entry.stalled || entry.socket.destroyed) return;
  entry.stalled = true;
  entry.wasPaused = entry.socket.isPaused();
  if (entry.read) entry.read.pause();
  else entry.socket.pause();
  entry.socket.cork();
}

function releaseOne(entry: Entry): void {
  if (!entry.stalled) return;
  entry.stalled = false;
  if (entry.socket.destroyed) return;
  entry.socket.uncork();
  if (entry.read) entry.read.resume();
  else if (!entry.wasPaused) entry.socket.resume();
}
