import type { ValidationIssue } from '@plantwire/flow';
import type { NodeRegistry } from '@plantwire/node-sdk';
import type { FlowsDeployedEvent, Role } from '@plantwire/protocol';
import type { Runtime } from '@plantwire/runtime';
import type { AuditLog } from './audit/audit-log.js';
import type { LoginRateLimiter } from './auth/login-rate-limiter.js';
import type { SessionStore } from './auth/session-store.js';
import type { FlowStore } from './flow-store.js';
import type { HttpLibraries } from './http/http-libraries.js';
import type { ServerLogger, ServerUser } from './server-options.js';

/** What the routes and the live channel share: the runtime handed in, never imported (STYLE.md). */
export interface ServerContext {
  readonly runtime: Runtime;
  /** express and socket.io, loaded when the server starts (see loadHttpLibraries). */
  readonly http: HttpLibraries;
  readonly store: FlowStore;
  readonly registry: NodeRegistry;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly documentEnv: Readonly<Record<string, string>> | undefined;
  readonly logger: ServerLogger;
  /** Undefined: authentication is off. */
  readonly users: readonly ServerUser[] | undefined;
  readonly sessions: SessionStore;
  readonly loginLimiter: LoginRateLimiter;
  readonly publicMetrics: boolean;
  /** The least role for a deploy that adds or changes a device-writing node; undefined: no such rule (auth off, or turned off). */
  readonly privilegedDeployRole: Role | undefined;
  /** `<dataDir>/audit.log` (memory only without a data dir). */
  readonly audit: AuditLog;
  /**
   * Who deployed what runs now, for device entries of the audit log. Set just before the runtime
   * deploys, so writes made by nodes that start during the deploy name the new deploy.
   */
  readonly running: { user: string; revision: string | undefined };
  readonly startedAt: number;
  state(): 'ok' | 'stopping';
  /** Tell every editor a deploy happened (socket `flows:deployed`). */
  broadcastDeployed(event: FlowsDeployedEvent): void;
}

/** What a request is allowed to do: with auth off, everything. */
export const ROLE_RANK: Readonly<Record<Role, number>> = { viewer: 0, editor: 1, admin: 2 };

/** The document with the server's env overlay (`documentEnv`) over its own `env`, as it is deployed and validated. */
export function withDocumentEnv(document: unknown, documentEnv: Readonly<Record<string, string>> | undefined): unknown {
  if (documentEnv === undefined || typeof document !== 'object' || document === null || Array.isArray(document)) return document;
  const env = (document as { env?: unknown }).env;
  const own = typeof env === 'object' && env !== null && !Array.isArray(env) ? env : {};
  return { ...document, env: { ...own, ...documentEnv } };
}

/** Errors first, so a reader sees what blocks before what merely warns. */
export function errorsOf(issues: readonly ValidationIssue[]): ValidationIssue[] {
  return issues.filter((i) => i.severity === 'error');
}
