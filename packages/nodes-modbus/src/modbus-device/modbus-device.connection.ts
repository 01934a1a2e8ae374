import { connect as netConnect, type Socket } from 'node:net';
import { defineConnection, type ConnectionContext } from '@plantwire/node-sdk';
import * as z from 'zod';
import { byteOrderSchema, unitIdSchema, wordOrderSchema } from '../tag-schema.js';
import { describeException, ModbusDeviceClient, ModbusRequestError, type ModbusDeviceSettings } from './modbus-client.js';

const configSchema = z
  .object({
    host: z.string().min(1).meta({ title: 'Host', description: 'The device or gateway address.', examples: ['192.168.1.20'] }),
    port: z.int().min(1).max(65535).default(502).meta({ title: 'Port' }),
    unitId: unitIdSchema.default(1).meta({ title: 'Default unit id', description: 'Used by tags without a unit id of their own.' }),
    timeoutMs: z.int().min(10).max(60_000).default(1000).meta({
      title: 'Timeout (ms)',
      unit: 'ms',
      description: 'How long one request (and the TCP connect) may wait for an answer. A silent unit costs this much per attempt.',
    }),
    wordOrder: wordOrderSchema.default('ABCD').meta({ title: 'Default word order' }),
    byteOrder: byteOrderSchema.default('AB').meta({ title: 'Default byte order' }),
  })
  .strict();

type Config = z.output<typeof configSchema>;

function labelOf(ctx: ConnectionContext<Config>): string {
  return `modbus-device "${ctx.name ?? ctx.id}" (${ctx.config.host}:${ctx.config.port})`;
}

/** A TCP socket, connected within `timeoutMs`, or a rejection saying why. */
function openSocket(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port });
    const fail = (err: Error) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(err);
    };
    const onAbort = () => fail(new Error(`connecting to ${host}:${port} was aborted`));
    const timer = setTimeout(() => fail(new Error(`no TCP connection to ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (err) => fail(new Error(`cannot connect to ${host}:${port}: ${err.message}`, { cause: err })));
    socket.once('connect', () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

async function openClient(ctx: ConnectionContext<Config>, onLost: (reason: string) => void): Promise<ModbusDeviceClient> {
  const { host, port, timeoutMs } = ctx.config;
  // Loaded on first connect: a runtime whose flow uses no Modbus device never pays for it at start-up.
  const { default: ModbusRTU } = await import('modbus-serial');
  const socket = await openSocket(host, port, timeoutMs, ctx.signal);
  const rtu = new ModbusRTU();
  try {
    // Our own socket (modbus-serial's `socket` option): we see its close even after an error, which
    // modbus-serial's own `close` event swallows once its port saw an `error`.
    await rtu.connectTCP(host, { port, socket });
  } catch (err) {
    socket.destroy();
    throw new Error(`cannot set up Modbus on ${host}:${port}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  // The request timeout, set after connecting: set before, modbus-serial also makes it the socket's idle timeout.
  rtu.setTimeout(timeoutMs);
  const settings: ModbusDeviceSettings = { ...ctx.config };
  const client = new ModbusDeviceClient(rtu, socket, settings, labelOf(ctx));
  let lastError: Error | undefined;
  socket.on('error', (err) => {
    lastError = err;
  });
  socket.once('close', () => {
    const reason = lastError ? `the connection failed: ${lastError.message}` : 'the device closed the connection';
    client.markClosed(reason);
    onLost(reason);
  });
  return client;
}

/**
 * A Modbus TCP device (or a gateway to several unit ids): one TCP connection per entry, shared by
 * every modbus-read and modbus-write node that names it, requests serialised on it. The runtime
 * reconnects with backoff when the socket closes; a unit that stops answering does not close it.
 *
 * @example
 * { "id": "plc1", "type": "modbus-device", "config": { "host": "10.0.0.5", "port": 502, "unitId": 1, "wordOrder": "CDAB" } }
 */
export const modbusDevice = defineConnection({
  type: 'modbus-device',
  version: 1,
  summary: 'A Modbus TCP device or gateway.',
  description:
    'One TCP connection per entry, shared by the nodes that use it; requests are sent one at a time, each bounded by `timeoutMs`. ' +
    'Unit ids behind a gateway share the connection: a silent unit costs a timeout, never a reconnect.',
  icon: 'plug',
  config: configSchema,
  async connect(ctx) {
    return openClient(ctx, (reason) => ctx.lost(new Error(`${labelOf(ctx)}: ${reason}`)));
  },
  async disconnect(client) {
    client.destroy();
  },
  async test(ctx) {
    let client: ModbusDeviceClient;
    try {
      client = await openClient(ctx, () => undefined);
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    const { unitId } = ctx.config;
    try {
      await client.read(unitId, 'holding', 0, 1);
      return { ok: true, message: `connected; unit ${unitId} answered` };
    } catch (err) {
      if (err instanceof ModbusRequestError && err.kind === 'exception' && !err.unitUnresponsive) {
        // An exception is an answer: the device is there, holding register 0 just is not.
        return { ok: true, message: `connected; unit ${unitId} answered ${describeException(err.exceptionCode!)} for holding register 0` };
      }
      return { ok: false, message: `TCP connected, but unit ${unitId}: ${err instanceof ModbusRequestError ? err.reason : String(err)}` };
    } finally {
      client.destroy();
    }
  },
});
