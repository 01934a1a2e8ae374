import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { validate } from '@plantwire/flow';
import { createRegistry } from '@plantwire/node-sdk';
import { createRuntime, type Runtime } from '@plantwire/runtime';
import { createApp } from './app.js';
import { createAuditLog } from './audit/audit-log.js';
import { recordDeviceAudits } from './audit/record-device-audits.js';
import { createLoginRateLimiter } from './auth/login-rate-limiter.js';
import { parsePasswordHash } from './auth/password-hash.js';
import { createSessionStore } from './auth/session-store.js';
import { createFlowStore, EMPTY_DOCUMENT } from './flow-store.js';
import { loadHttpLibraries } from './http/http-libraries.js';
import { isLoopback } from './http/is-allowed-host.js';
import { createLiveChannel } from './live/live-channel.js';
import { withDocumentEnv, type ServerContext } from './server-context.js';
import type { PlantwireServer, PlantwireServerOptions, ServerLogger } from './server-options.js';

/** Thrown before anything listens when the options would expose the editor unsafely or are unusable. */
export class ServerConfigError extends Error {
  readonly code: 'INSECURE_EXPOSURE' | 'AUTH_INVALID' | 'DATA_DIR_UNUSABLE';
  constructor(code: ServerConfigError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServerConfigError';
    this.code = code;
  }
}

const silentLogger: ServerLogger = { log() {}, info() {}, warn() {}, error() {} };

/**
 * Start the Plantwire server: one runtime running the stored flow, the REST API under `/api`,
 * the live channel (socket.io), `/health`, `/metrics` and the editor's files.
 *
 * @example
 * const server = await createPlantwireServer({ nodeTypes: coreNodes, port: 0 });
 * console.log(server.url); // http://127.0.0.1:41234
 * await server.close();
 */
export async function createPlantwireServer(options: PlantwireServerOptions): Promise<PlantwireServer> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? silentLogger;
  const auth = options.auth;
  if (!isLoopback(host) && auth === undefined && options.allowInsecureExposure !== true) {
    throw new ServerConfigError(
      'INSECURE_EXPOSURE',
      `refusing to listen on ${host} without authentication: anyone who can reach it could deploy flows that write to your devices. Set an admin password (PLANTWIRE_ADMIN_PASSWORD_HASH from "plantwire hash-password"), or listen on 127.0.0.1, or force it with --insecure-expose`,
    );
  }
  for (const user of auth ?? []) {
    try {
      parsePasswordHash(user.passwordHash);
    } catch (err) {
      throw new ServerConfigError('AUTH_INVALID', `the password hash of user "${user.name}" is unusable: ${(err as Error).message}`);
    }
  }

  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  let store;
  try {
    store = await createFlowStore({ dataDir, initial: options.initialDocument ?? EMPTY_DOCUMENT });
  } catch (err) {
    throw new ServerConfigError('DATA_DIR_UNUSABLE', (err as Error).message, { cause: err });
  }
  const env = options.env ?? process.env;
  const connectionTypes = options.connectionTypes ?? [];
  const runtime: Runtime = createRuntime({
    nodeTypes: options.nodeTypes,
    connectionTypes,
    env,
    logger,
    ...(dataDir === undefined ? {} : { dataDir }),
    ...(options.runtime?.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: options.runtime.drainTimeoutMs }),
    ...(options.runtime?.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.runtime.connectTimeoutMs }),
  });

  const registry = createRegistry(options.nodeTypes, connectionTypes);
  const audit = createAuditLog({ dataDir, onError: (err) => logger.error('the audit log could not be written', { error: err.message }) });
  let state: 'ok' | 'stopping' = 'ok';
  let live: ReturnType<typeof createLiveChannel> | undefined;
  const ctx: ServerContext = {
    runtime,
    http: await loadHttpLibraries(),
    store,
    registry,
    env,
    documentEnv: options.documentEnv,
    logger,
    users: auth,
    sessions: createSessionStore(options.sessionTtlMs === undefined ? {} : { ttlMs: options.sessionTtlMs }),
    loginLimiter: createLoginRateLimiter(),
    publicMetrics: options.publicMetrics ?? false,
    privilegedDeployRole: auth === undefined || options.privilegedDeployRole === false ? undefined : (options.privilegedDeployRole ?? 'admin'),
    audit,
    // The flow loaded at start was deployed by someone in an earlier run; this run names it "system".
    running: { user: 'system', revision: undefined },
    startedAt: Date.now(),
    state: () => state,
    broadcastDeployed: (event) => live?.broadcastDeployed(event),
  };

  const stopAuditing = recordDeviceAudits(ctx);
  // The stored flow runs at once; an invalid one is logged and kept, so the editor can load and fix it.
  const initial = await runtime.deploy(withDocumentEnv(store.current().document, options.documentEnv));
  if (initial.ok) {
    // The initial document becomes flows.json, so its revision is the file's from the start.
    const migrated = validate(store.current().document, { nodeTypes: (type) => registry.info(type), env: { ...env, ...options.documentEnv } }).document;
    if (!store.persisted && dataDir !== undefined && migrated) await store.save(migrated);
    logger.info('flow deployed', { revision: store.current().revision, nodes: initial.started.length, warnings: initial.warnings.length });
  }
  else logger.error('the stored flow is invalid; nothing runs until a valid one is deployed', { errors: initial.issues.filter((i) => i.severity === 'error').slice(0, 20) });

  // Loopback: only our own names in Host (DNS rebinding). Elsewhere the operator's names are unknown; auth guards it.
  const allowedHosts = isLoopback(host) ? ['127.0.0.1', 'localhost', '[::1]', host] : undefined;
  const app = createApp(ctx, { bodyLimit: options.bodyLimit ?? 5 * 1024 * 1024, editorDir: options.editorDir, allowedHosts });
  const httpServer = createServer(app);
  // Slow-loris bounds: a client must send its headers and body promptly.
  httpServer.headersTimeout = 20_000;
  httpServer.requestTimeout = 60_000;
  live = createLiveChannel(httpServer, ctx, { debugRatePerClient: options.debugRatePerClient ?? 100, allowedHosts });

  try {
    await new Promise<void>((done, fail) => {
      httpServer.once('error', fail);
      httpServer.listen(options.port ?? 1880, host, () => {
        httpServer.off('error', fail);
        done();
      });
    });
  } catch (err) {
    await live.close();
    await runtime.stop({ drainTimeoutMs: 0 });
    stopAuditing();
    await audit.close();
    throw err;
  }
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info('server listening', { url, auth: auth === undefined ? 'off' : 'on' });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    runtime,
    close() {
      closing ??= (async () => {
        state = 'stopping';
        const report = await runtime.stop(options.runtime?.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: options.runtime.drainTimeoutMs });
        logger.info('runtime stopped', { drained: report.drained, remaining: report.remaining });
        await live?.close();
        await new Promise<void>((done) => {
          httpServer.close(() => done());
          httpServer.closeAllConnections();
        });
        stopAuditing();
        await audit.close();
      })();
      return closing;
    },
  };
}
