import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startModbusPlc, type ModbusPlc } from './modbus-plc.js';
import { startMqttBroker, type MqttBroker } from './mqtt-broker.js';
import { startOpcuaServer, type OpcuaExtraVariables, type OpcuaUser, type PlantOpcuaServer } from './opcua-server.js';
import type { PlantLog } from './plant-log.js';
import { registerBindings } from './register-map.js';
import { defaultScenario, parseScenario, type PlantScenario } from './scenario.js';
import { SilenceSchedule, type PlantDevice } from './silence-schedule.js';
import { createTagModel, type TagModel, type TagValue } from './tag-model.js';

/** The servers a plant can run. */
export type PlantServer = 'mqtt' | 'modbus' | 'opcua';

/** Options of {@link startPlant}. */
export interface StartPlantOptions {
  /** Default: the built-in scenario (`packages/sim/scenarios/default.plant.json`). Validated again here. */
  readonly scenario?: PlantScenario;
  /** Listening ports; 0 picks a free one. Defaults: MQTT 1883, Modbus 5020, OPC UA 4840. */
  readonly ports?: { readonly mqtt?: number; readonly modbus?: number; readonly opcua?: number };
  /** Which servers to start (default all). OPC UA takes about 2 s to start; tests that do not need it skip it. */
  readonly servers?: readonly PlantServer[];
  /** Where the OPC UA PKI lives (`<dataDir>/pki`). Default: a temporary folder, removed by `stop()`. */
  readonly dataDir?: string;
  /** Structured log lines (faults, writes, server errors). Default: none. */
  readonly log?: PlantLog;
  /** OPC UA username/password logins; default the scenario's `opcua.users`. */
  readonly opcuaUsers?: readonly OpcuaUser[];
  /** Extra OPC UA variables for load tests (e.g. 10,000 changing every 100 ms). */
  readonly opcuaExtraVariables?: OpcuaExtraVariables;
}

/** How clients reach the plant. Reading the endpoint of a server that was not started throws. */
export interface PlantEndpoints {
  /** `mqtt://127.0.0.1:PORT` (MQTT 3.1.1: connect with `protocolVersion: 4`). */
  readonly mqtt: string;
  readonly modbus: { readonly host: string; readonly port: number; readonly unitIds: readonly number[] };
  /** `opc.tcp://127.0.0.1:PORT/UA/Plant`. */
  readonly opcua: string;
}

/** Something that happened to a device, from a scripted fault or a call to `plant.faults`. */
export interface PlantFaultEvent {
  readonly device: PlantDevice;
  readonly kind: 'silenced' | 'resumed' | 'restarted';
  /** For `silenced`: when the silence ends (epoch ms). */
  readonly untilMs?: number;
}

/** Fault injection. */
export interface PlantFaults {
  /**
   * Make a device stop answering for `ms` (extends a running silence). A Modbus unit drops its
   * requests unanswered while other units keep answering; `modbus` silences every unit; `mqtt`
   * and `opcua` freeze their connections (nothing read or sent, TCP stays up, new connections
   * freeze too) and answer late when the silence ends.
   */
  silence(device: PlantDevice, ms: number): void;
  /** End a silence early. */
  resume(device: PlantDevice): void;
  isSilent(device: PlantDevice): boolean;
  /**
   * Restart a server on the same port: every connection is cut and clients must reconnect
   * (OPC UA sessions and subscriptions are lost; MQTT retained messages too). Setpoints survive,
   * like a PLC's retentive memory. A Modbus unit cannot restart on its own: restart `modbus`.
   */
  restart(device: PlantServer): Promise<void>;
  /** Listen to fault events; returns the unsubscribe function. */
  onEvent(listener: (event: PlantFaultEvent) => void): () => void;
}

/** A running simulated plant. */
export interface Plant {
  readonly scenario: PlantScenario;
  readonly endpoints: PlantEndpoints;
  readonly faults: PlantFaults;
  /** Every tag's current value by `Line/Machine/Tag` path (alarm tags add `<Tag>Message`). */
  tags(): Record<string, TagValue>;
  /** Write a setpoint as a client would (throws with the reason when refused). */
  write(path: string, value: number | boolean): void;
  /** Pin any tag to a value (e.g. force an alarm's source high); `undefined` releases it. */
  force(path: string, value: TagValue | undefined): void;
  /** Close every server and connection; resolves when all handles are released. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const DEFAULT_PORTS = { mqtt: 1883, modbus: 5020, opcua: 4840 } as const;

/**
 * Start the simulated plant: an MQTT broker, a Modbus TCP PLC and an OPC UA server on 127.0.0.1,
 * all driven by one scenario, plus the scenario's scripted faults.
 *
 * @throws {ScenarioError} for an invalid scenario; an Error naming the server and port when one cannot listen
 *   (servers already started are stopped again).
 * @example
 * const plant = await startPlant({ ports: { mqtt: 0, modbus: 0, opcua: 0 } });
 * console.log(plant.endpoints.opcua); // opc.tcp://127.0.0.1:40123/UA/Plant
 * plant.faults.silence('modbus-unit-1', 5_000);
 * await plant.stop();
 */
export async function startPlant(options: StartPlantOptions = {}): Promise<Plant> {
  const scenario = options.scenario ? parseScenario(options.scenario) : defaultScenario();
  const log: PlantLog = options.log ?? (() => undefined);
  const servers = new Set<PlantServer>(options.servers ?? ['mqtt', 'modbus', 'opcua']);
  const startedAt = Date.now();
  const model: TagModel = createTagModel(scenario, { clock: () => Date.now() - startedAt });
  const listeners = new Set<(event: PlantFaultEvent) => void>();
  const emit = (event: PlantFaultEvent): void => {
    log({ level: 'info', message: `device ${event.kind}`, ...event });
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (err) {
        // Events fire from timers; a throwing listener must not take the plant (or the test runner) down.
        log({ level: 'error', message: 'fault event listener threw', device: event.device, error: (err as Error).message });
      }
    }
  };

  let mqtt: MqttBroker | undefined;
  let modbus: ModbusPlc | undefined;
  let opcua: PlantOpcuaServer | undefined;
  let ownDataDir: string | undefined;
  let stopped = false;

  const schedule = new SilenceSchedule((device, silent, untilMs) => {
    // Modbus units need nothing here: the PLC asks isSilent() on every request.
    const gate = device === 'mqtt' ? mqtt : device === 'opcua' ? opcua : undefined;
    if (silent) gate?.stall();
    else gate?.release();
    emit(silent ? { device, kind: 'silenced', untilMs } : { device, kind: 'resumed' });
  });
  const scriptTimers: Array<ReturnType<typeof setTimeout>> = [];

  const stopAll = async (): Promise<void> => {
    stopped = true;
    scriptTimers.forEach(clearTimeout);
    schedule.clear();
    await Promise.all([mqtt?.close(), modbus?.close(), opcua?.close()]);
    if (ownDataDir) await rm(ownDataDir, { recursive: true, force: true });
  };

  try {
    const ports = {
      mqtt: options.ports?.mqtt ?? DEFAULT_PORTS.mqtt,
      modbus: options.ports?.modbus ?? DEFAULT_PORTS.modbus,
      opcua: options.ports?.opcua ?? DEFAULT_PORTS.opcua,
    };
    if (servers.has('mqtt')) {
      mqtt = await startMqttBroker({ host: HOST, port: ports.mqtt, model, log, now: Date.now });
    }
    if (servers.has('modbus')) {
      const bindings = registerBindings(scenario);
      // modbus-serial treats port 0 as "use 502", so an ephemeral port is chosen here.
      const port = ports.modbus === 0 ? await freePort() : ports.modbus;
      modbus = await startModbusPlc({
        host: HOST,
        port,
        bindings,
        model,
        tableSize: scenario.modbus.tableSize,
        isSilent: (unit) => schedule.isSilent('modbus') || schedule.isSilent(`modbus-unit-${unit}`),
        log,
      });
    }
    if (servers.has('opcua')) {
      const dataDir = options.dataDir ?? (ownDataDir = await mkdtemp(join(tmpdir(), 'plantwire-sim-')));
      opcua = await startOpcuaServer({
        host: HOST,
        port: ports.opcua,
        dataDir,
        scenario,
        model,
        users: options.opcuaUsers ?? scenario.opcua.users,
        extraVariables: options.opcuaExtraVariables,
        log,
      });
    }
  } catch (err) {
    await stopAll();
    throw err;
  }

  const devices = (): PlantDevice[] => [
    ...(mqtt ? (['mqtt'] as const) : []),
    ...(modbus ? (['modbus', ...modbus.unitIds.map((u) => `modbus-unit-${u}` as const)] as const) : []),
    ...(opcua ? (['opcua'] as const) : []),
  ];
  const checkDevice = (device: PlantDevice): void => {
    if (!devices().includes(device)) throw new Error(`no device "${device}" in this plant; devices: ${devices().join(', ')}`);
  };

  for (const fault of scenario.faults) {
    const device = fault.device as PlantDevice;
    if (!devices().includes(device)) {
      log({ level: 'warn', message: 'scripted fault skipped: device not running', device });
      continue;
    }
    // `at` counts from when the plant is ready, not from the call: OPC UA alone takes ~2 s to start.
    scriptTimers.push(
      setTimeout(() => {
        if (!stopped) schedule.silence(device, fault.durationS * 1000);
      }, fault.at * 1000),
    );
  }

  // Started servers are plain properties (so the object prints and serialises); a server that was
  // not started is a non-enumerable getter that throws, so a test that forgot it fails by name.
  const endpoints = {} as PlantEndpoints;
  const define = <K extends keyof PlantEndpoints>(key: K, value: PlantEndpoints[K] | undefined): void => {
    if (value !== undefined) {
      Object.defineProperty(endpoints, key, { enumerable: true, value });
      return;
    }
    const get = (): never => {
      throw new Error(`the ${key} server of this plant was not started (options.servers: ${[...servers].join(', ')})`);
    };
    Object.defineProperty(endpoints, key, { enumerable: false, get });
  };
  define('mqtt', mqtt && `mqtt://${HOST}:${mqtt.port}`);
  define('modbus', modbus && { host: modbus.host, port: modbus.port, unitIds: modbus.unitIds });
  define('opcua', opcua?.endpointUrl);
  Object.freeze(endpoints);

  return {
    scenario,
    endpoints,
    faults: {
      silence(device, ms) {
        checkDevice(device);
        schedule.silence(device, ms);
      },
      resume(device) {
        checkDevice(device);
        schedule.resume(device);
      },
      isSilent: (device) => schedule.isSilent(device),
      async restart(device) {
        const server = device === 'mqtt' ? mqtt : device === 'modbus' ? modbus : device === 'opcua' ? opcua : undefined;
        if (!server) {
          throw new Error(`cannot restart "${device}": restartable servers of this plant are ${[mqtt && 'mqtt', modbus && 'modbus', opcua && 'opcua'].filter(Boolean).join(', ')}`);
        }
        await server.restart();
        emit({ device, kind: 'restarted' });
      },
      onEvent(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    tags: () => model.snapshot(),
    write(path, value) {
      const result = model.write(path, value);
      if (!result.ok) throw new Error(`cannot write ${path}: ${result.message}`);
    },
    force: (path, value) => model.force(path, value),
    async stop() {
      if (stopped) return;
      await stopAll();
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host: HOST, port: 0 }, () => {
      const address = probe.address();
      const port = address && typeof address === 'object' ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
