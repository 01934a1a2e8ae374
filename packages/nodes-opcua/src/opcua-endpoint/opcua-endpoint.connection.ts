import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConnection, type ConnectionContext } from '@plantwire/node-sdk';
import type { OPCUACertificateManager, OPCUAClient, UserIdentityInfo } from 'node-opcua';
import * as z from 'zod';
import { loadOpcua } from '../load-opcua.js';
import { certificateFingerprints, isFingerprintTrusted, type CertificateFingerprints } from './fingerprint.js';
import { OpcuaEndpointClient } from './opcua-endpoint-client.js';
import { formatSeconds, ServerSilence } from './server-silence.js';

const securityModes = ['None', 'Sign', 'SignAndEncrypt'] as const;
const securityPolicies = ['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'] as const;

const config = z
  .object({
    endpointUrl: z
      .string()
      .regex(/^opc\.tcp:\/\/[^\s/]+/, 'expected an OPC UA endpoint URL: opc.tcp://host:port/path')
      .meta({ title: 'Endpoint URL', examples: ['opc.tcp://127.0.0.1:4840/UA/Plant'] }),
    securityMode: z.enum(securityModes).default('None').meta({ title: 'Security mode', description: 'None, Sign, or SignAndEncrypt (signed and encrypted messages).' }),
    securityPolicy: z.enum(securityPolicies).default('None').meta({ title: 'Security policy', description: 'Must be None with security mode None, and not None otherwise.' }),
    userIdentity: z.enum(['anonymous', 'username']).default('anonymous').meta({ title: 'User identity', description: 'With `username`, the password is a credential of this connection.' }),
    username: z.string().min(1).optional().meta({ title: 'User name' }),
    trustedServerCertificates: z
      .array(z.string().regex(/^(sha-?(1|256)\s*[:=]\s*)?[0-9a-fA-F:\s-]+$/i, 'expected a SHA-1 or SHA-256 fingerprint in hex, e.g. "AB:CD:…"'))
      .default([])
      .meta({
        title: 'Trusted server certificates',
        description:
          'SHA-1 or SHA-256 fingerprints of the server certificates to trust (`AB:CD:…`). Needed for Sign and SignAndEncrypt: an untrusted server is refused, and the error names the fingerprint to add here.',
      }),
    sessionTimeoutMs: z.int().min(1000).max(3_600_000).default(60_000).meta({ title: 'Session timeout (ms)', unit: 'ms', description: 'How long the server keeps the session (and its subscriptions) after the link drops.' }),
    responseTimeoutMs: z
      .int()
      .min(1000)
      .max(600_000)
      .default(5000)
      .meta({
        title: 'Response timeout (ms)',
        unit: 'ms',
        description:
          'How long the server may send nothing at all (no response, no publish, no keep-alive) before the link counts as down, though its TCP connection is still open: the nodes then report bad values ("no response from the server for … s") and the runtime reconnects. The client asks the server for its state after a third of this without an answer, so a healthy idle server is never taken for a silent one.',
      }),
  })
  .superRefine((c, issue) => {
    if ((c.securityMode === 'None') !== (c.securityPolicy === 'None')) {
      issue.addIssue({ code: 'custom', path: ['securityPolicy'], message: `security mode ${c.securityMode} needs ${c.securityMode === 'None' ? 'security policy None' : 'a security policy other than None'}` });
    }
    if (c.userIdentity === 'username' && !c.username) {
      issue.addIssue({ code: 'custom', path: ['username'], message: 'user identity "username" needs a user name' });
    }
  });

const credentials = z.object({
  password: z.string().optional().meta({ title: 'Password', secret: true }),
});

type Config = z.output<typeof config>;
type Ctx = ConnectionContext<Config, z.output<typeof credentials>>;

// Without a runtime data directory, one temp folder per connection id for the life of the
// process, so reconnects reuse the key pair instead of generating one each time.
const tempFolders = new Map<string, Promise<string>>();

/**
 * The certificate manager's folder: `<connection dataDir>/pki`; for a memory-only runtime, a temp
 * folder (the client certificate then changes with each process, so a server that pins client
 * certificates must be given a dataDir).
 */
function pkiFolder(ctx: Ctx): Promise<string> {
  if (ctx.dataDir) return Promise.resolve(join(ctx.dataDir, 'pki'));
  let folder = tempFolders.get(ctx.id);
  if (!folder) {
    folder = mkdtemp(join(tmpdir(), 'plantwire-opcua-')).then((dir) => join(dir, 'pki'));
    tempFolders.set(ctx.id, folder);
  }
  return folder;
}

/** The Objects folder (OPC UA Part 5): where a server's own objects start, and where browsing starts. */
const OBJECTS_FOLDER = 'i=85';

const CONNECTION_STRATEGY = {
  // maxRetry 0 switches node-opcua's own reconnection off (`reconnectOnFailure` is false): a
  // broken channel emits 'connection_lost' + 'close' instead of being repaired. The runtime then
  // reconnects with a new client and session, and nodes subscribe afresh in `onConnected`. Letting
  // node-opcua repair the channel as well would race the runtime and, on a repaired session,
  // transfer the old subscriptions next to the new ones: two live subscriptions after a restart.
  maxRetry: 0,
  initialDelay: 100,
  maxDelay: 1000,
};

/**
 * Make sure the server at the endpoint presents a certificate whose fingerprint is listed in the
 * config, and put it into the client's trusted store (node-opcua checks the store when it opens
 * the secure channel). Asks the server's endpoints over an unsecured discovery channel, as
 * node-opcua itself does. Throws, naming both fingerprints, when the certificate is not listed.
 */
async function trustServer(ctx: Ctx, cm: OPCUACertificateManager): Promise<CertificateFingerprints> {
  const opcua = await loadOpcua();
  const { endpointUrl, securityMode, securityPolicy } = ctx.config;
  const discovery = opcua.OPCUAClient.create({
    applicationName: 'Plantwire',
    clientCertificateManager: cm,
    endpointMustExist: false,
    connectionStrategy: CONNECTION_STRATEGY,
  });
  const abort = () => void discovery.disconnect().catch(() => undefined);
  ctx.signal.addEventListener('abort', abort, { once: true });
  let endpoints;
  try {
    await discovery.connect(endpointUrl);
    endpoints = await discovery.getEndpoints();
  } finally {
    ctx.signal.removeEventListener('abort', abort);
    await discovery.disconnect().catch(() => undefined);
  }
  const wantedMode = opcua.MessageSecurityMode[securityMode];
  const wantedPolicy = opcua.SecurityPolicy[securityPolicy];
  const endpoint = endpoints.find((e) => e.securityMode === wantedMode && e.securityPolicyUri === wantedPolicy);
  if (!endpoint) {
    const offered = endpoints.map((e) => `${opcua.MessageSecurityMode[e.securityMode]}/${String(e.securityPolicyUri).split('#')[1] ?? e.securityPolicyUri}`);
    throw new Error(`OPC UA server ${endpointUrl} offers no endpoint with security ${securityMode}/${securityPolicy}; it offers ${[...new Set(offered)].join(', ')}`);
  }
  const der = endpoint.serverCertificate;
  if (!der || der.length === 0) throw new Error(`OPC UA server ${endpointUrl} advertises no certificate for ${securityMode}/${securityPolicy}`);
  const fingerprints = certificateFingerprints(der);
  if (!isFingerprintTrusted(der, ctx.config.trustedServerCertificates)) {
    throw new Error(
      `OPC UA server ${endpointUrl} presented a certificate that is not trusted: to trust it, add its fingerprint to ` +
        `trustedServerCertificates of connection "${ctx.id}": SHA-256 ${fingerprints.sha256} (or SHA-1 ${fingerprints.sha1})`,
    );
  }
  await cm.trustCertificate(der);
  return fingerprints;
}

function userIdentity(ctx: Ctx, opcua: typeof import('node-opcua')): UserIdentityInfo {
  if (ctx.config.userIdentity === 'anonymous') return { type: opcua.UserTokenType.Anonymous };
  if (ctx.credentials.password === undefined) {
    throw new Error(`connection "${ctx.id}" logs in as "${ctx.config.username}" but has no password: set the credential "password"`);
  }
  return { type: opcua.UserTokenType.UserName, userName: ctx.config.username!, password: ctx.credentials.password };
}

/**
 * An OPC UA server endpoint: one node-opcua client and one session, shared by every node that
 * references the entry. Security None, Sign or SignAndEncrypt; anonymous or user/password login
 * (the password is a credential). The client certificate is generated on first use into the
 * connection's data directory (`<dataDir>/connections/<id>/pki`), and server certificates are
 * trusted only by the fingerprints listed in the config: no files to copy.
 *
 * Reconnection belongs to the runtime: node-opcua's is off (`maxRetry: 0`). When the channel or the
 * session dies (`connection_lost`, `close`, `session_closed`, a failed session keep-alive), or the
 * server answers nothing for `responseTimeoutMs` while TCP stays open (a stalled link), the
 * connection reports `ctx.lost`, the runtime disposes the client (deleting its subscriptions when
 * the server is still there) and connects a new one after a backoff; `opcua-subscribe` nodes
 * create their subscription again in `onConnected`, once per connect.
 */
export const opcuaEndpoint = defineConnection({
  type: 'opcua-endpoint',
  version: 1,
  summary: 'An OPC UA server endpoint (one client and session shared by its nodes).',
  description: [
    '## A silent server',
    '',
    'A server that stops answering while its TCP connection stays open (a hung server, a stalled route) counts as lost after `responseTimeoutMs` (default 5000 ms) without any answer: response, publish or keep-alive. Its nodes then show a red badge, every `opcua-subscribe` item gets one message with quality `bad`, `value: null` and a `reason` such as `not connected (connection lost: no response from the OPC UA server for 5 s …)`, and the runtime reconnects with backoff; once the server answers again the subscriptions are made afresh, one per node.',
    '',
    'So that a healthy server with nothing to publish is not taken for a silent one, the client reads the server state (the session keep-alive) after a third of `responseTimeoutMs` without an answer (sooner when two thirds of `sessionTimeoutMs` is shorter, so the server never closes an idle session). Lower `responseTimeoutMs` to notice a stall sooner; raise it for a server that is slow to answer under load.',
  ].join('\n'),
  icon: 'server',
  config,
  credentials,
  // A first connect generates the client's RSA key pair (≈1–2 s on a loaded machine) before the handshake.
  connectTimeoutMs: 20_000,
  async connect(ctx) {
    const opcua = await loadOpcua();
    const identity = userIdentity(ctx, opcua);
    const cm = new opcua.OPCUACertificateManager({ rootFolder: await pkiFolder(ctx), automaticallyAcceptUnknownCertificate: false });
    let client: OPCUAClient | undefined;
    const abort = () => void client?.disconnect().catch(() => undefined);
    ctx.signal.addEventListener('abort', abort, { once: true });
    try {
      await cm.initialize();
      const secured = ctx.config.securityMode !== 'None';
      const fingerprints = secured ? await trustServer(ctx, cm) : undefined;
      client = opcua.OPCUAClient.create({
        applicationName: 'Plantwire',
        clientCertificateManager: cm,
        securityMode: opcua.MessageSecurityMode[ctx.config.securityMode],
        securityPolicy: opcua.SecurityPolicy[ctx.config.securityPolicy],
        endpointMustExist: false,
        connectionStrategy: CONNECTION_STRATEGY,
        // The session keep-alive reads the server state after a third of the response timeout
        // without an answer, so a silent server (a stalled link) is one that stops answering it.
        keepSessionAlive: true,
        keepAliveInterval: ServerSilence.keepAliveIntervalFor(ctx.config.responseTimeoutMs, ctx.config.sessionTimeoutMs),
        requestedSessionTimeout: ctx.config.sessionTimeoutMs,
      });
      await client.connect(ctx.config.endpointUrl);
      if (ctx.signal.aborted) throw new Error('connect aborted');
      const session = await client.createSession(identity);
      const wrapper = new OpcuaEndpointClient(ctx.config.endpointUrl, client, session, cm, fingerprints);
      const lost = (why: string) => () => {
        if (wrapper.isOpen) ctx.lost(new Error(`OPC UA ${why} (${ctx.config.endpointUrl})`));
      };
      client.on('connection_lost', lost('connection lost'));
      client.on('close', lost('connection closed'));
      session.on('session_closed', lost('session closed'));
      session.on('keepalive_failure', lost('session keep-alive failed'));
      // node-opcua notices a server that went silent (TCP still open) only when a request times out,
      // ≥ 5 s after the keep-alive's next read and far later for publish requests: count the silence.
      wrapper.watchServer(ctx.config.responseTimeoutMs, (silentMs) => {
        if (wrapper.isOpen) ctx.lost(new Error(`no response from the OPC UA server for ${formatSeconds(silentMs)} (${ctx.config.endpointUrl}; responseTimeoutMs ${ctx.config.responseTimeoutMs})`));
      });
      return wrapper;
    } catch (err) {
      await client?.disconnect().catch(() => undefined);
      await cm.dispose().catch(() => undefined);
      const message = err instanceof Error ? err.message : String(err);
      // Our own errors (untrusted certificate, no such endpoint) already name the server.
      throw new Error(message.startsWith('OPC UA server ') ? message : `cannot connect to OPC UA server ${ctx.config.endpointUrl}: ${message}`, { cause: err });
    } finally {
      ctx.signal.removeEventListener('abort', abort);
    }
  },
  async disconnect(client) {
    await client.dispose();
  },
  // The editor's browse dialog, on the session the nodes use: a browse is a plain service call
  // beside their subscriptions. The page size is per request (see browse.ts), not per session.
  async browse(client, request) {
    const node = request.node ?? OBJECTS_FOLDER;
    const page = await client.browse(node, {
      ...(request.maxItems === undefined ? {} : { maxReferences: request.maxItems }),
      ...(request.continuationPoint === undefined ? {} : { continuationPoint: request.continuationPoint }),
    });
    return {
      node,
      // BrowseChild and the protocol's BrowseItem are the same shape; copied field by field so a change of either shows here.
      items: page.children.map((c) => ({ nodeId: c.nodeId, browseName: c.browseName, displayName: c.displayName, nodeClass: c.nodeClass, ...(c.dataType === undefined ? {} : { dataType: c.dataType }) })),
      ...(page.continuationPoint === undefined ? {} : { continuationPoint: page.continuationPoint }),
    };
  },
});
