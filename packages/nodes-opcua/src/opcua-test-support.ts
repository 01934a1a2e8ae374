import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionContext } from '@plantwire/node-sdk';
import { startPlant, type Plant } from '@plantwire/sim';
import { certificateFingerprints, type CertificateFingerprints } from './opcua-endpoint/fingerprint.js';
import { opcuaEndpoint } from './opcua-endpoint/opcua-endpoint.connection.js';
import type { OpcuaEndpointClient } from './opcua-endpoint/opcua-endpoint-client.js';

/** The default scenario's OPC UA login (a test value of the sim, not a secret). */
export const SIM_USER = { username: 'operator', password: 'sim-only-not-a-secret' } as const;

/** A plant with only its OPC UA server, in its own temp dir; `close()` stops it and removes the dir. */
export async function startOpcuaPlant(): Promise<{ plant: Plant; dir: string; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'plantwire-nodes-opcua-'));
  const plant = await startPlant({ servers: ['opcua'], ports: { opcua: 0 }, dataDir: join(dir, 'plant') });
  return {
    plant,
    dir,
    async close() {
      await plant.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Connect an `opcua-endpoint` directly (without a runtime), as the runtime would; `lost` records ctx.lost calls. */
export async function connectEndpoint(
  config: Record<string, unknown>,
  options: { dataDir: string; password?: string; id?: string },
): Promise<{ client: OpcuaEndpointClient; lost: unknown[]; ctx: ConnectionContext<any, any> }> {
  const lost: unknown[] = [];
  const ctx = endpointContext(config, options, lost);
  const client = await opcuaEndpoint.connect(ctx);
  return { client, lost, ctx };
}

/** A ConnectionContext for the `opcua-endpoint` type, config parsed by its schema. */
export function endpointContext(config: Record<string, unknown>, options: { dataDir: string; password?: string; id?: string }, lost: unknown[] = []): ConnectionContext<any, any> {
  const noop = () => undefined;
  return {
    id: options.id ?? 'plc',
    type: opcuaEndpoint.type,
    name: undefined,
    config: opcuaEndpoint.config.parse(config),
    credentials: options.password === undefined ? {} : { password: options.password },
    lost: (reason) => void lost.push(reason),
    log: { debug: noop, info: noop, warn: noop, error: noop },
    signal: new AbortController().signal,
    dataDir: options.dataDir,
  };
}

/** The fingerprints of the plant's server certificate, read from its PKI folder (what an admin would look up on the server). */
export async function plantServerFingerprints(dir: string): Promise<CertificateFingerprints> {
  const pem = await readFile(join(dir, 'plant', 'pki', 'server', 'own', 'certs', 'certificate.pem'), 'utf8');
  const body = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem)?.[1];
  if (!body) throw new Error('the plant has no server certificate in PEM form');
  return certificateFingerprints(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
}
