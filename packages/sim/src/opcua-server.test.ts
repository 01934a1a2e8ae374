import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttributeIds,
  ClientMonitoredItem,
  ClientSubscription,
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  StatusCodes,
  TimestampsToReturn,
  UserTokenType,
  type ClientSession,
  type OPCUAClientOptions,
  type UserIdentityInfo,
} from 'node-opcua';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPlant, type Plant, type PlantFaultEvent } from './start-plant.js';

const M1 = 'ns=1;s=Line1.Machine1';
let plant: Plant;
let dir: string;
let certificates: OPCUACertificateManager;
const open: Array<{ client: OPCUAClient; session?: ClientSession }> = [];
const forced: string[] = [];

async function connect(options: Partial<OPCUAClientOptions> = {}, user: UserIdentityInfo = { type: UserTokenType.Anonymous }) {
  const client = OPCUAClient.create({
    endpointMustExist: false,
    clientCertificateManager: certificates,
    connectionStrategy: { maxRetry: 20, initialDelay: 100, maxDelay: 500 },
    ...options,
  });
  const entry: { client: OPCUAClient; session?: ClientSession } = { client };
  open.push(entry);
  await client.connect(plant.endpoints.opcua);
  entry.session = await client.createSession(user);
  return { client, session: entry.session };
}

async function read(session: ClientSession, nodeId: string): Promise<unknown> {
  const dataValue = await session.read({ nodeId, attributeId: AttributeIds.Value });
  expect(dataValue.statusCode).toBe(StatusCodes.Good);
  return dataValue.value.value;
}

function force(path: string, value: number | string): void {
  plant.force(path, value);
  forced.push(path);
}

function nextEvent(kind: PlantFaultEvent['kind']): Promise<PlantFaultEvent> {
  return new Promise((resolve) => {
    const off = plant.faults.onEvent((event) => {
      if (event.kind !== kind) return;
      off();
      resolve(event);
    });
  });
}

// N distinct values from a 100 ms subscription on one variable.
async function changes(session: ClientSession, nodeId: string, count: number): Promise<unknown[]> {
  const subscription = ClientSubscription.create(session, { requestedPublishingInterval: 100, requestedMaxKeepAliveCount: 10, publishingEnabled: true });
  const item = ClientMonitoredItem.create(
    subscription,
    { nodeId, attributeId: AttributeIds.Value },
    { samplingInterval: 100, discardOldest: true, queueSize: 10 },
    TimestampsToReturn.Both,
  );
  const values: unknown[] = [];
  await new Promise<void>((resolve) =>
    item.on('changed', (dataValue) => {
      values.push(dataValue.value.value);
      if (values.length === count) resolve();
    }),
  );
  await subscription.terminate();
  return values;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sim-opcua-test-'));
  certificates = new OPCUACertificateManager({ rootFolder: join(dir, 'client-pki'), automaticallyAcceptUnknownCertificate: true });
  plant = await startPlant({ servers: ['opcua'], ports: { opcua: 0 }, dataDir: join(dir, 'plant'), opcuaExtraVariables: { count: 50, periodMs: 100 } });
});
afterEach(async () => {
  for (const path of forced.splice(0)) plant.force(path, undefined);
  for (const { client, session } of open.splice(0)) {
    await session?.close().catch(() => undefined);
    await client.disconnect();
  }
});
afterAll(async () => {
  await plant?.stop();
  await certificates?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('OPC UA server', () => {
  it('offers None and Basic256Sha256 Sign / SignAndEncrypt endpoints on 127.0.0.1', async () => {
    expect(plant.endpoints.opcua).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+\/UA\/Plant$/);
    const { client } = await connect();
    const endpoints = await client.getEndpoints();
    const offered = endpoints.map((e) => `${MessageSecurityMode[e.securityMode]} ${e.securityPolicyUri?.split('#')[1]}`);
    expect(new Set(offered)).toEqual(new Set(['None None', 'Sign Basic256Sha256', 'SignAndEncrypt Basic256Sha256']));
    expect(endpoints.every((e) => e.endpointUrl === plant.endpoints.opcua)).toBe(true);
  });

  it('keeps its PKI inside dataDir', async () => {
    expect((await readdir(join(dir, 'plant', 'pki'))).sort()).toEqual(['server', 'user']);
  });

  it('browses Objects → Line1 → Machine1 to the machine variables', async () => {
    const { session } = await connect();
    const namespaces = (await read(session, 'i=2255')) as string[]; // Server.NamespaceArray
    expect(namespaces[1]).toBe('urn:plantwire:sim');
    const objects = await session.browse('i=85');
    expect(objects.references?.map((r) => r.browseName.toString())).toContain('1:Line1');
    const line = await session.browse('ns=1;s=Line1');
    expect(line.references?.map((r) => r.browseName.toString()).sort()).toEqual(['1:Machine1', '1:Machine2']); // Meter1 is MQTT-only
    const machine = await session.browse(M1);
    const names = machine.references?.map((r) => r.browseName.name) ?? [];
    expect(names).toEqual(expect.arrayContaining(['Temperature', 'Pressure', 'Speed', 'State', 'Setpoint', 'Alarm', 'AlarmMessage', 'PartCount']));
    const path = await session.translateBrowsePath({
      startingNode: 'i=85',
      relativePath: { elements: ['Line1', 'Machine1', 'Temperature'].map((name) => ({ referenceTypeId: 'i=33', isInverse: false, includeSubtypes: true, targetName: { namespaceIndex: 1, name } })) },
    });
    expect(path.targets?.[0]?.targetId.toString()).toBe(`${M1}.Temperature`);
  });

  it('reads measurements as Double, State as String, and the alarm with its message', async () => {
    const { session } = await connect();
    const temperature = await session.read({ nodeId: `${M1}.Temperature`, attributeId: AttributeIds.Value });
    expect(temperature.value.dataType).toBe(DataType.Double);
    expect(temperature.value.value).toBeGreaterThan(56);
    expect(temperature.value.value).toBeLessThan(74);
    for (const name of ['Pressure', 'Speed']) expect((await session.read({ nodeId: `${M1}.${name}` })).value.dataType).toBe(DataType.Double);

    force('Line1/Machine1/Temperature', 99.5);
    force('Line1/Machine1/State', 'Fault');
    expect(await read(session, `${M1}.Temperature`)).toBe(99.5);
    expect(await read(session, `${M1}.State`)).toBe('Fault');
    expect(await read(session, `${M1}.Alarm`)).toBe(true);
    expect(await read(session, `${M1}.AlarmMessage`)).toBe('Temperature above 72 degC');
    const sampling = await session.read({ nodeId: `${M1}.Temperature`, attributeId: AttributeIds.MinimumSamplingInterval });
    expect(sampling.value.value).toBe(100);
  });

  it('writes the setpoint, visible in tags(); refuses out-of-range and read-only writes', async () => {
    const { session } = await connect();
    const write = (nodeId: string, value: number) => session.write({ nodeId, attributeId: AttributeIds.Value, value: { value: { dataType: DataType.Double, value } } });
    expect(await write(`${M1}.Setpoint`, 75.5)).toBe(StatusCodes.Good);
    expect(plant.tags()['Line1/Machine1/Setpoint']).toBe(75.5);
    expect(await read(session, `${M1}.Setpoint`)).toBe(75.5);
    expect(await write(`${M1}.Setpoint`, 500)).toBe(StatusCodes.BadOutOfRange);
    expect(await write(`${M1}.Temperature`, 1)).toBe(StatusCodes.BadNotWritable);
    expect(plant.tags()['Line1/Machine1/Setpoint']).toBe(75.5);
  });

  it('delivers changes to a 100 ms subscription', async () => {
    const { session } = await connect();
    const values = await changes(session, `${M1}.Temperature`, 4);
    expect(new Set(values).size).toBe(4);
    for (const v of values) expect(typeof v).toBe('number');
  });

  it('accepts the scenario user over SignAndEncrypt and rejects a wrong password', async () => {
    const secure = { securityMode: MessageSecurityMode.SignAndEncrypt, securityPolicy: SecurityPolicy.Basic256Sha256 };
    const [user] = plant.scenario.opcua.users;
    expect(user).toBeDefined();
    const { client, session } = await connect(secure, { type: UserTokenType.UserName, userName: user!.username, password: user!.password });
    expect(typeof (await read(session, `${M1}.Temperature`))).toBe('number');
    await expect(client.createSession({ type: UserTokenType.UserName, userName: user!.username, password: 'wrong' })).rejects.toThrow(/BadUserAccessDenied/);
    const anonymous = await connect({ securityMode: MessageSecurityMode.Sign, securityPolicy: SecurityPolicy.Basic256Sha256 });
    expect(typeof (await read(anonymous.session, `${M1}.Speed`))).toBe('number');
  });

  it('takes more sessions than node-opcua’s default limit of 10', async () => {
    const { client } = await connect();
    const sessions = [];
    for (let i = 0; i < 12; i++) sessions.push(await client.createSession());
    open.push(...sessions.map((session) => ({ client, session })));
    expect(sessions).toHaveLength(12);
  });

  it('serves extra variables that change every period', async () => {
    const { session } = await connect();
    const folder = await session.browse('ns=1;s=Extra');
    expect(folder.references).toHaveLength(50);
    const values = (await changes(session, 'ns=1;s=Extra.V07', 3)) as number[];
    expect(values[1]! - values[0]!).toBe(1);
    expect(values[2]! - values[1]!).toBe(1);
  });

  it("silence('opcua') holds answers until the server answers again", async () => {
    const { session } = await connect();
    const order: string[] = [];
    const resumed = nextEvent('resumed').then(() => order.push('resumed'));
    plant.faults.silence('opcua', 400);
    await read(session, `${M1}.Speed`).then(() => order.push('answer'));
    await resumed;
    expect(order).toEqual(['resumed', 'answer']);
  });

  it("restart('opcua') drops the connection; the client reconnects to the same endpoint", async () => {
    const { client } = await connect();
    const lost = new Promise<void>((resolve) => client.once('connection_lost', () => resolve()));
    const back = new Promise<void>((resolve) => client.once('connection_reestablished', () => resolve()));
    await plant.faults.restart('opcua');
    await lost;
    await back;
    const session = await client.createSession();
    open.push({ client, session });
    expect(typeof (await read(session, `${M1}.Temperature`))).toBe('number');
    expect(plant.tags()['Line1/Machine1/Setpoint']).toBe(75.5); // setpoints survive a restart
  });
});
