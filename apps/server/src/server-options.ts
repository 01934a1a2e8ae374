import type { AnyConnectionType, AnyNodeType } from '@plantwire/node-sdk';
import type { Role } from '@plantwire/protocol';
import type { Runtime, RuntimeLogger } from '@plantwire/runtime';

/** One user who may log in. The password is stored only as a hash (`plantwire hash-password`). */
export interface ServerUser {
  readonly name: string;
  /** viewer: reads flows, sees debug; editor: also deploys, injects, tests; admin: everything. */
  readonly role: Role;
  /** `scrypt$N$r$p$salt$hash`. */
  readonly passwordHash: string;
}

/** Options of {@link createPlantwireServer}. */
export interface PlantwireServerOptions {
  readonly nodeTypes: readonly AnyNodeType[];
  readonly connectionTypes?: readonly AnyConnectionType[];
  /** Where flows.json, credentials and context live; absent: memory only. */
  readonly dataDir?: string;
  /** The runtime's environment for `${NAME}` (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Variables set over the document's own `env` at every deploy and validation, never stored in
   * flows.json nor exported (e.g. `plantwire start` pointing the flow at its simulated plant).
   */
  readonly documentEnv?: Readonly<Record<string, string>>;
  /** Default 127.0.0.1. Another interface needs `auth` or `allowInsecureExposure`. */
  readonly host?: string;
  /** Default 1880; 0 picks a free port. */
  readonly port?: number;
  /** Users who may log in; undefined: authentication is off (fine on 127.0.0.1 only). */
  readonly auth?: readonly ServerUser[];
  /** Listen on a non-loopback interface without auth anyway (the `--insecure-expose` flag). */
  readonly allowInsecureExposure?: boolean;
  /** The built editor (index.html and assets). Missing: `/` tells how to build it. */
  readonly editorDir?: string;
  /** Largest accepted request body in bytes. Default 5 MB. */
  readonly bodyLimit?: number;
  /** The document to run when the data dir has no flows.json yet (default: an empty flow). */
  readonly initialDocument?: unknown;
  readonly logger?: ServerLogger;
  /** Session lifetime. Default 12 h. */
  readonly sessionTtlMs?: number;
  /** Serve `/metrics` without a token even when auth is on (a scraper on a trusted network). Default false. */
  readonly publicMetrics?: boolean;
  /** Debug messages forwarded per client per second (token bucket, burst of the same size). Default 100. */
  readonly debugRatePerClient?: number;
  /**
   * The least role that may deploy a flow adding or changing a node that writes to devices (a type
   * with `privileged`, e.g. modbus-write, opcua-write). Default with auth on: `admin`; `false`
   * turns the rule off (editors deploy anything). Ignored with auth off (docs/security.md#elevation).
   */
  readonly privilegedDeployRole?: Role | false;
  /** Runtime tuning (drain bound on close etc.). */
  readonly runtime?: { readonly drainTimeoutMs?: number; readonly connectTimeoutMs?: number };
}

/** Where the server's own log lines go; the CLI's JSON logger fits. */
export interface ServerLogger extends RuntimeLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A running server. */
export interface PlantwireServer {
  /** `http://127.0.0.1:1880` (the bound port). */
  readonly url: string;
  readonly port: number;
  readonly runtime: Runtime;
  /** Stop the runtime (drained), close sockets and the HTTP server. Idempotent. */
  close(): Promise<void>;
}
