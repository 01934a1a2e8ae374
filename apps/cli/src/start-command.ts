import type { AnyConnectionType, AnyNodeType } from '@plantwire/node-sdk';
import type { ExitCode } from './exit-codes.js';
import type { JsonLogger } from './json-logger.js';
import { runCommand } from './run-command.js';
import { startSimulatedPlant, type SimOptions } from './sim-command.js';

/** The flow `plantwire start` runs when given none. */
export const DEFAULT_START_FLOW = 'examples/line-monitor.flow.json';

export interface StartOptions extends SimOptions {
  readonly file: string;
  readonly nodeTypes: readonly AnyNodeType[];
  readonly connectionTypes: readonly AnyConnectionType[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly runtimeDataDir: string | undefined;
  readonly logger: JsonLogger;
  /** Validation problems (stderr). */
  readonly err: (line: string) => void;
}

/**
 * `plantwire start`: the simulated plant and a flow wired to it, in one process. The flow's
 * `MQTT_URL`, `MODBUS_HOST`, `MODBUS_PORT` and `OPCUA_URL` are set to the plant's endpoints in
 * its document env (which wins over the process environment), so any ports work. SIGTERM/SIGINT
 * stops the flow first (drained), then the plant.
 */
export async function startCommand(options: StartOptions): Promise<ExitCode> {
  const plant = await startSimulatedPlant(options);
  try {
    const { endpoints } = plant;
    return await runCommand({
      file: options.file,
      nodeTypes: options.nodeTypes,
      connectionTypes: options.connectionTypes,
      env: options.env,
      documentEnv: { MQTT_URL: endpoints.mqtt, MODBUS_HOST: endpoints.modbus.host, MODBUS_PORT: String(endpoints.modbus.port), OPCUA_URL: endpoints.opcua },
      dataDir: options.runtimeDataDir,
      metricsPort: undefined,
      metricsHost: '127.0.0.1',
      logger: options.logger,
      // Debug lines and the plant's block share stdout.
      out: options.out,
      err: options.err,
    });
  } finally {
    await plant.stop();
    options.logger.info('simulated plant stopped');
  }
}
