import { join } from 'node:path';
import type { Server } from 'node:net';
import type { OPCUAServer, StatusCode, UAObject, Variant as VariantType } from 'node-opcua';
import { ConnectionGate, gateControls, type StallableServer } from './connection-gate.js';
import type { PlantLog } from './plant-log.js';
import type { PlantScenario } from './scenario.js';
import type { ModelTag, TagModel } from './tag-model.js';

/** Extra OPC UA variables for load tests: `count` Doubles under `Objects/Extra`, each changing every `periodMs`. */
export interface OpcuaExtraVariables {
  readonly count: number;
  readonly periodMs: number;
}

/** A username/password login the OPC UA server accepts (besides anonymous). */
export interface OpcuaUser {
  readonly username: string;
  readonly password: string;
}

/** The simulated OPC UA server. */
export interface PlantOpcuaServer extends StallableServer {
  /** `opc.tcp://127.0.0.1:PORT/UA/Plant`. */
  readonly endpointUrl: string;
  readonly port: number;
  /** Shut the server down (sessions and subscriptions are lost) and start it again on the same port and certificate. */
  restart(): Promise<void>;
}

/** What the OPC UA server needs from the plant. */
export interface PlantOpcuaServerOptions {
  readonly host: string;
  /** 0 picks a free port (kept across restarts). */
  readonly port: number;
  /** PKI folders go under `<dataDir>/pki/`. */
  readonly dataDir: string;
  readonly scenario: PlantScenario;
  readonly model: TagModel;
  readonly users: readonly OpcuaUser[];
  readonly extraVariables?: OpcuaExtraVariables | undefined;
  readonly log: PlantLog;
}

const RESOURCE_PATH = '/UA/Plant';

/**
 * Start a node-opcua server on 127.0.0.1 whose address space mirrors the scenario:
 * `Objects/<Line>/<Machine>/<Tag>` with string NodeIds `ns=1;s=<Line>.<Machine>.<Tag>`, values read
 * from the tag model through getters (with `minimumSamplingInterval` set to the tag's period, so
 * subscriptions sample at that rate rather than node-opcua's 1 s fallback, STACK.md G11/W30).
 * Endpoints: SecurityPolicy None, and Basic256Sha256 with Sign and SignAndEncrypt; anonymous and
 * the given users may log in. Certificates are self-signed and stored only under `dataDir`;
 * unknown client certificates are accepted, as a test plant should.
 */
export async function startOpcuaServer(options: PlantOpcuaServerOptions): Promise<PlantOpcuaServer> {
  const opcua = await import('node-opcua');
  const { OPCUAServer: ServerClass, OPCUACertificateManager, MessageSecurityMode, SecurityPolicy, DataType, Variant, StatusCodes, makeEUInformation, makeAccessLevelFlag } = opcua;
  const { model, scenario, log } = options;
  const gate = new ConnectionGate();
  let port = options.port;
  let server: OPCUAServer | undefined;

  const dataTypeOf = (tag: ModelTag): (typeof DataType)[keyof typeof DataType] => {
    switch (tag.spec.type) {
      case 'float':
        return DataType.Double;
      case 'int':
        return DataType.Int32;
      case 'uint':
        return DataType.UInt32;
      case 'bool':
        return DataType.Boolean;
      case 'enum':
        return DataType.String;
    }
  };

  const setter =
    (tag: ModelTag) =>
    (variant: VariantType): StatusCode => {
      const value: unknown = variant.value;
      if (typeof value !== 'number' && typeof value !== 'boolean') return StatusCodes.BadTypeMismatch;
      const result = model.write(tag.path, value);
      if (result.ok) {
        log({ level: 'info', message: 'opcua write', device: 'opcua', tag: tag.path, value });
        return StatusCodes.Good;
      }
      return result.reason === 'out-of-range' ? StatusCodes.BadOutOfRange : result.reason === 'read-only' ? StatusCodes.BadNotWritable : StatusCodes.BadTypeMismatch;
    };

  const build = (s: OPCUAServer): void => {
    const addressSpace = s.engine.addressSpace;
    if (!addressSpace) throw new Error('OPC UA server has no address space after initialize()');
    const ns = addressSpace.getOwnNamespace();
    const objects = addressSpace.rootFolder.objects;
    const lines = new Map<string, UAObject>();
    const machines = new Map<string, UAObject>();
    for (const line of scenario.lines) {
      lines.set(line.name, ns.addObject({ organizedBy: objects, browseName: line.name, nodeId: `s=${line.name}` }));
    }
    for (const tag of model.tags) {
      if (!tag.spec.opcua) continue;
      const key = `${tag.line}.${tag.machine}`;
      let machine = machines.get(key);
      if (!machine) {
        const description = scenario.lines.find((l) => l.name === tag.line)?.machines.find((m) => m.name === tag.machine)?.description;
        machine = ns.addObject({ componentOf: lines.get(tag.line), browseName: tag.machine, nodeId: `s=${key}`, ...(description ? { description } : {}) });
        machines.set(key, machine);
      }
      const dataType = dataTypeOf(tag);
      const common = {
        componentOf: machine,
        browseName: tag.spec.name,
        nodeId: `s=${key}.${tag.spec.name}`,
        ...(tag.spec.description ? { description: tag.spec.description } : {}),
        minimumSamplingInterval: tag.periodMs,
        accessLevel: makeAccessLevelFlag(tag.writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead'),
        userAccessLevel: makeAccessLevelFlag(tag.writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead'),
        value: {
          get: () => new Variant({ dataType, value: model.value(tag.path) }),
          ...(tag.writable ? { set: setter(tag) } : {}),
        },
      };
      const { unit, range } = tag.spec;
      if (tag.spec.type === 'float' && unit && range) {
        ns.addAnalogDataItem({
          ...common,
          dataType: 'Double',
          engineeringUnits: makeEUInformation(unit, unit, unit),
          engineeringUnitsRange: { low: range[0], high: range[1] },
        });
      } else {
        ns.addVariable({ ...common, dataType });
      }
      if (tag.spec.alarm) {
        ns.addVariable({
          componentOf: machine,
          browseName: `${tag.spec.name}Message`,
          nodeId: `s=${key}.${tag.spec.name}Message`,
          dataType: DataType.String,
          minimumSamplingInterval: tag.periodMs,
          value: { get: () => new Variant({ dataType: DataType.String, value: model.alarmMessage(tag.path) }) },
        });
      }
    }
    const extra = options.extraVariables;
    if (extra && extra.count > 0) {
      const folder = ns.addFolder(objects, { browseName: 'Extra', nodeId: 's=Extra' });
      const digits = String(extra.count - 1).length;
      for (let i = 0; i < extra.count; i++) {
        const name = `V${String(i).padStart(digits, '0')}`;
        ns.addVariable({
          componentOf: folder,
          browseName: name,
          nodeId: `s=Extra.${name}`,
          dataType: DataType.Double,
          minimumSamplingInterval: extra.periodMs,
          // Lazy: nothing runs unless a client reads or samples, so 10,000 idle variables cost no CPU.
          value: { get: () => new Variant({ dataType: DataType.Double, value: Math.floor(Date.now() / extra.periodMs) + i }) },
        });
      }
    }
  };

  const start = async (): Promise<void> => {
    const pki = join(options.dataDir, 'pki');
    const s = new ServerClass({
      host: options.host,
      hostname: options.host,
      port,
      resourcePath: RESOURCE_PATH,
      buildInfo: { productName: 'Plantwire simulated plant', manufacturerName: 'Plantwire' },
      // The server's own namespace (index 1, where every plant node lives) takes the application URI.
      serverInfo: { applicationUri: scenario.opcua.namespaceUri, applicationName: { text: `Plantwire sim ${scenario.site}/${scenario.area}` } },
      securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
      securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256],
      allowAnonymous: true,
      // node-opcua defaults to 10 sessions and 10 connections: too few for a plant that several
      // flows, tests or benchmark clients share (after a restart they all reconnect at once).
      maxConnectionsPerEndpoint: 100,
      serverCapabilities: { maxSessions: 100, maxSubscriptions: 1000 },
      userManager: { isValidUser: (username: string, password: string) => options.users.some((u) => u.username === username && u.password === password) },
      serverCertificateManager: new OPCUACertificateManager({ rootFolder: join(pki, 'server'), automaticallyAcceptUnknownCertificate: true }),
      userCertificateManager: new OPCUACertificateManager({ rootFolder: join(pki, 'user'), automaticallyAcceptUnknownCertificate: true }),
    });
    await s.initialize();
    build(s);
    try {
      await s.start();
    } catch (err) {
      await s.shutdown(0).catch(() => undefined);
      throw new Error(`OPC UA server could not listen on ${options.host}:${port}: ${(err as Error).message}`, { cause: err });
    }
    for (const endpoint of s.endpoints) {
      // node-opcua keeps its listener private; the gate needs it to freeze connections on silence().
      const listener = (endpoint as unknown as { _server?: Server })._server;
      if (!listener) throw new Error('node-opcua endpoint has no _server listener: ConnectionGate cannot freeze OPC UA connections with this node-opcua version');
      gate.watch(listener);
    }
    port = s.endpoints[0]?.port ?? port;
    server = s;
  };

  const stop = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (!s) return;
    // Frozen sockets would hold node-opcua's goodbye messages; release them so shutdown is not stuck.
    const wasStalled = gate.stalled;
    if (wasStalled) gate.release();
    await s.shutdown(0);
    gate.destroyAll();
    if (wasStalled) gate.stall();
  };

  await start();
  const endpointUrl = (): string => `opc.tcp://${options.host}:${port}${RESOURCE_PATH}`;
  return {
    get endpointUrl() {
      return endpointUrl();
    },
    get port() {
      return port;
    },
    ...gateControls(gate, stop, start),
    async close() {
      await stop();
      gate.release();
    },
  };
}
