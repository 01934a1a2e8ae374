import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocumentText } from '@plantwire/flow';
import type { AnyConnectionType, AnyNodeType } from '@plantwire/node-sdk';
import type { Plant } from '@plantwire/sim';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import type { JsonLogger } from './json-logger.js';
import { readFlowFile } from './load-flow.js';
import { debugLine } from './run-command.js';
import { startSimulatedPlant, type SimOptions } from './sim-command.js';
import { pauseOptimizationDuringDeploys, startUpDone } from './v8-memory.js';

/** The flow `plantwire start` runs when the data dir has none and no FILE is given. */
export const DEFAULT_START_FLOW = 'examples/line-monitor.flow.json';
/** Where `plantwire start` keeps flows.json, credentials and context unless `--data-dir` says otherwise. */
export const DEFAULT_DATA_DIR = '.plantwire';
/** The admin password hash (`plantwire hash-password`); set: every API call and the socket need a login. */
export const ADMIN_PASSWORD_HASH_ENV = 'PLANTWIRE_ADMIN_PASSWORD_HASH';

/**
 * The built editor: apps/editor/dist, beside apps/cli. This file may sit at different depths below
 * apps/cli as source (src/) or bundled (dist/, or a chunk folder below it), so the apps/cli folder is looked up.
 */
export const EDITOR_DIR = editorDirFrom(fileURLToPath(import.meta.url));

/** apps/editor/dist for a file anywhere below apps/cli (exported for its test). */
export function editorDirFrom(file: string): string {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    if (basename(dir) === 'cli' && basename(dirname(dir)) === 'apps') return join(dirname(dir), 'editor', 'dist');
  }
  return resolve(dirname(file), '../../editor/dist');
}

export interface StartOptions extends Omit<SimOptions, 'dataDir'> {
  /** The initial flow (used when the data dir has no flows.json yet). */
  readonly file: string;
  /** True when FILE was given on the command line (a stored flows.json still wins; we say so). */
  readonly fileGiven: boolean;
  readonly nodeTypes: readonly AnyNodeType[];
  readonly connectionTypes: readonly AnyConnectionType[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly sim: boolean;
  readonly insecureExpose: boolean;
  readonly logger: JsonLogger;
  readonly err: (line: string) => void;
  readonly editorDir?: string;
}

/**
 * `plantwire start`: the simulated plant (unless `--no-sim`), the server with its runtime and the
 * editor on http://127.0.0.1:1880. The flow's `MQTT_URL`, `MODBUS_HOST`, `MODBUS_PORT` and
 * `OPCUA_URL` point at the plant through the server's document env overlay (never stored in
 * flows.json). SIGTERM/SIGINT closes the server (the runtime drained), then the plant.
 */
export async function startCommand(options: StartOptions): Promise<ExitCode> {
  const { logger } = options;
  const dataDir = resolve(options.dataDir);
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (err) {
    throw new CliError(EXIT.UNAVAILABLE, `cannot use data directory ${dataDir}: ${(err as Error).message}`);
  }
  const text = await readFlowFile(options.file);
  const parsed = parseDocumentText(text);
  if (!parsed.ok) throw new CliError(EXIT.INVALID, `${options.file}: ${parsed.issue.message}`);

  const hadFlows = existsSync(join(dataDir, 'flows.json'));
  const passwordHash = options.env[ADMIN_PASSWORD_HASH_ENV];
  const auth = passwordHash === undefined || passwordHash === '' ? undefined : [{ name: 'admin', role: 'admin' as const, passwordHash }];

  let plant: Plant | undefined;
  if (options.sim) plant = await startSimulatedPlant({ ...options, dataDir: join(dataDir, 'plant') });
  const stopPlant = async () => {
    if (!plant) return;
    await plant.stop();
    logger.info('simulated plant stopped');
  };

  // Loaded here: express and socket.io cost `validate` and `run` nothing.
  const { createPlantwireServer, ServerConfigError } = await import('@plantwire/server');
  let server;
  try {
    const endpoints = plant?.endpoints;
    server = await createPlantwireServer({
      nodeTypes: options.nodeTypes,
      connectionTypes: options.connectionTypes,
      env: options.env,
      ...(endpoints
        ? { documentEnv: { MQTT_URL: endpoints.mqtt, MODBUS_HOST: endpoints.modbus.host, MODBUS_PORT: String(endpoints.modbus.port), OPCUA_URL: endpoints.opcua } }
        : {}),
      dataDir,
      host: options.host,
      port: options.port,
      ...(auth ? { auth } : {}),
      allowInsecureExposure: options.insecureExpose,
      editorDir: options.editorDir ?? EDITOR_DIR,
      initialDocument: parsed.value,
      logger,
    });
  } catch (err) {
    await stopPlant();
    if (err instanceof ServerConfigError) throw new CliError(err.code === 'DATA_DIR_UNUSABLE' ? EXIT.UNAVAILABLE : EXIT.USAGE, err.message);
    throw new CliError(EXIT.UNAVAILABLE, `cannot start the server on ${options.host}:${options.port}: ${(err as Error).message}`);
  }
  const running = server;
  running.runtime.on('debug', (event) => options.out(debugLine(event)));
  if (options.fileGiven && hadFlows) logger.warn('the data dir holds its own flows.json, which is what runs; FILE is used only for a new data dir', { dataDir, file: options.file });

  // Deploys from the editor from now on (the first one ran while starting, when TurboFan is off anyway).
  pauseOptimizationDuringDeploys(running.runtime);
  void startUpDone();
  options.out(`Plantwire editor: ${running.url}`);
  logger.info('running', { file: options.file, dataDir, url: running.url, nodes: Object.keys(running.runtime.metrics()).length, sim: options.sim, auth: auth ? 'on' : 'off', pid: process.pid });

  return new Promise<ExitCode>((done) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      logger.info('stopping: closing the server, draining the flow', { signal });
      running
        .close()
        .then(stopPlant)
        .then(
          () => {
            logger.info('stopped', { signal });
            done(EXIT.OK);
          },
          (err: unknown) => {
            logger.error('did not stop cleanly', { signal, error: (err as Error).message });
            done(EXIT.INVALID);
          },
        );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
