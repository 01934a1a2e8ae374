import type { Socket } from 'node:net';
import type ModbusRTU from 'modbus-serial';
import type { ModbusArea } from '../codec.js';

/** The meaning of each Modbus exception code (Modbus application protocol v1.1b3 §7). */
export const MODBUS_EXCEPTIONS: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

/** `exception 02 (illegal data address)`. */
export function describeException(code: number): string {
  return `exception ${code.toString(16).toUpperCase().padStart(2, '0')} (${MODBUS_EXCEPTIONS[code] ?? 'unknown exception'})`;
}

/** How a request failed: no answer in time, a Modbus exception, the link down, or anything else. */
export type ModbusFailureKind = 'timeout' | 'exception' | 'not-connected' | 'failed';

/** A failed Modbus request, classified; `reason` is the short text for a TagValue's `reason`. */
export class ModbusRequestError extends Error {
  readonly kind: ModbusFailureKind;
  readonly exceptionCode: number | undefined;
  readonly reason: string;

  constructor(kind: ModbusFailureKind, reason: string, message: string, options: { exceptionCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ModbusRequestError';
    this.kind = kind;
    this.reason = reason;
    this.exceptionCode = options.exceptionCode;
  }

  /**
   * Whether the unit itself is not answering (a timeout, or a gateway reporting its target gone):
   * the reader backs off from that unit instead of spending a timeout on it every poll.
   */
  get unitUnresponsive(): boolean {
    return this.kind === 'timeout' || this.exceptionCode === 10 || this.exceptionCode === 11;
  }
}

/** Settings the nodes need from the device entry. */
export interface ModbusDeviceSettings {
  readonly host: string;
  readonly port: number;
  readonly unitId: number;
  readonly timeoutMs: number;
  readonly wordOrder: 'ABCD' | 'CDAB';
  readonly byteOrder: 'AB' | 'BA';
}

/**
 * The client of a `modbus-device` connection, shared by every node that uses the entry. One TCP
 * connection; requests are queued and sent one at a time (modbus-serial matches answers to one
 * outstanding request), each bounded by `timeoutMs`. A request never resets the connection: a
 * unit that does not answer costs one timeout, and the next request goes out on the same socket.
 */
export class ModbusDeviceClient {
  /** `modbus-device "plc1" (127.0.0.1:502)`: how errors and reasons name the device. */
  readonly label: string;
  readonly settings: ModbusDeviceSettings;
  #rtu: ModbusRTU;
  #socket: Socket;
  #tail: Promise<unknown> = Promise.resolve();
  #queued = 0;
  #closedReason: string | undefined;
  #closeListeners = new Set<() => void>();

  constructor(rtu: ModbusRTU, socket: Socket, settings: ModbusDeviceSettings, label: string) {
    this.#rtu = rtu;
    this.#socket = socket;
    this.settings = settings;
    this.label = label;
  }

  /** Requests waiting or in flight. */
  get queued(): number {
    return this.#queued;
  }

  /** False once the socket closed: every queued and new request fails with kind `not-connected`. */
  get open(): boolean {
    return this.#closedReason === undefined;
  }

  /** Read `count` registers (holding/input: numbers) or bits (coil/discrete: booleans) of a unit. */
  read(unitId: number, area: ModbusArea, address: number, count: number): Promise<number[] | boolean[]> {
    const what = `reading ${count} ${area} from ${address} of unit ${unitId}`;
    return this.#enqueue(unitId, what, async (rtu) => {
      switch (area) {
        case 'holding':
          return (await rtu.readHoldingRegisters(address, count)).data;
        case 'input':
          return (await rtu.readInputRegisters(address, count)).data;
        case 'coil':
          return (await rtu.readCoils(address, count)).data.slice(0, count);
        case 'discrete':
          return (await rtu.readDiscreteInputs(address, count)).data.slice(0, count);
      }
    });
  }

  /** Write holding registers: FC6 for one register unless `multiple`, else FC16. */
  writeRegisters(unitId: number, address: number, words: readonly number[], multiple = false): Promise<void> {
    const what = `writing ${words.length} holding register(s) at ${address} of unit ${unitId}`;
    return this.#enqueue(unitId, what, async (rtu) => {
      if (words.length === 1 && !multiple) await rtu.writeRegister(address, words[0]!);
      else await rtu.writeRegisters(address, [...words]);
    });
  }

  /** Write coils: FC5 for one coil unless `multiple`, else FC15. */
  writeCoils(unitId: number, address: number, bits: readonly boolean[], multiple = false): Promise<void> {
    const what = `writing ${bits.length} coil(s) at ${address} of unit ${unitId}`;
    return this.#enqueue(unitId, what, async (rtu) => {
      if (bits.length === 1 && !multiple) await rtu.writeCoil(address, bits[0]!);
      else await rtu.writeCoils(address, [...bits]);
    });
  }

  /** Mark the client closed (the socket went away) and fail what is queued. */
  markClosed(reason: string): void {
    if (this.#closedReason !== undefined) return;
    this.#closedReason = reason;
    for (const listener of this.#closeListeners) listener();
    this.#closeListeners.clear();
  }

  /** Close the socket at once; a half-dead peer is not waited for. */
  destroy(): void {
    this.markClosed('the connection was closed');
    this.#socket.destroy();
  }

  #enqueue<T>(unitId: number, what: string, op: (rtu: ModbusRTU) => Promise<T>): Promise<T> {
    this.#queued++;
    const run = async (): Promise<T> => {
      if (this.#closedReason !== undefined) throw this.#notConnected(what);
      this.#rtu.setID(unitId);
      let onClose: (() => void) | undefined;
      const closed = new Promise<never>((_, reject) => {
        onClose = () => reject(this.#notConnected(what));
        this.#closeListeners.add(onClose);
      });
      try {
        return await Promise.race([op(this.#rtu), closed]);
      } catch (err) {
        throw this.#classify(err, what);
      } finally {
        this.#closeListeners.delete(onClose!);
      }
    };
    const result = this.#tail.then(run, run);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result.finally(() => {
      this.#queued--;
    });
  }

  /**
   * Drop bytes modbus-serial's TCP framer holds for a frame that never completed. A device that
   * sent a short or garbled frame (an MBAP length larger than what followed) otherwise leaves the
   * framer waiting for the rest, and every later answer is cut at the wrong place: the connection
   * times out forever though the device answers again. After a timeout nothing buffered belongs
   * to a request still waiting. (An internal field of modbus-serial 8's TcpPort; absent, no-op.)
   */
  #discardPartialFrame(): void {
    const port = (this.#rtu as unknown as { _port?: { _clientRcvData?: unknown } })._port;
    if (port && Buffer.isBuffer(port._clientRcvData) && port._clientRcvData.length > 0) port._clientRcvData = Buffer.alloc(0);
  }

  #notConnected(what: string): ModbusRequestError {
    const reason = `not connected (${this.#closedReason ?? 'closed'})`;
    return new ModbusRequestError('not-connected', reason, `${this.label}: ${what} failed: ${reason}`);
  }

  #classify(err: unknown, what: string): ModbusRequestError {
    if (err instanceof ModbusRequestError) return err;
    const e = (err ?? {}) as { modbusCode?: unknown; errno?: unknown; name?: unknown; message?: unknown };
    if (typeof e.modbusCode === 'number') {
      const reason = describeException(e.modbusCode);
      return new ModbusRequestError('exception', reason, `${this.label}: ${what} failed: the device answered ${reason}`, { exceptionCode: e.modbusCode, cause: err });
    }
    if (e.errno === 'ETIMEDOUT' || e.name === 'TransactionTimedOutError') {
      this.#discardPartialFrame();
      const reason = `timeout: no answer within ${this.settings.timeoutMs} ms`;
      return new ModbusRequestError('timeout', reason, `${this.label}: ${what} failed: ${reason}`, { cause: err });
    }
    if (e.name === 'PortNotOpenError' || !this.#rtu.isOpen) {
      this.markClosed(String(e.message ?? 'port not open'));
      return this.#notConnected(what);
    }
    const reason = malformedAnswer(err) ?? String(e.message ?? err);
    return new ModbusRequestError('failed', reason, `${this.label}: ${what} failed: ${reason}`, { cause: err });
  }
}

/**
 * A readable reason for an answer modbus-serial could not use: its own "Unexpected data error"
 * (wrong function code or unit), or a Buffer range error from a byte count that does not match
 * the data (found by fuzzing; the raw message was `The value of "offset" is out of range…`).
 */
function malformedAnswer(err: unknown): string | undefined {
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  const message = String(e.message ?? '');
  const unit = /expected address (\d+) got (\d+)/.exec(message);
  if (unit) return `malformed answer: it came from unit ${unit[2]}, not unit ${unit[1]}`;
  const code = /expected code (\d+) got (\d+)/.exec(message);
  if (code) return `malformed answer: function code ${code[2]} in answer to function code ${code[1]}`;
  if (e.code === 'ERR_OUT_OF_RANGE' || e.code === 'ERR_BUFFER_OUT_OF_BOUNDS') return `malformed answer: its byte count does not match its data (${message})`;
  if (message.startsWith('Unexpected data error')) return `malformed answer: ${message}`;
  return undefined;
}
