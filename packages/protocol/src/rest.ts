/**
 * The admin REST API under `/api`: request and response bodies, shared by apps/server and
 * apps/editor. Every error response is an {@link ApiError}.
 */
import type { ConnectionEntry, FlowDocument, ValidationIssue } from '@plantwire/flow';
import type { ConnectionManifest, NodeManifest } from './manifests.js';

/** Error codes of the API (docs/api.md lists each with its HTTP status). */
export type ApiErrorCode =
  | 'BAD_REQUEST' // 400: malformed JSON, a wrong field type; `issues` say where
  | 'UNAUTHORIZED' // 401: auth is on and no valid token was sent
  | 'FORBIDDEN' // 403: the token's role may not do this
  | 'NOT_FOUND' // 404: no such route, node, connection or file
  | 'REVISION_CONFLICT' // 409: the document changed since the revision the client edited
  | 'PAYLOAD_TOO_LARGE' // 413: body above the configured limit
  | 'UNSUPPORTED_MEDIA_TYPE' // 415: a body that is not JSON
  | 'FLOW_INVALID' // 422: validation failed; `issues` holds every problem; nothing changed
  | 'RATE_LIMITED' // 429: too many login attempts
  | 'NOT_SUPPORTED' // 501/400: e.g. browsing a connection type that has no address space
  | 'NOT_CONNECTED' // 503: the connection is not up (e.g. browsing a device that is offline)
  | 'INJECT_REFUSED' // 409: the node's queue is full or the node does not run
  | 'INTERNAL'; // 500: a bug; the message says what was being attempted

/** Body of every non-2xx response. */
export interface ApiError {
  readonly code: ApiErrorCode;
  readonly message: string;
  /** Every problem, with node id and JSON path, for FLOW_INVALID and BAD_REQUEST. */
  readonly issues?: readonly ValidationIssue[];
}

/**
 * `GET /api/flows`. The revision is opaque to clients: send it back unchanged with a PUT. A
 * document never holds a secret (credentials live in the credential store).
 */
export interface FlowsResponse {
  readonly document: FlowDocument;
  readonly revision: string;
}

/** `PUT /api/flows`: deploy `document` if the running revision is still `revision`, else 409. */
export interface PutFlowsRequest {
  readonly document: unknown;
  /** The revision the client's edits started from (from GET /api/flows or the last PUT). */
  readonly revision: string;
}

/** `PUT /api/flows` 200: what the deploy did. */
export interface DeployResponse {
  readonly revision: string;
  readonly started: readonly string[];
  readonly stopped: readonly string[];
  readonly restarted: readonly string[];
  readonly unchanged: readonly string[];
  /** Warnings (e.g. a cycle) do not block a deploy. */
  readonly warnings: readonly ValidationIssue[];
}

/** `POST /api/flows/validate` (editor, as you type): every issue of a document, nothing deployed. */
export interface ValidateResponse {
  readonly issues: readonly ValidationIssue[];
}

/** `GET /api/node-types`. */
export interface NodeTypesResponse {
  readonly nodes: readonly NodeManifest[];
  readonly connections: readonly ConnectionManifest[];
}

/** `POST /api/nodes/:id/inject`: put a message on a running node's input (an inject node fires its configured payload when the body is empty). */
export interface InjectRequest {
  readonly payload?: unknown;
  readonly topic?: string;
  readonly port?: string;
}

export interface InjectResponse {
  readonly nodeId: string;
  readonly accepted: true;
}

/**
 * `POST /api/connections/:id/test`. Without a body, the deployed entry with its stored
 * credentials; `entry` tests an edited, not yet deployed entry; `credentials` tests with the
 * form's values instead of the stored ones (validated, never stored, never echoed).
 */
export interface ConnectionTestRequest {
  readonly entry?: ConnectionEntry;
  readonly credentials?: Readonly<Record<string, unknown>>;
}

export interface ConnectionTestResponse {
  readonly ok: boolean;
  /** "connected in 12 ms", or why not; never holds a secret. */
  readonly message: string;
  readonly durationMs: number;
}

/** One child in `GET /api/connections/:id/browse?node=<nodeId>&continuationPoint=<cp>` (OPC UA address space). */
export interface BrowseItem {
  /** Full node id to put in config, e.g. `ns=1;s=Line1.Machine2.Pressure`. */
  readonly nodeId: string;
  /** `1:Pressure` (namespace index and name). */
  readonly browseName: string;
  readonly displayName: string;
  readonly nodeClass: 'Object' | 'Variable' | 'Method' | 'ObjectType' | 'VariableType' | 'ReferenceType' | 'DataType' | 'View' | 'Unspecified';
  /** For variables: the DataType's node id (`ns=0;i=11` for Double). */
  readonly dataType?: string | undefined;
}

export interface BrowseResponse {
  /** The node browsed (`i=85`, the Objects folder, when `node` was not given). */
  readonly node: string;
  readonly items: readonly BrowseItem[];
  /** Present when more children follow: pass it back as `?continuationPoint=` (same session only). */
  readonly continuationPoint?: string | undefined;
}

/** `GET /api/credentials/:connectionId`: which credential fields are set. Never the values. */
export interface CredentialsStatusResponse {
  readonly connectionId: string;
  /** Field name → set or not, for every field the connection type declares. */
  readonly fields: Readonly<Record<string, 'set' | 'not set'>>;
}

/** `PUT /api/credentials/:connectionId` (write-only; the response is a {@link CredentialsStatusResponse}). */
export interface PutCredentialsRequest {
  readonly values: Readonly<Record<string, unknown>>;
  /** The connection's type when it is not deployed yet. */
  readonly type?: string;
}

/**
 * `POST /api/flows/import`: a document to be merged into the editor's working copy. Body: the
 * document as JSON, or `{text}` with the file's text (JSON with comments allowed, errors get a
 * line). The server parses, migrates and validates it; it deploys nothing.
 */
export interface ImportRequest {
  readonly text?: string;
  readonly document?: unknown;
}

export interface ImportResponse {
  /** The document, migrated to the current version. */
  readonly document: FlowDocument;
  /** Every problem found; errors do not stop an import (the editor shows them on the nodes). */
  readonly issues: readonly ValidationIssue[];
}

/** `GET /api/flows/export`: the running document as canonical JSON text (a download, `Content-Disposition: attachment`). */
export type ExportResponse = string;

/** `GET /api/auth`: whether a token is needed and whether the one sent (if any) is valid. */
export interface AuthStatusResponse {
  readonly required: boolean;
  readonly authenticated: boolean;
  readonly role?: Role | undefined;
  readonly expiresAt?: string | undefined;
}

/** Who may do what; `editor` deploys, `viewer` reads flows and sees debug. */
export type Role = 'viewer' | 'editor' | 'admin';

/** `POST /api/auth/login`. Rate-limited per client address (429 RATE_LIMITED). */
export interface LoginRequest {
  readonly password: string;
}

/** The token goes in `Authorization: Bearer <token>` and in the socket's `auth: {token}`. */
export interface LoginResponse {
  readonly token: string;
  readonly role: Role;
  /** ISO 8601. */
  readonly expiresAt: string;
}

/** A deploy in the audit log (`<dataDir>/audit.log`, one JSON object a line). Never holds a secret. */
export interface DeployAuditEntry {
  readonly kind: 'deploy';
  /** ISO 8601. */
  readonly time: string;
  /** The user name; "anonymous" with auth off. */
  readonly user: string;
  readonly role?: Role | undefined;
  readonly revisionBefore: string;
  /** The revision deployed; absent when the deploy was refused. */
  readonly revisionAfter?: string | undefined;
  readonly started: number;
  readonly stopped: number;
  readonly restarted: number;
  /** Ids of the privileged (device-writing) nodes the deploy added or changed. */
  readonly privilegedNodes: readonly string[];
  /** `ok`, or the error code that stopped it (FORBIDDEN, FLOW_INVALID, REVISION_CONFLICT, INTERNAL). */
  readonly result: 'ok' | ApiErrorCode;
  readonly message?: string | undefined;
}

/** An action on a device (a node's `ctx.audit`, e.g. a Modbus or OPC UA write) in the audit log. */
export interface DeviceAuditEntry {
  readonly kind: 'device';
  readonly time: string;
  /** The user whose deploy runs the node ("system" for the flow loaded at start, "cli" for `plantwire run`). */
  readonly user: string;
  /** The flow revision running. */
  readonly revision: string;
  readonly nodeId: string;
  readonly nodeType: string;
  /** e.g. `write`. */
  readonly action: string;
  /** Connection and address: `{connection, unitId, area, address, tag}` (Modbus), `{connection, nodeId}` (OPC UA). */
  readonly target: Readonly<Record<string, unknown>>;
  readonly value: unknown;
  readonly result: 'ok' | 'failed';
  readonly error?: string | undefined;
}

export type AuditEntry = DeployAuditEntry | DeviceAuditEntry;

/** `GET /api/audit?limit=` (admin): the last `limit` entries (default 100, at most 1000), oldest first. */
export interface AuditResponse {
  readonly entries: readonly AuditEntry[];
}

/** The routes, written once: the server mounts them, the editor's client calls them, tests enumerate them. */
export const API_ROUTES = {
  flows: '/api/flows',
  validate: '/api/flows/validate',
  exportFlows: '/api/flows/export',
  importFlows: '/api/flows/import',
  nodeTypes: '/api/node-types',
  inject: '/api/nodes/:id/inject',
  testConnection: '/api/connections/:id/test',
  browse: '/api/connections/:id/browse',
  credentials: '/api/credentials/:connectionId',
  auth: '/api/auth',
  login: '/api/auth/login',
  logout: '/api/auth/logout',
  audit: '/api/audit',
} as const;

/** Fill a route's `:params`: `apiPath(API_ROUTES.inject, {id: 'n1'})` → `/api/nodes/n1/inject`. */
export function apiPath(route: string, params: Readonly<Record<string, string>> = {}): string {
  return route.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`apiPath: ${route} needs :${name}`);
    return encodeURIComponent(value);
  });
}
