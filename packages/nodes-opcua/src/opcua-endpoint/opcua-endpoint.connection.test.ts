import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TagValue } from '@plantwire/node-sdk';
import { runFlow } from '@plantwire/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opcuaConnections, opcuaNodes } from '../index.js';
import { connectEndpoint, plantServerFingerprints, SIM_USER, startOpcuaPlant } from '../opcua-test-support.js';
import type { CertificateFingerprints } from './fingerprint.js';
import { opcuaEndpoint } from './opcua-endpoint.connection.js';
import type { OpcuaEndpointClient } from './opcua-endpoint-client.js';
import { certificateFingerprints } from './fingerprint.js';

const MACHINE = 'ns=1;s=Line1.Machine1';

describe('opcua-endpoint against the simulated plant', () => {
  let env: Awaited<ReturnType<typeof startOpcuaPlant>>;
  let url: string;
  let plain: OpcuaEndpointClient;
  let server: CertificateFingerprints;

  beforeAll(async () => {
    env = await startOpcuaPlant();
    url = env.plant.endpoints.opcua;
    server = await plantServerFingerprints(env.dir);
    plain = (await connectEndpoint({ endpointUrl: url }, { dataDir: join(env.dir, 'plain') })).client;
  }, 60_000);
  afterAll(async () => {
    await plain?.dispose();
    await env?.close();
  });

  it('generates its client certificate into the connection data directory', () => {
    expect(existsSync(join(env.dir, 'plain', 'pki', 'own', 'certs', 'client_certificate.pem'))).toBe(true);
  });

  it('reads the Temperature with quality and timestamps', async () => {
    const [dv] = await plain.read([`${MACHINE}.Temperature`]);
    expect(dv!.statusCode.name).toBe('Good');
    expect(typeof dv!.value.value).toBe('number');
  });

  it('resolves a variable data type once and writes the Setpoint', async () => {
    const dataType = await plain.dataTypeOf(`${MACHINE}.Setpoint`);
    expect(dataType).toBe(11); // Double
    expect(await plain.write(`${MACHINE}.Setpoint`, dataType, 71.5)).toEqual({ good: true, status: 'Good' });
    expect(env.plant.tags()['Line1/Machine1/Setpoint']).toBe(71.5);
    const refused = await plain.write(`${MACHINE}.Setpoint`, dataType, 999);
    expect(refused).toEqual({ good: false, status: 'BadOutOfRange' });
  });

  it('browses the machine object page by page with continuation points', async () => {
    const first = await plain.browse(MACHINE, { maxReferences: 4 });
    expect(first.children).toHaveLength(4);
    expect(first.continuationPoint).toBeTypeOf('string');
    const all = [...first.children];
    let page = first;
    while (page.continuationPoint) {
      page = await plain.browse(MACHINE, { maxReferences: 4, continuationPoint: page.continuationPoint });
      expect(page.children.length).toBeLessThanOrEqual(4);
      all.push(...page.children);
    }
    const names = all.map((c) => c.browseName);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['1:Temperature', '1:Setpoint', '1:Running', '1:AlarmMessage']));
    const temperature = all.find((c) => c.browseName === '1:Temperature')!;
    expect(temperature).toMatchObject({ nodeId: `${MACHINE}.Temperature`, displayName: 'Temperature', nodeClass: 'Variable', dataType: 'ns=0;i=11' });
    const whole = await plain.browse(MACHINE);
    expect(whole.continuationPoint).toBeUndefined();
    expect(whole.children.map((c) => c.browseName).sort()).toEqual([...names].sort());
  });

  it('says which node cannot be browsed', async () => {
    await expect(plain.browse('ns=1;s=NoSuchThing')).rejects.toThrow(/cannot browse "ns=1;s=NoSuchThing": BadNodeIdUnknown/);
    await expect(plain.browse('not a node id')).rejects.toThrow(/not a valid NodeId/);
  });

  it('refuses an untrusted server certificate and names its fingerprint', async () => {
    const config = { endpointUrl: url, securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256' };
    const error = await connectEndpoint(config, { dataDir: join(env.dir, 'plain') }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toContain(
      `not trusted: to trust it, add its fingerprint to trustedServerCertificates of connection "plc": SHA-256 ${server.sha256} (or SHA-1 ${server.sha1})`,
    );
    expect(server.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('opens a SignAndEncrypt session as a user once the certificate is trusted by fingerprint', async () => {
    const sha256 = server.sha256;
    const { client } = await connectEndpoint(
      {
        endpointUrl: url,
        securityMode: 'SignAndEncrypt',
        securityPolicy: 'Basic256Sha256',
        userIdentity: 'username',
        username: SIM_USER.username,
        trustedServerCertificates: [sha256.toLowerCase()],
      },
      { dataDir: join(env.dir, 'plain'), password: SIM_USER.password },
    );
    try {
      expect(client.serverCertificate?.sha256).toBe(sha256);
      expect((client.session as unknown as { userIdentityInfo?: unknown }).userIdentityInfo).toMatchObject({ userName: SIM_USER.username });
      const [dv] = await client.read([`${MACHINE}.Temperature`]);
      expect(dv!.statusCode.name).toBe('Good');
      expect(certificateFingerprints(client.client.serverCertificate as Buffer).sha256).toBe(sha256);
    } finally {
      await client.dispose();
    }
  });

  it('serves a flow: SignAndEncrypt, user from the config, password from the credential store, SHA-1 trust', async () => {
    const document = {
      version: 1,
      connections: [
        {
          id: 'secure-plc',
          type: 'opcua-endpoint',
          config: { endpointUrl: url, securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256', userIdentity: 'username', username: SIM_USER.username, trustedServerCertificates: [server.sha1] },
        },
      ],
      nodes: [{ id: 'read', type: 'opcua-read', config: { endpoint: 'secure-plc', nodeIds: [`${MACHINE}.Temperature`] } }],
      wires: [],
    };
    const flow = await runFlow(document, {
      nodeTypes: opcuaNodes,
      connectionTypes: opcuaConnections,
      dataDir: join(env.dir, 'runtime'),
      credentials: { 'secure-plc': { password: SIM_USER.password } },
    });
    try {
      await flow.waitFor(() => flow.runtime.connections().some((c) => c.id === 'secure-plc' && c.state === 'connected'), { timeoutMs: 15_000 });
      flow.inject('read', { payload: 'go' });
      const out = await flow.next('read', { timeoutMs: 5000 });
      expect((out.payload as TagValue).quality).toBe('good');
      expect(existsSync(join(env.dir, 'runtime', 'connections', 'secure-plc', 'pki', 'own', 'certs', 'client_certificate.pem'))).toBe(true);
      expect(JSON.stringify(flow.logs)).not.toContain(SIM_USER.password);
    } finally {
      await flow.stop();
    }
  }, 30_000);

  it('names the security settings the server offers when the configured ones are not among them', async () => {
    const config = { endpointUrl: url, securityMode: 'Sign', securityPolicy: 'Aes256_Sha256_RsaPss', trustedServerCertificates: [server.sha256] };
    await expect(connectEndpoint(config, { dataDir: join(env.dir, 'plain') })).rejects.toThrow(
      /offers no endpoint with security Sign\/Aes256_Sha256_RsaPss; it offers .*SignAndEncrypt\/Basic256Sha256/,
    );
  });

  it('reads the server operation limits once, with defaults where the server publishes none', async () => {
    const limits = await plain.operationLimits();
    expect(limits.maxMonitoredItemsPerCall).toBeGreaterThan(0);
    expect(limits.maxMonitoredItemsPerCall).toBeLessThanOrEqual(1000);
    expect(plain.operationLimits()).toBe(plain.operationLimits());
  });

  it('refuses a wrong password', async () => {
    const config = { endpointUrl: url, userIdentity: 'username', username: SIM_USER.username };
    await expect(connectEndpoint(config, { dataDir: join(env.dir, 'plain'), password: 'wrong' })).rejects.toThrow(/cannot connect to OPC UA server .*Bad/);
  });

  it('rejects contradictory security settings in the config', () => {
    const result = opcuaEndpoint.config.safeParse({ endpointUrl: url, securityMode: 'Sign', securityPolicy: 'None' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['securityPolicy'] });
  });
});
