import { NodeError, type ConnectionHandle, type ConnectionRefHit, type ConnectionState, type NodeStatus } from '@plantwire/node-sdk';
import type { ConnectionSupervisor, ConnectionUser, SupervisedConnection } from './connection-supervisor.js';

/** The node instance, as its connections see it. */
export interface ConnectionOwner {
  readonly id: string;
  readonly nodeType: string;
  /** Show the connections' state on the node's badge (ignored unless the node is starting or running). */
  showConnectionStatus(status: NodeStatus): void;
  /** Run node code (a listener); a throw or rejection becomes an error of the node. */
  runListener(fn: () => unknown, what: string): void;
}

/** How bad a state is for the badge: the worst connection of a node is the one shown. */
const SEVERITY: Readonly<Record<ConnectionState, number>> = { connected: 0, idle: 1, connecting: 2, waiting: 3, failed: 4 };

/**
 * The connections of one node instance: the leases it holds on supervised connections (taken
 * when it starts, given back when it closes), the handles `ctx.connection(id)` returns, and the
 * badge that shows their state.
 */
export class NodeConnections implements ConnectionUser {
  private readonly refs: ReadonlySet<string>;
  private readonly leases = new Map<string, SupervisedConnection>();
  private readonly handles = new Map<string, Handle>();
  private released = false;
  private lastStatus = '';

  constructor(
    private readonly owner: ConnectionOwner,
    refs: readonly ConnectionRefHit[],
    private readonly supervisor: ConnectionSupervisor,
  ) {
    this.refs = new Set(refs.map((r) => r.id));
  }

  /** Take a lease on every referenced connection (opening those that are idle); called before `setup`. */
  acquire(): void {
    if (this.released) return;
    for (const id of this.refs) {
      const connection = this.supervisor.get(id);
      if (!connection || this.leases.has(id)) continue;
      this.leases.set(id, connection);
      connection.addUser(this);
    }
    this.refreshStatus();
  }

  /** Give every lease back and retire the handles (listeners dropped, pending `whenConnected` rejected). Safe to call twice. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const handle of this.handles.values()) handle.dispose();
    for (const connection of this.leases.values()) connection.removeUser(this);
  }

  /** `ctx.connection(id)`. */
  handle(id: string): ConnectionHandle<unknown> {
    const existing = this.handles.get(id);
    if (existing) return existing;
    const where = `node "${this.owner.id}" (${this.owner.nodeType})`;
    if (!this.refs.has(id)) {
      const known = this.refs.size > 0 ? `it references: ${[...this.refs].join(', ')}` : 'it references none';
      throw new Error(`${where} asked for connection "${id}", which its config does not reference (${known}); name connections in connectionRef() config fields`);
    }
    if (this.released) throw new Error(`${where} asked for connection "${id}" after it was closed`);
    const connection = this.leases.get(id);
    if (!connection) throw new Error(`${where} asked for connection "${id}" before it started`);
    const handle = new Handle(connection, this.owner);
    this.handles.set(id, handle);
    return handle;
  }

  connectionChanged(connection: SupervisedConnection, previous: ConnectionState): void {
    if (this.released) return;
    const handle = this.handles.get(connection.id);
    handle?.changed(previous);
    this.refreshStatus();
    // After the badge: a listener may put its own over the connection's.
    handle?.stateChanged();
  }

  private refreshStatus(): void {
    let worst: SupervisedConnection | undefined;
    for (const c of this.leases.values()) if (!worst || SEVERITY[c.state] > SEVERITY[worst.state]) worst = c;
    if (!worst || worst.state === 'idle') return;
    const prefix = this.leases.size > 1 && worst.state !== 'connected' ? `${worst.id}: ` : '';
    const status: NodeStatus =
      worst.state === 'connected'
        ? { fill: 'green', shape: 'dot', text: 'connected' }
        : worst.state === 'connecting'
          ? { fill: 'yellow', shape: 'ring', text: `${prefix}connecting` }
          : { fill: 'red', shape: 'ring', text: `${prefix}${worst.reason ?? worst.state}` };
    // A state change of another connection that leaves the worst one as it was is no news.
    const key = `${status.fill}|${status.shape}|${status.text}`;
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.owner.showConnectionStatus(status);
  }
}

interface Waiter {
  resolve(client: unknown): void;
  reject(err: unknown): void;
}

/** A node's view of one supervised connection (see `ConnectionHandle` in node-sdk). */
class Handle implements ConnectionHandle<unknown> {
  private connected = new Set<(client: unknown) => void | Promise<void>>();
  private disconnected = new Set<(reason: string) => void>();
  private stateListeners = new Set<(state: ConnectionState) => void>();
  private waiters = new Set<Waiter>();
  private disposed = false;

  constructor(
    private readonly connection: SupervisedConnection,
    private readonly owner: ConnectionOwner,
  ) {}

  get id(): string {
    return this.connection.id;
  }

  get type(): string {
    return this.connection.type;
  }

  get state(): ConnectionState {
    return this.disposed ? 'idle' : this.connection.state;
  }

  get client(): unknown {
    return !this.disposed && this.connection.state === 'connected' ? this.connection.client : undefined;
  }

  get reason(): string | undefined {
    return this.disposed ? undefined : this.connection.reason;
  }

  onConnected(listener: (client: unknown) => void | Promise<void>): () => void {
    if (this.disposed) return () => undefined;
    this.connected.add(listener);
    if (this.connection.state === 'connected') {
      const client = this.connection.client;
      // "Now" is a microtask later, so the caller (usually setup) finishes first; a reconnect in between delivers the newer client instead.
      queueMicrotask(() => {
        if (this.connected.has(listener) && this.client === client) this.owner.runListener(() => listener(client), `onConnected listener of connection "${this.id}"`);
      });
    }
    return () => void this.connected.delete(listener);
  }

  onDisconnected(listener: (reason: string) => void): () => void {
    if (this.disposed) return () => undefined;
    this.disconnected.add(listener);
    return () => void this.disconnected.delete(listener);
  }

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    if (this.disposed) return () => undefined;
    this.stateListeners.add(listener);
    return () => void this.stateListeners.delete(listener);
  }

  /** Tell the `onStateChange` listeners (called after the node's badge was updated). */
  stateChanged(): void {
    if (this.disposed) return;
    const state = this.connection.state;
    for (const listener of [...this.stateListeners]) this.owner.runListener(() => listener(state), `onStateChange listener of connection "${this.id}"`);
  }

  whenConnected(signal?: AbortSignal): Promise<unknown> {
    const client = this.client;
    if (client !== undefined) return Promise.resolve(client);
    if (this.disposed) return Promise.reject(this.notConnected('the node closed'));
    if (signal?.aborted) return Promise.reject(this.notConnected('the wait was aborted'));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiters.delete(waiter);
        reject(this.notConnected('the wait was aborted'));
      };
      const waiter: Waiter = {
        resolve: (c) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(c);
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  requireClient(): unknown {
    const client = this.client;
    if (client !== undefined) return client;
    throw this.notConnected(this.connection.reason ?? this.connection.state);
  }

  /** The connection changed state: run the listeners that the change concerns. */
  changed(previous: ConnectionState): void {
    if (this.disposed) return;
    const state = this.connection.state;
    if (state === 'connected') {
      const client = this.connection.client;
      const waiters = [...this.waiters];
      this.waiters.clear();
      for (const w of waiters) w.resolve(client);
      for (const listener of [...this.connected]) this.owner.runListener(() => listener(client), `onConnected listener of connection "${this.id}"`);
    } else if (previous === 'connected') {
      const reason = this.connection.reason ?? state;
      for (const listener of [...this.disconnected]) this.owner.runListener(() => listener(reason), `onDisconnected listener of connection "${this.id}"`);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.connected.clear();
    this.disconnected.clear();
    this.stateListeners.clear();
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w.reject(this.notConnected('the node closed'));
  }

  private notConnected(why: string): NodeError {
    return new NodeError('NOT_CONNECTED', `connection "${this.id}" (${this.type}) is not connected: ${why}`, { details: { connectionId: this.id, connectionType: this.type } });
  }
}
