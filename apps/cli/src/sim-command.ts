import { resolve } from 'node:path';
import { loadScenario, registerMapMarkdown, ScenarioError, startPlant, type Plant, type PlantScenario } from '@plantwire/sim';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import type { JsonLogger } from './json-logger.js';
import { startUpDone } from './v8-memory.js';

export interface SimOptions {
  /** A `*.plant.json` scenario; undefined: the built-in default scenario. */
  readonly scenarioFile: string | undefined;
  /** 0 picks a free port; undefined: the plant's default (MQTT 1883, Modbus 5020, OPC UA 4840). */
  readonly ports: { readonly mqtt?: number; readonly modbus?: number; readonly opcua?: number };
  /** Where the OPC UA PKI lives; undefined: a temporary folder removed on stop. */
  readonly dataDir: string | undefined;
  readonly logger: JsonLogger;
  /** The readable endpoint block (stdout). */
  readonly out: (line: string) => void;
}

/** Where the register map of the built-in scenario is documented. */
const REGISTER_MAP_DOC = 'packages/sim/README.md#modbus-tcp-register-map-default-scenario';

/**
 * `plantwire sim`: start the simulated plant (MQTT broker, Modbus TCP PLC, OPC UA server), print
 * how to reach it, and run until SIGTERM/SIGINT, then close every server and resolve with 0.
 */
export async function simCommand(options: SimOptions): Promise<ExitCode> {
  const { logger } = options;
  const plant = await startSimulatedPlant(options);
  void startUpDone();
  // The servers keep the process alive; the signal ends it.
  return new Promise<ExitCode>((done) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      logger.info('stopping the simulated plant', { signal });
      plant.stop().then(
        () => {
          logger.info('stopped', { signal });
          done(EXIT.OK);
        },
        (err: unknown) => {
          logger.error('the plant did not stop cleanly', { signal, error: (err as Error).message });
          done(EXIT.INVALID);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/**
 * Start the plant and print how to reach it (the readable block on `out`, a `plant running` log
 * line). Throws a CliError with the exit code when the scenario is bad or a port is taken.
 */
export async function startSimulatedPlant(options: SimOptions): Promise<Plant> {
  const { logger } = options;
  let scenario: PlantScenario | undefined;
  if (options.scenarioFile !== undefined) {
    try {
      scenario = await loadScenario(options.scenarioFile);
    } catch (err) {
      if (err instanceof ScenarioError) throw new CliError(EXIT.INVALID, err.message);
      throw new CliError(EXIT.USAGE, `cannot read scenario ${options.scenarioFile}: ${(err as Error).message}`);
    }
  }

  let plant: Plant;
  try {
    plant = await startPlant({
      ...(scenario ? { scenario } : {}),
      ports: options.ports,
      ...(options.dataDir === undefined ? {} : { dataDir: resolve(options.dataDir) }),
      log: ({ level, message, ...fields }) => logger[level](message, fields),
    });
  } catch (err) {
    if (err instanceof ScenarioError) throw new CliError(EXIT.INVALID, err.message);
    // startPlant has stopped the servers it had started; the message names the server and port.
    throw new CliError(EXIT.UNAVAILABLE, `cannot start the simulated plant: ${(err as Error).message}`);
  }

  const { endpoints } = plant;
  const isDefault = options.scenarioFile === undefined;
  const [line, machine, tag] = firstOpcuaTag(plant.scenario) ?? ['Line1', 'Machine1', 'Temperature'];
  const block = [
    `Simulated plant "${plant.scenario.name ?? 'plant'}" is running (site ${plant.scenario.site}, area ${plant.scenario.area})`,
    `  MQTT    ${endpoints.mqtt}   (MQTT 3.1.1: clients connect with protocolVersion 4)`,
    `  Modbus  ${endpoints.modbus.host}:${endpoints.modbus.port}   unit ids ${endpoints.modbus.unitIds.join(', ')}`,
    `          register map: ${isDefault ? REGISTER_MAP_DOC : 'below'}`,
    `  OPC UA  ${endpoints.opcua}   security None or Basic256Sha256`,
    `          node ids ns=1;s=<Line>.<Machine>.<Tag>, e.g. ns=1;s=${line}.${machine}.${tag}`,
    'Stop with Ctrl-C (SIGINT) or SIGTERM.',
  ];
  for (const text of block) options.out(text);
  if (!isDefault) options.out(registerMapMarkdown(plant.scenario));
  logger.info('plant running', {
    scenario: options.scenarioFile ?? 'default',
    endpoints: { mqtt: endpoints.mqtt, modbus: endpoints.modbus, opcua: endpoints.opcua },
    pid: process.pid,
  });
  return plant;
}

function firstOpcuaTag(scenario: PlantScenario): [string, string, string] | undefined {
  for (const line of scenario.lines)
    for (const machine of line.machines)
      for (const tag of machine.tags) if ((tag as { opcua?: unknown }).opcua !== false) return [line.name, machine.name, tag.name];
  return undefined;
}
