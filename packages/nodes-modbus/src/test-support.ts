import type { ConnectionContext } from '@plantwire/node-sdk';
import type { ModbusDeviceClient } from './modbus-device/modbus-client.js';
import { modbusDevice } from './modbus-device/modbus-device.connection.js';

/** The config a `modbus-device` entry parses to, for tests that open a client without the runtime. */
export type DeviceConfigInput = Parameters<typeof modbusDevice.config.parse>[0];

/** A connection context as the runtime would hand it (tests only). */
export function deviceContext(config: DeviceConfigInput, lost: (reason?: unknown) => void = () => undefined) {
  const controller = new AbortController();
  const noop = () => undefined;
  const ctx: ConnectionContext<ReturnType<typeof modbusDevice.config.parse>, Record<string, never>> = {
    id: 'plc',
    type: 'modbus-device',
    name: undefined,
    config: modbusDevice.config.parse(config),
    credentials: {},
    lost,
    log: { debug: noop, info: noop, warn: noop, error: noop },
    signal: controller.signal,
    dataDir: undefined,
  };
  return ctx;
}

/** Open a real client the way the runtime would (tests only). Close it with `client.destroy()`. */
export function openDevice(config: DeviceConfigInput, lost?: (reason?: unknown) => void): Promise<ModbusDeviceClient> {
  return modbusDevice.connect(deviceContext(config, lost));
}
