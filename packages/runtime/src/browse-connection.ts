import type { ConnectionBrowsePage } from '@plantwire/node-sdk';
import type { BrowseRequest } from './api.js';
import type { SupervisedConnection } from './connection-supervisor.js';

/**
 * Why a browse failed:
 * - CONNECTION_UNKNOWN: no entry with that id in the running document;
 * - NOT_SUPPORTED: its type has no `browse` (nothing to list: MQTT, Modbus);
 * - NOT_CONNECTED: its client is not open (no running node uses it, or the link is down);
 * - TIMEOUT: the device did not answer within the bound;
 * - BROWSE_FAILED: the device refused (unknown node, expired continuation point); the cause is attached.
 */
export type BrowseErrorCode = 'CONNECTION_UNKNOWN' | 'NOT_SUPPORTED' | 'NOT_CONNECTED' | 'TIMEOUT' | 'BROWSE_FAILED';

/** What `runtime.browse` rejects with; the message names the connection (and the node browsed). */
export class BrowseError extends Error {
  readonly code: BrowseErrorCode;
  readonly connectionId: string;
  constructor(code: BrowseErrorCode, connectionId: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BrowseError';
    this.code = code;
    this.connectionId = connectionId;
  }
}

/** What {@link browseConnection} needs from the runtime. */
export interface BrowseTarget {
  readonly connectionId: string;
  /** True when the running document has an entry with that id. */
  readonly known: boolean;
  /** The supervised record of that entry (undefined only in the instant a deploy swaps records). */
  readonly connection: SupervisedConnection | undefined;
  /** The runtime's default bound; the type's `connectTimeoutMs` and `request.timeoutMs` win. */
  readonly defaultTimeoutMs: number;
}

function why(connection: SupervisedConnection): string {
  switch (connection.state) {
    case 'idle':
      return 'no running node uses it, so the runtime has not opened it (deploy a node that references it)';
    case 'connecting':
      return 'it is connecting';
    default:
      return connection.reason ?? connection.state;
  }
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}

/**
 * One page of a connection's address space, through the live client of the supervised
 * connection: no second client, nothing for the nodes on it to notice. Bounded; an answer that
 * arrives after the bound is dropped (and the type's request aborted through `signal`).
 */
export async function browseConnection(target: BrowseTarget, request: BrowseRequest = {}): Promise<ConnectionBrowsePage> {
  const { connectionId: id, connection } = target;
  checkRequest(id, request);
  if (!target.known) throw new BrowseError('CONNECTION_UNKNOWN', id, `cannot browse connection "${id}": no connection has that id in the running document`);
  if (connection === undefined) throw new BrowseError('NOT_CONNECTED', id, `cannot browse connection "${id}": it is being deployed; try again`);
  const def = connection.spec.def;
  if (def?.browse === undefined) {
    throw new BrowseError('NOT_SUPPORTED', id, `cannot browse connection "${id}": its type "${connection.type}" has no address space to browse`);
  }
  const client = connection.client;
  if (connection.state !== 'connected' || client === undefined) {
    throw new BrowseError('NOT_CONNECTED', id, `cannot browse connection "${id}" (${connection.type}): it is not connected: ${why(connection)}`);
  }
  const where = `browsing ${request.node === undefined ? 'the root' : `"${request.node}"`} of connection "${id}" (${connection.type})`;
  const timeoutMs = request.timeoutMs ?? def.connectTimeoutMs ?? target.defaultTimeoutMs;
  const abort = new AbortController();
  const call = Promise.resolve().then(() =>
    def.browse!(client, {
      ...(request.node === undefined ? {} : { node: request.node }),
      ...(request.continuationPoint === undefined ? {} : { continuationPoint: request.continuationPoint }),
      ...(request.maxItems === undefined ? {} : { maxItems: request.maxItems }),
      signal: abort.signal,
    }),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new BrowseError('TIMEOUT', id, `${where} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    const page = await Promise.race([call, timeout]);
    if (page === null || typeof page !== 'object' || !Array.isArray(page.items) || typeof page.node !== 'string') {
      throw new BrowseError('BROWSE_FAILED', id, `${where} failed: the type "${connection.type}" answered without { node, items }`);
    }
    return page;
  } catch (err) {
    if (err instanceof BrowseError) throw err;
    // The link dropped under the request: say so, rather than pass on the library's socket error.
    if (connection.client !== client) {
      throw new BrowseError('NOT_CONNECTED', id, `${where} failed: the connection went down: ${connection.redact(reasonOf(err))}`, { cause: err });
    }
    throw new BrowseError('BROWSE_FAILED', id, `${where} failed: ${connection.redact(reasonOf(err))}`, { cause: err });
  } finally {
    clearTimeout(timer);
    // A late answer of a timed-out call is let go; its rejection must not surface as unhandled.
    call.catch(() => undefined);
  }
}

function checkRequest(id: string, request: BrowseRequest): void {
  const bad = (field: string, expected: string, value: unknown): never => {
    throw new TypeError(`browse of connection "${id}": ${field} must be ${expected}, got ${JSON.stringify(value) ?? typeof value}`);
  };
  if (request.node !== undefined && (typeof request.node !== 'string' || request.node === '')) bad('node', 'a non-empty string', request.node);
  if (request.continuationPoint !== undefined && (typeof request.continuationPoint !== 'string' || request.continuationPoint === '')) {
    bad('continuationPoint', 'a non-empty string', request.continuationPoint);
  }
  if (request.maxItems !== undefined && !(Number.isInteger(request.maxItems) && request.maxItems >= 0)) bad('maxItems', 'an integer ≥ 0', request.maxItems);
  if (request.timeoutMs !== undefined && !(request.timeoutMs > 0)) bad('timeoutMs', 'a number > 0', request.timeoutMs);
}
