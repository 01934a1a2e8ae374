import type { IServiceVector, ServerTCP } from 'modbus-serial';
import { decodeRegisters, encodeRegisters, type ModbusTable, type RegisterBinding } from './register-map.js';
import type { TagModel } from './tag-model.js';
import type { PlantLog } from './plant-log.js';

/** Modbus exception codes the PLC answers with. */
const ILLEGAL_DATA_ADDRESS = 0x02;
const ILLEGAL_DATA_VALUE = 0x03;
// A Modbus TCP gateway's answer for a unit id with nothing behind it.
const GATEWAY_TARGET_FAILED = 0x0b;

/** The simulated Modbus TCP PLC. */
export interface ModbusPlc {
  readonly host: string;
  readonly port: number;
  readonly unitIds: readonly number[];
  /** Close the listener and every connection, then listen again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** What the PLC needs from the plant. */
export interface ModbusPlcOptions {
  readonly host: string;
  readonly port: number;
  readonly bindings: readonly RegisterBinding[];
  readonly model: TagModel;
  /** Registers (and bits) per table per unit. */
  readonly tableSize: number;
  /** Whether a unit is silenced right now; a silenced unit's requests are dropped unanswered. */
  readonly isSilent: (unitId: number) => boolean;
  readonly log: PlantLog;
}

type ModbusError = Error & { modbusErrorCode: number };
type Done<T> = (err: Error | null, value: T) => void;

function modbusError(code: number, message: string): ModbusError {
  return Object.assign(new Error(message), { modbusErrorCode: code });
}

interface Slot {
  readonly binding: RegisterBinding;
  /** Which word (or bit) of the binding this address is. */
  readonly offset: number;
}

/**
 * Start a Modbus TCP server (modbus-serial's ServerTCP) that answers for every unit id bound in
 * the scenario, each with its own four tables. Values are encoded from the tag model on each read,
 * so a read of a 32-bit pair within one request is always consistent. A silenced unit gets no
 * answer at all (the client times out) while the other units keep answering on the same connection.
 *
 * @example
 * const plc = await startModbusPlc({ host: '127.0.0.1', port: 5020, bindings, model, tableSize: 1000, isSilent: () => false, log });
 */
export async function startModbusPlc(options: ModbusPlcOptions): Promise<ModbusPlc> {
  const { ServerTCP: ServerTcpClass } = await import('modbus-serial');
  const { model, tableSize, log } = options;
  const slots = new Map<string, Slot>();
  const unitIds = [...new Set(options.bindings.map((b) => b.unit))].sort((a, b) => a - b);
  for (const binding of options.bindings) {
    for (let offset = 0; offset < binding.width; offset++) {
      slots.set(slotKey(binding.unit, binding.table, binding.address + offset), { binding, offset });
    }
  }

  // Checks shared by every function code. Returns false when the request must go unanswered.
  const admit = (unitId: number, address: number, count: number, done: (err: Error) => void): boolean => {
    if (options.isSilent(unitId)) return false;
    if (!unitIds.includes(unitId)) {
      done(modbusError(GATEWAY_TARGET_FAILED, `no unit ${unitId}`));
      return false;
    }
    if (address + count > tableSize) {
      done(modbusError(ILLEGAL_DATA_ADDRESS, `address ${address}+${count} beyond table size ${tableSize}`));
      return false;
    }
    return true;
  };

  const readWords = (unitId: number, table: ModbusTable, address: number, count: number): number[] => {
    const words: number[] = [];
    // One encode per binding per request keeps both halves of a 32-bit value from the same instant.
    const encoded = new Map<RegisterBinding, number[]>();
    for (let a = address; a < address + count; a++) {
      const slot = slots.get(slotKey(unitId, table, a));
      if (!slot) {
        words.push(0); // unmapped addresses inside the table read as 0, as in most PLCs
        continue;
      }
      let value = encoded.get(slot.binding);
      if (!value) {
        value = encodeRegisters(model.numeric(slot.binding.path), slot.binding);
        encoded.set(slot.binding, value);
      }
      words.push(value[slot.offset] ?? 0);
    }
    return words;
  };

  const readBit = (unitId: number, table: ModbusTable, address: number): boolean => {
    const slot = slots.get(slotKey(unitId, table, address));
    return slot ? model.numeric(slot.binding.path) !== 0 : false;
  };

  // A write of some registers: all of them must land on writable bindings and every resulting
  // value must be accepted, or nothing is written (exception 2 or 3).
  const writeWords = (unitId: number, address: number, values: readonly number[]): ModbusError | undefined => {
    const touched = new Map<RegisterBinding, number[]>();
    for (let i = 0; i < values.length; i++) {
      const slot = slots.get(slotKey(unitId, 'holding', address + i));
      if (!slot) return modbusError(ILLEGAL_DATA_ADDRESS, `holding register ${address + i} of unit ${unitId} is not mapped`);
      if (!slot.binding.writable) return modbusError(ILLEGAL_DATA_ADDRESS, `holding register ${address + i} of unit ${unitId} (${slot.binding.path}) is read-only`);
      let words = touched.get(slot.binding);
      if (!words) {
        words = encodeRegisters(model.numeric(slot.binding.path), slot.binding);
        touched.set(slot.binding, words);
      }
      words[slot.offset] = values[i] ?? 0;
    }
    const updates: Array<[RegisterBinding, number]> = [];
    for (const [binding, words] of touched) {
      let value = decodeRegisters(words, binding);
      const tag = model.get(binding.path);
      if (tag && tag.spec.type !== 'float') value = Math.round(value);
      if (tag?.spec.type === 'bool') value = value !== 0 ? 1 : 0;
      updates.push([binding, value]);
    }
    for (const [binding, value] of updates) {
      const result = model.check(binding.path, value);
      if (!result.ok) return modbusError(ILLEGAL_DATA_VALUE, result.message);
    }
    for (const [binding, value] of updates) {
      model.write(binding.path, value);
      log({ level: 'info', message: 'modbus write', device: `modbus-unit-${unitId}`, tag: binding.path, value });
    }
    return undefined;
  };

  // Function arity matters: modbus-serial calls a vector function with a callback only when its
  // declared parameter count includes one, which is what lets a silenced unit never answer.
  const vector: IServiceVector = {
    getHoldingRegister: (addr: number, unitID: number, cb: Done<number>) => {
      if (admit(unitID, addr, 1, (e) => cb(e, 0))) cb(null, readWords(unitID, 'holding', addr, 1)[0] ?? 0);
    },
    getMultipleHoldingRegisters: (addr: number, length: number, unitID: number, cb: Done<number[]>) => {
      if (admit(unitID, addr, length, (e) => cb(e, []))) cb(null, readWords(unitID, 'holding', addr, length));
    },
    getInputRegister: (addr: number, unitID: number, cb: Done<number>) => {
      if (admit(unitID, addr, 1, (e) => cb(e, 0))) cb(null, readWords(unitID, 'input', addr, 1)[0] ?? 0);
    },
    getMultipleInputRegisters: (addr: number, length: number, unitID: number, cb: Done<number[]>) => {
      if (admit(unitID, addr, length, (e) => cb(e, []))) cb(null, readWords(unitID, 'input', addr, length));
    },
    getCoil: (addr: number, unitID: number, cb: Done<boolean>) => {
      if (admit(unitID, addr, 1, (e) => cb(e, false))) cb(null, readBit(unitID, 'coil', addr));
    },
    getDiscreteInput: (addr: number, unitID: number, cb: Done<boolean>) => {
      if (admit(unitID, addr, 1, (e) => cb(e, false))) cb(null, readBit(unitID, 'discrete', addr));
    },
    setRegister: (addr: number, value: number, unitID: number, cb: (err: Error | null) => void) => {
      if (admit(unitID, addr, 1, cb)) cb(writeWords(unitID, addr, [value]) ?? null);
    },
    setRegisterArray: (addr: number, values: number[], unitID: number, cb: (err: Error | null) => void) => {
      if (admit(unitID, addr, values.length, cb)) cb(writeWords(unitID, addr, values) ?? null);
    },
    setCoil: (addr: number, value: boolean, unitID: number, cb: (err: Error | null) => void) => {
      if (!admit(unitID, addr, 1, cb)) return;
      const slot = slots.get(slotKey(unitID, 'coil', addr));
      if (!slot) return cb(modbusError(ILLEGAL_DATA_ADDRESS, `coil ${addr} of unit ${unitID} is not mapped`));
      if (!slot.binding.writable) return cb(modbusError(ILLEGAL_DATA_ADDRESS, `coil ${addr} of unit ${unitID} (${slot.binding.path}) is read-only`));
      const result = model.write(slot.binding.path, value);
      if (!result.ok) return cb(modbusError(ILLEGAL_DATA_VALUE, result.message));
      log({ level: 'info', message: 'modbus write', device: `modbus-unit-${unitID}`, tag: slot.binding.path, value });
      cb(null);
    },
  };

  const listen = (): Promise<ServerTCP> =>
    new Promise((resolve, reject) => {
      const server = new ServerTcpClass(vector, { host: options.host, port: options.port });
      const onError = (err: Error | null): void => reject(new Error(`Modbus PLC could not listen on ${options.host}:${options.port}: ${err?.message ?? 'unknown error'}`, { cause: err }));
      server.once('serverError', onError);
      server.once('initialized', () => {
        server.removeListener('serverError', onError);
        // A client that resets its connection must not take the plant down with an unhandled 'error'.
        server.on('socketError', (err) => log({ level: 'debug', message: 'modbus client socket error', error: err?.message }));
        server.on('serverError', (err) => log({ level: 'error', message: 'modbus server error', error: err?.message }));
        server.on('error', (err) => log({ level: 'warn', message: 'modbus error', error: err?.message }));
        resolve(server);
      });
    });

  const close = (server: ServerTCP): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

  let server: ServerTCP | undefined = await listen();
  return {
    host: options.host,
    port: options.port,
    unitIds,
    async restart() {
      if (server) await close(server);
      server = undefined;
      server = await listen();
    },
    async close() {
      const s = server;
      server = undefined;
      if (s) await close(s);
    },
  };
}

function slotKey(unit: number, table: ModbusTable, address: number): string {
  return `${unit}:${table}:${address}`;
}
