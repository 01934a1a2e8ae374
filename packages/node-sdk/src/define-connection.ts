import type { z } from 'zod';
import type { BrowseItem, BrowseResponse } from '@plantwire/protocol';
import type { NodeLogger } from './define-node.js';

export type { BrowseItem };

/**
 * Where a supervised connection is in its life:
 * - `idle`: no node uses it, so no client is open;
 * - `connecting`: `connect` is running;
 * - `connected`: a client is open; `handle.client` is it;
 * - `waiting`: the last attempt failed or the link was lost; the runtime retries after a capped,
 *   jittered exponential backoff (the reason and the delay are in the `connection` event);
 * - `failed`: retrying cannot help (credentials missing, invalid or undecryptable, or the type is
 *   not supervisable); the connection stays down until its entry or its credentials change.
 */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'waiting' | 'failed';

/**
 * What the runtime hands to a connection type's `connect`, `disconnect` and `test`: the only place
 * where credentials are visible in plain text.
 */
export interface ConnectionContext<Config = unknown, Credentials = unknown> {
  /** The connection entry's id (`$.connections[].id`). */
  readonly id: string;
  readonly type: string;
  readonly name: string | undefined;
  /** The entry's config, parsed by the type's schema (defaults filled, `${ENV}` substituted). */
  readonly config: Config;
  /**
   * The entry's credentials from the runtime's credential store, decrypted and parsed by the
   * type's `credentials` schema (`{}` when the type declares none). Never log them: the runtime
   * masks known secret values in what it logs, but a secret transformed (encoded, hashed) slips by.
   */
  readonly credentials: Credentials;
  /**
   * The client calls this when its link drops (socket closed, broker gone, session expired). The
   * runtime then tells the nodes, calls `disconnect` on the dead client and reconnects after a
   * backoff. Calls after the first, and calls for a client the runtime already let go, are ignored.
   * Called while `connect` is still pending, it makes that attempt fail.
   */
  lost(reason?: unknown): void;
  /** Structured logging, attributed to the connection (`connectionId`, `connectionType`). */
  readonly log: NodeLogger;
  /**
   * Aborted when the runtime gives up on this client: the connect attempt timed out, or the
   * connection is being closed (no node needs it any more, its entry changed, or the runtime stops).
   * Pass it to the protocol library's connect call where it takes one.
   */
  readonly signal: AbortSignal;
  /**
   * A directory of this connection's own (`<dataDir>/connections/<id>`, created before `connect`),
   * for files such as an OPC UA client certificate; undefined when the runtime has no data directory.
   */
  readonly dataDir: string | undefined;
}

/** What a connection test reports: `message` is shown to the user next to the "test connection" button. */
export interface ConnectionTestResult {
  readonly ok: boolean;
  readonly message: string;
}

/**
 * The single declaration of a connection type (a shared client: an MQTT broker, a Modbus device,
 * an OPC UA endpoint). The runtime supervises it: one client per connection entry however many
 * nodes use it, opened when the first node that references it starts, reconnected with backoff when
 * `lost` is called, closed when no running node uses it. The type itself holds no retry loop, and
 * the runtime imports no protocol library: the type wraps one.
 */
export interface ConnectionDefinition<Schema extends z.ZodType = z.ZodType, Credentials extends z.ZodObject = z.ZodObject, Client = unknown> {
  /** Lowercase kebab, naming the resource: `mqtt-broker`, `modbus-device`, `opcua-endpoint`. */
  readonly type: string;
  /** Bump when the config shape changes, and add a migration. */
  readonly version: number;
  /** One line for the editor's connection list. */
  readonly summary: string;
  /** Longer Markdown for the docs page. */
  readonly description?: string;
  /** An icon name the editor knows. */
  readonly icon?: string;
  /** The non-secret settings, written in the flow document (host, port, client id, …). */
  readonly config: Schema;
  /**
   * The secret settings (password, private key, token), never in the document: they live in the
   * runtime's encrypted credential store, keyed by the connection entry's id. A field of this
   * object written into the entry's `config` is refused by validation (SECRET_IN_DOCUMENT).
   */
  readonly credentials?: Credentials;
  /**
   * Open a client. Resolve once it can be used; reject (or throw) when it cannot, with an error
   * that says why (the runtime shows it on the nodes' badges and retries). Bounded by
   * `connectTimeoutMs`. Configure the protocol library not to reconnect by itself: call
   * `ctx.lost()` instead and the runtime reconnects.
   */
  connect(ctx: ConnectionContext<z.output<Schema>, z.output<Credentials>>): Promise<Client>;
  /**
   * Close a client and release everything it holds. Called exactly once for every client `connect`
   * returned, also after `lost` (the client may be half dead: do not wait for the peer forever).
   * Bounded by the runtime's close timeout.
   */
  disconnect(client: Client, ctx: ConnectionContext<z.output<Schema>, z.output<Credentials>>): Promise<void>;
  /**
   * The editor's "test connection": check that the settings work, without disturbing a running
   * client. Without it the runtime connects and disconnects. Bounded by the test's timeout.
   */
  test?(ctx: ConnectionContext<z.output<Schema>, z.output<Credentials>>): Promise<ConnectionTestResult>;
  /**
   * List one page of a device's address space (the editor's browse dialog, picking a node id),
   * through the connection's live client: the runtime calls it only while the supervised
   * connection is connected, never opens a second client for it, and bounds it by
   * `connectTimeoutMs`. Must not disturb what nodes do on the same client. Reject with an error
   * naming the node when the device refuses (unknown node, expired continuation point).
   * Types that have it are `browsable` in their manifest.
   */
  browse?(client: Client, request: ConnectionBrowseRequest): Promise<ConnectionBrowsePage>;
  /** Upgrades: `migrations[n]` turns a version-n config into a version-(n+1) config. */
  readonly migrations?: Readonly<Record<number, (config: Record<string, unknown>) => Record<string, unknown>>>;
  /** How long `connect` may take before the attempt counts as failed. Default: the runtime's `connectTimeoutMs` (10 s). */
  readonly connectTimeoutMs?: number;
}

/** What the runtime asks of a connection type's `browse`: one page of a node's children. */
export interface ConnectionBrowseRequest {
  /** The node whose children to list; undefined means the type's root (OPC UA: the Objects folder `i=85`). */
  readonly node?: string | undefined;
  /** The previous page's `continuationPoint`, to get the next page of the same node. */
  readonly continuationPoint?: string | undefined;
  /** At most this many items per page (the device may return fewer); undefined lets the type choose. */
  readonly maxItems?: number | undefined;
  /** Aborted when the runtime stops waiting (its timeout ran out, or the connection is going away). */
  readonly signal: AbortSignal;
}

/** One page of a browse: the node browsed (the root filled in), its children, and where to go on. */
export type ConnectionBrowsePage = BrowseResponse;

/** A defined connection type: the declaration, frozen, plus what derives from it. */
export type ConnectionType<Schema extends z.ZodType = z.ZodType, Credentials extends z.ZodObject = z.ZodObject, Client = unknown> = ConnectionDefinition<
  Schema,
  Credentials,
  Client
> & {
  /** Tells a connection type from a node type in a mixed list. */
  readonly kind: 'connection';
  /** Names of the credential fields (empty when the type has none). */
  readonly credentialFields: readonly string[];
};

/** A type-erased connection type, for registries and `RuntimeOptions.connectionTypes`. */
export type AnyConnectionType = ConnectionType<z.ZodType, z.ZodObject, any>;

/** The client type a connection type's `connect` resolves to: `ctx.connection<ConnectionClient<typeof mqttBroker>>(id)`. */
export type ConnectionClient<T> = T extends ConnectionDefinition<any, any, infer Client> ? Client : never;

/**
 * Declare a connection type. One call per type; validation, the editor's form (config and
 * write-only credential fields), the "test connection" button and the docs derive from it.
 *
 * @example
 * export const tcpLine = defineConnection({
 *   type: 'tcp-line', version: 1, summary: 'A line-based TCP server.',
 *   config: z.object({ host: z.string().default('127.0.0.1'), port: z.int().min(1).max(65535) }),
 *   credentials: z.object({ password: z.string().optional() }),
 *   async connect(ctx) {
 *     const socket = await openSocket(ctx.config.host, ctx.config.port, ctx.signal);
 *     socket.once('close', () => ctx.lost(new Error('the server closed the connection')));
 *     return socket;
 *   },
 *   async disconnect(socket) { socket.destroy(); },
 * });
 */
export function defineConnection<Schema extends z.ZodType, Client, Credentials extends z.ZodObject = z.ZodObject<{}>>(
  definition: ConnectionDefinition<Schema, Credentials, Client>,
): ConnectionType<Schema, Credentials, Client> {
  const where = `defineConnection(${definition.type})`;
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(definition.type)) {
    throw new Error(`defineConnection: type "${definition.type}" must be lowercase kebab-case`);
  }
  if (!Number.isInteger(definition.version) || definition.version < 1) throw new Error(`${where}: version must be an integer ≥ 1`);
  if (typeof definition.connect !== 'function' || typeof definition.disconnect !== 'function') {
    throw new Error(`${where}: connect and disconnect are required`);
  }
  if (definition.browse !== undefined && typeof definition.browse !== 'function') throw new Error(`${where}: browse must be a function`);
  if (definition.connectTimeoutMs !== undefined && !(definition.connectTimeoutMs > 0)) throw new Error(`${where}: connectTimeoutMs must be > 0`);
  const credentialFields = definition.credentials ? Object.keys(definition.credentials.shape) : [];
  const configShape = (definition.config as unknown as { shape?: Record<string, unknown> }).shape;
  const clash = configShape ? credentialFields.filter((f) => f in configShape) : [];
  if (clash.length > 0) {
    throw new Error(`${where}: "${clash.join('", "')}" is declared both in config and in credentials; a secret belongs only in credentials`);
  }
  return Object.freeze({ ...definition, kind: 'connection' as const, credentialFields: Object.freeze(credentialFields) });
}

/**
 * What a node gets from `ctx.connection(id)`: a view of one supervised connection. Nodes hold no
 * retry loops: they react to `onConnected` (subscribe there; it runs again after every reconnect)
 * and read `client` when they need to send. Every listener is removed when the node closes.
 */
export interface ConnectionHandle<Client = unknown> {
  /** The connection entry's id. */
  readonly id: string;
  /** Its connection type. */
  readonly type: string;
  readonly state: ConnectionState;
  /** The open client, or undefined while not connected. */
  readonly client: Client | undefined;
  /** Why the connection is down (`waiting`, `failed`), else undefined. */
  readonly reason: string | undefined;
  /**
   * Call `listener` with the client now (on a microtask) if connected, and after every
   * (re)connect. Subscriptions belong here. A throw or rejection is an error of the node.
   * Returns a function that removes the listener.
   */
  onConnected(listener: (client: Client) => void | Promise<void>): () => void;
  /** Call `listener` each time a connected client goes away, with the reason. Returns a remover. */
  onDisconnected(listener: (reason: string) => void): () => void;
  /**
   * Call `listener` after every change of `state`, retries included (connecting, waiting,
   * failed…), once the runtime has shown the change on the node's badge: for a node that shows
   * more than the connection on its badge (a sink's store-and-forward backlog). Returns a remover.
   */
  onStateChange(listener: (state: ConnectionState) => void): () => void;
  /**
   * Resolves with the client once connected (at once if connected now). Rejects with a NodeError
   * NOT_CONNECTED when `signal` aborts or the node closes first.
   */
  whenConnected(signal?: AbortSignal): Promise<Client>;
  /** The client, or a NodeError NOT_CONNECTED that says which connection is down and why: for sinks in `onInput`. */
  requireClient(): Client;
}
