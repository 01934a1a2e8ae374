import type { ClientSession, ClientSubscription, DataValue, OPCUACertificateManager, OPCUAClient } from 'node-opcua';
import { browse, type BrowseOptions, type BrowsePage } from '../browse.js';
import { loadOpcua } from '../load-opcua.js';
import type { CertificateFingerprints } from './fingerprint.js';
import { ServerSilence } from './server-silence.js';

/** The server's operation limits this package uses (OPC UA Part 5 ServerCapabilities/OperationLimits), with defaults filled. */
export interface OperationLimits {
  /** How many monitored items one CreateMonitoredItems call may carry. */
  readonly maxMonitoredItemsPerCall: number;
  readonly maxNodesPerRead: number;
}

/** Used when the server does not say (or says 0, "no limit"): a call of this size stays well within any sane message size. */
export const DEFAULT_MAX_MONITORED_ITEMS_PER_CALL = 1000;
const DEFAULT_MAX_NODES_PER_READ = 1000;

/** Subscription parameters, as requested (the server revises them). */
export interface SubscriptionRequest {
  readonly publishingIntervalMs: number;
  readonly maxKeepAliveCount: number;
  readonly lifetimeCount: number;
}

function limitOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.min(value, fallback) : fallback;
}

/** Settle within `ms` whatever the peer does: used when closing a possibly half-dead session. */
async function bounded(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * The client an `opcua-endpoint` connection hands to nodes: ONE node-opcua client with ONE session,
 * shared by every node that references the connection. It lives exactly as long as that
 * connection attempt: after a loss the runtime disposes it and connects a new one, so a node gets
 * a fresh instance in each `onConnected` and never sees node-opcua's own reconnection (which is
 * switched off, see the connection type).
 */
export class OpcuaEndpointClient {
  private readonly subscriptions = new Set<ClientSubscription>();
  private readonly dataTypes = new Map<string, Promise<number>>();
  private limits: Promise<OperationLimits> | undefined;
  private disposed = false;
  private silenceTimer: NodeJS.Timeout | undefined;

  /** @internal Built by the `opcua-endpoint` connection type. */
  constructor(
    readonly endpointUrl: string,
    /** The node-opcua client, for what this wrapper does not cover. */
    readonly client: OPCUAClient,
    /** The one session of this connection. */
    readonly session: ClientSession,
    private readonly certificateManager: OPCUACertificateManager,
    /** Fingerprints of the server certificate that was trusted (secured modes only). */
    readonly serverCertificate: CertificateFingerprints | undefined,
  ) {}

  /** False once the connection let this client go (lost or closed). */
  get isOpen(): boolean {
    return !this.disposed;
  }

  /** How many subscriptions made through {@link createSubscription} are alive on this session. */
  get liveSubscriptions(): number {
    return this.subscriptions.size;
  }

  /**
   * Call `onSilent(silentMs)` once when the server has answered nothing (no response, publish or
   * keep-alive) for longer than `timeoutMs` while the client is open: see {@link ServerSilence}.
   * Stops with {@link dispose}.
   */
  watchServer(timeoutMs: number, onSilent: (silentMs: number) => void): void {
    clearInterval(this.silenceTimer);
    const silence = new ServerSilence(timeoutMs, () => this.session.lastResponseReceivedTime?.getTime() ?? 0);
    this.silenceTimer = setInterval(() => {
      if (this.disposed || !silence.silent()) return;
      clearInterval(this.silenceTimer);
      onSilent(silence.silentMs);
    }, ServerSilence.checkPeriodFor(timeoutMs));
    // The check alone does not keep a process alive.
    this.silenceTimer.unref();
  }

  /** Browse one page of `nodeId`'s children: see {@link browse}. */
  browse(nodeId: string, options?: BrowseOptions): Promise<BrowsePage> {
    return browse(this.session, nodeId, options);
  }

  /** The server's operation limits, read once per session (defaults when the server does not publish them). */
  operationLimits(): Promise<OperationLimits> {
    // Read the two limits directly (node-opcua's readOperationLimits reads all twelve and logs
    // every one a server lacks, as the simulated plant does, at warning level).
    this.limits ??= (async () => {
      const opcua = await loadOpcua();
      const ids = opcua.VariableIds;
      const [perCall, perRead] = await this.session.read([
        { nodeId: opcua.resolveNodeId(ids.Server_ServerCapabilities_OperationLimits_MaxMonitoredItemsPerCall), attributeId: opcua.AttributeIds.Value },
        { nodeId: opcua.resolveNodeId(ids.Server_ServerCapabilities_OperationLimits_MaxNodesPerRead), attributeId: opcua.AttributeIds.Value },
      ]);
      const numberOf = (dv: DataValue | undefined) => (dv?.statusCode.isGood() && typeof dv.value.value === 'number' ? dv.value.value : undefined);
      return {
        maxMonitoredItemsPerCall: limitOr(numberOf(perCall), DEFAULT_MAX_MONITORED_ITEMS_PER_CALL),
        maxNodesPerRead: limitOr(numberOf(perRead), DEFAULT_MAX_NODES_PER_READ),
      };
    })().catch(() => ({ maxMonitoredItemsPerCall: DEFAULT_MAX_MONITORED_ITEMS_PER_CALL, maxNodesPerRead: DEFAULT_MAX_NODES_PER_READ }));
    return this.limits;
  }

  /** Read the Value attribute of each node id, in batches within the server's limits. */
  async read(nodeIds: readonly string[]): Promise<DataValue[]> {
    const opcua = await loadOpcua();
    const { maxNodesPerRead } = await this.operationLimits();
    const out: DataValue[] = [];
    for (let i = 0; i < nodeIds.length; i += maxNodesPerRead) {
      const batch = nodeIds.slice(i, i + maxNodesPerRead).map((nodeId) => ({ nodeId: opcua.resolveNodeId(nodeId), attributeId: opcua.AttributeIds.Value }));
      out.push(...(await this.session.read(batch)));
    }
    return out;
  }

  /**
   * The built-in data type id of a variable (node-opcua's `DataType` enum: 11 = Double), read from
   * its DataType attribute once per session and cached; subtypes (Duration, enumerations…) are
   * resolved to their built-in base. Rejects naming the node and the status.
   */
  dataTypeOf(nodeId: string): Promise<number> {
    let known = this.dataTypes.get(nodeId);
    if (!known) {
      known = (async () => {
        const opcua = await loadOpcua();
        const [dv] = await this.session.read([{ nodeId: opcua.resolveNodeId(nodeId), attributeId: opcua.AttributeIds.DataType }]);
        if (!dv || !dv.statusCode.isGood()) throw new Error(`cannot read the DataType of "${nodeId}": ${dv?.statusCode.name ?? 'no result'}`);
        return opcua.findBasicDataType(this.session, dv.value.value);
      })();
      // A failure is not cached: the node may be created later, or the read may have timed out.
      known.catch(() => this.dataTypes.delete(nodeId));
      this.dataTypes.set(nodeId, known);
    }
    return known;
  }

  /** Write `value` (already of the variable's type) to `nodeId`; resolves with the status code's name. */
  async write(nodeId: string, dataType: number, value: unknown): Promise<{ good: boolean; status: string }> {
    const opcua = await loadOpcua();
    const status = await this.session.write({
      nodeId: opcua.resolveNodeId(nodeId),
      attributeId: opcua.AttributeIds.Value,
      value: { value: new opcua.Variant({ dataType, value, arrayType: Array.isArray(value) ? opcua.VariantArrayType.Array : opcua.VariantArrayType.Scalar }) },
    });
    return { good: status.isGood(), status: status.name };
  }

  /**
   * Create a subscription on the session, tracked until it terminates, so that
   * {@link liveSubscriptions} tells how many are alive and closing the client deletes them all.
   */
  async createSubscription(request: SubscriptionRequest): Promise<ClientSubscription> {
    if (this.disposed) throw new Error(`the OPC UA client of ${this.endpointUrl} is closed`);
    const subscription = await this.session.createSubscription2({
      requestedPublishingInterval: request.publishingIntervalMs,
      requestedMaxKeepAliveCount: request.maxKeepAliveCount,
      requestedLifetimeCount: request.lifetimeCount,
      maxNotificationsPerPublish: 0,
      publishingEnabled: true,
      priority: 0,
    });
    this.subscriptions.add(subscription);
    subscription.once('terminated', () => this.subscriptions.delete(subscription));
    if (this.disposed) {
      await this.terminate(subscription);
      throw new Error(`the OPC UA client of ${this.endpointUrl} closed while a subscription was created`);
    }
    return subscription;
  }

  /** Delete a subscription on the server (bounded: a dead session does not hold the caller). */
  async terminate(subscription: ClientSubscription): Promise<void> {
    this.subscriptions.delete(subscription);
    await bounded(subscription.terminate(), 2000);
  }

  /** @internal Close everything, bounded; called once by the connection type's `disconnect`. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.silenceTimer);
    const subs = [...this.subscriptions];
    this.subscriptions.clear();
    await Promise.all(subs.map((s) => bounded(s.terminate(), 1000)));
    await bounded(this.session.close(true), 1500);
    await bounded(this.client.disconnect(), 1500);
    await bounded(this.certificateManager.dispose(), 1000);
  }
}
