// Test support: a Modbus TCP server on 127.0.0.1 that answers wrongly on purpose, one way at a
// time (`server.mode = …`). In `good` mode it is a correct device: holding register n holds n,
// input register n holds n + 1000, coils and discrete inputs are on at even addresses, writes are echoed.
import { createServer, type Server, type Socket } from 'node:net';

/** How the server answers the next requests. */
export type Misbehaviour =
  | 'good'
  | 'short-frame'
  | 'wrong-function'
  | `exception-${number}`
  | 'wrong-transaction'
  | 'wrong-unit'
  | 'wrong-byte-count'
  | 'wrong-length'
  | 'garbage'
  | 'silence'
  | 'silence-then-close'
  | 'close'
  | 'split';

export const MISBEHAVIOURS: readonly Misbehaviour[] = [
  'short-frame', 'wrong-function', 'wrong-transaction', 'wrong-unit', 'wrong-byte-count', 'wrong-length', 'garbage', 'silence', 'silence-then-close', 'close', 'split',
  // Every exception code the Modbus spec defines (7 and 9 are not assigned but devices send them).
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((code) => `exception-${code}` as const),
];

export interface MisbehavingServer {
  readonly port: number;
  mode: Misbehaviour;
  /** Bytes for `garbage` mode (the test's seeded generator fills it). */
  garbage: Buffer;
  /** Requests seen, any mode. */
  readonly requests: number;
  close(): Promise<void>;
}

function goodPdu(pdu: Buffer): Buffer {
  const fc = pdu[0]!;
  const address = pdu.readUInt16BE(1);
  if (fc === 3 || fc === 4) {
    const count = pdu.readUInt16BE(3);
    const out = Buffer.alloc(2 + count * 2);
    out[0] = fc;
    out[1] = count * 2;
    // Input registers hold n + 1000, so an answer for the wrong area cannot pass for the right one.
    for (let i = 0; i < count; i++) out.writeUInt16BE((address + i + (fc === 4 ? 1000 : 0)) & 0xffff, 2 + i * 2);
    return out;
  }
  if (fc === 1 || fc === 2) {
    const count = pdu.readUInt16BE(3);
    const bytes = Math.ceil(count / 8);
    const out = Buffer.alloc(2 + bytes);
    out[0] = fc;
    out[1] = bytes;
    for (let i = 0; i < count; i++) if ((address + i) % 2 === 0) out[2 + (i >> 3)]! |= 1 << (i & 7);
    return out;
  }
  // 5, 6: echo the request; 15, 16: function, address, count.
  if (fc === 5 || fc === 6) return Buffer.from(pdu.subarray(0, 5));
  if (fc === 15 || fc === 16) return Buffer.from(pdu.subarray(0, 5));
  return Buffer.from([fc | 0x80, 1]);
}

function frame(transaction: number, unit: number, pdu: Buffer, lengthDelta = 0): Buffer {
  const header = Buffer.alloc(7);
  header.writeUInt16BE(transaction, 0);
  header.writeUInt16BE(0, 2);
  header.writeUInt16BE((pdu.length + 1 + lengthDelta) & 0xffff, 4);
  header[6] = unit;
  return Buffer.concat([header, pdu]);
}

function answer(server: MisbehavingServer, socket: Socket, request: Buffer): void {
  const transaction = request.readUInt16BE(0);
  const unit = request[6]!;
  const pdu = request.subarray(7);
  const good = goodPdu(pdu);
  const mode = server.mode;
  if (mode.startsWith('exception-')) {
    socket.write(frame(transaction, unit, Buffer.from([pdu[0]! | 0x80, Number(mode.slice('exception-'.length))])));
    return;
  }
  switch (mode) {
    case 'good':
      socket.write(frame(transaction, unit, good));
      return;
    case 'short-frame':
      socket.write(frame(transaction, unit, good).subarray(0, 9));
      return;
    case 'wrong-function':
      socket.write(frame(transaction, unit, Buffer.concat([Buffer.from([pdu[0] === 3 ? 4 : 3]), good.subarray(1)])));
      return;
    case 'wrong-transaction':
      socket.write(frame((transaction + 1) & 0xffff, unit, good));
      return;
    case 'wrong-unit':
      socket.write(frame(transaction, (unit + 1) & 0xff, good));
      return;
    case 'wrong-byte-count': {
      const bad = Buffer.from(good);
      if (bad.length > 1) bad[1] = (bad[1]! + 3) & 0xff;
      socket.write(frame(transaction, unit, bad));
      return;
    }
    case 'wrong-length':
      socket.write(frame(transaction, unit, good, 40));
      return;
    case 'garbage':
      socket.write(server.garbage);
      return;
    case 'silence':
      return;
    case 'silence-then-close':
      setTimeout(() => socket.destroy(), 50).unref();
      return;
    case 'close':
      socket.destroy();
      return;
    case 'split': {
      // The same correct answer, in three TCP writes: a reader must reassemble it.
      const whole = frame(transaction, unit, good);
      socket.write(whole.subarray(0, 3));
      setTimeout(() => {
        if (socket.destroyed) return;
        socket.write(whole.subarray(3, 8));
        setTimeout(() => !socket.destroyed && socket.write(whole.subarray(8)), 5).unref();
      }, 5).unref();
      return;
    }
  }
}

/** Start the server on 127.0.0.1 (a free port) in `good` mode. */
export async function startMisbehavingServer(): Promise<MisbehavingServer> {
  const sockets = new Set<Socket>();
  let requests = 0;
  const state: MisbehavingServer = {
    port: 0,
    mode: 'good',
    garbage: Buffer.from([0xde, 0xad]),
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined); // the client hanging up mid-answer is expected here
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 7) {
        const length = pending.readUInt16BE(4);
        if (pending.length < 6 + length) break;
        const request = pending.subarray(0, 6 + length);
        pending = pending.subarray(6 + length);
        requests++;
        answer(state, socket, request);
        if (socket.destroyed) return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  Object.defineProperty(state, 'port', { value: typeof address === 'object' && address ? address.port : 0 });
  return state;
}
