import { spawn, type ChildProcess } from 'node:child_process';
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

/** A pymodbus TCP server process started by a test (Debian's python3-pymodbus, run with `PYENV_VERSION=system`). */
export interface PymodbusServer {
  readonly port: number;
  /** Kill it (SIGKILL, as a crashed device) and start it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Start `python3 <script> <port>` and resolve once it printed `LISTENING <port>` (the script's
 * contract; port 0 lets it pick one, and restarts reuse the port it reported). A missing python3
 * or pymodbus fails with a message that says how to install them.
 */
export async function startPymodbusServer(script: string, port = 0): Promise<PymodbusServer> {
  let child: ChildProcess | undefined;
  const launch = (wanted: number) =>
    new Promise<number>((resolve, reject) => {
      const proc = spawn('python3', [script, String(wanted)], { env: { ...process.env, PYENV_VERSION: 'system' }, stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      let stdout = '';
      let stderr = '';
      proc.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /LISTENING (\d+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      proc.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
      // pymodbus 3.0 logs a failed bind and waits forever instead of exiting: bound the start.
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`the pymodbus server ${script} did not listen on port ${wanted} within 10 s:\n${stderr}`));
      }, 10_000);
      proc.stdout!.once('close', () => clearTimeout(timer));
      proc.once('error', (err) => reject(new Error(`cannot start python3 for a pymodbus server: ${err.message} (install python3 and python3-pymodbus: scripts/ensure-system-packages.sh)`)));
      proc.once('exit', (code) =>
        reject(new Error(`the pymodbus server ${script} exited (code ${code}) before listening; is python3-pymodbus installed (scripts/ensure-system-packages.sh)?\n${stderr}`)),
      );
    });
  const kill = async (signal: NodeJS.Signals) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  };
  const actual = await launch(port);
  return {
    port: actual,
    async restart() {
      await kill('SIGKILL');
      await launch(actual);
    },
    stop: () => kill('SIGTERM'),
  };
}
