import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { NodeError, type AnyConnectionType, type ConnectionContext as Context, type ConnectionState, type NodeLogger } from '@plantwire/node-sdk';
import type { ConnectionEvent } from './api.js';
import { backoffDelay, type BackoffSettings } from './backoff.js';
import type { CompiledConnection } from './compile-flow.js';
import { CredentialsError, type CredentialStore } from './credential-store.js';
import { redact, redactFields, secretStrings } from './redact.js';

/** The context the runtime builds for a type-erased connection type. */
type ConnectionContext = Context<unknown, Record<string, unknown>>;

/** Someone holding a lease on a supervised connection: the connections of one node instance. */
export interface ConnectionUser {
  /** The connection's state changed (`previous` is the state before). */
  connectionChanged(connection: SupervisedConnection, previous: ConnectionState): void;
}

/** What the supervisor needs from the runtime around it. */
export interface SupervisorHost {
  readonly credentials: CredentialStore;
  /** The runtime's data directory; each connection gets `<dataDir>/connections/<id>`. */
  readonly dataDir: string | undefined;
  readonly backoff: BackoffSettings;
  /** Default bound of `connect` (a type's `connectTimeoutMs` wins). */
  readonly connectTimeoutMs: number;
  /** Bound of `disconnect`. */
  readonly closeTimeoutMs: number;
  emitConnection(event: ConnectionEvent): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>): void;
}

/** A connect attempt that cannot succeed by retrying (missing or bad credentials, an unsupervisable type). */
class Unrecoverable extends Error {}

/** Closed or replaced while an await was pending: whatever the attempt produced is let go. */
const SUPERSEDED = Symbol('superseded');

function reasonOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** Resolve, or reject with a NodeError TIMEOUT after `ms` (calling `onTimeout` first). */
function bounded<T>(promise: Promise<T>, ms: number, message: string, onTimeout?: () => void): Promise<T> {
  if (!Number.isFinite(ms)) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.();
      reject(new NodeError('TIMEOUT', message));
    }, ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * One connection entry under supervision: at most one client, however many nodes use it.
 *
 * States: idle → connecting → connected → (lost) → waiting → connecting …; a failed attempt goes
 * to waiting too, with a capped, fully jittered exponential backoff. Unrecoverable problems
 * (credentials) go to failed, which waits for a change instead of retrying. Nothing here throws
 * into a node or loops inside one: a connect that throws or hangs is an attempt that failed.
 *
 * Every asynchronous step checks `generation` afterwards: `close()` bumps it, so an attempt that
 * finishes after the connection was closed (or reopened) releases what it produced and changes
 * nothing.
 */
export class SupervisedConnection {
  state: ConnectionState = 'idle';
  client: unknown = undefined;
  reason: string | undefined = undefined;
  /** The attempt being made (connecting), that succeeded (connected) or that failed (waiting, failed); 0 after a loss. */
  attempt = 0;
  nextRetryMs: number | undefined = undefined;
  readonly users = new Set<ConnectionUser>();

  private generation = 0;
  /** Failed attempts since the last successful connect. */
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private abort: AbortController | undefined;
  private ctx: ConnectionContext | undefined;
  /** A loss reported while `connect` was still pending. */
  private lostEarly: string | undefined;
  /** The previous client's `disconnect`, awaited before the next connect. */
  private disposing: Promise<void> = Promise.resolve();
  /** Credential and secret config values of the current client, masked in everything reported. */
  private secrets: string[];

  constructor(
    readonly spec: CompiledConnection,
    private readonly host: SupervisorHost,
  ) {
    this.secrets = secretStrings(spec.secretValues);
  }

  get id(): string {
    return this.spec.id;
  }

  get type(): string {
    return this.spec.type;
  }

  /** The current state as the `connection` event carries it. */
  snapshot(): ConnectionEvent {
    return {
      id: this.id,
      type: this.type,
      ...(this.spec.name === undefined ? {} : { name: this.spec.name }),
      state: this.state,
      ...(this.reason === undefined ? {} : { reason: this.reason }),
      attempt: this.attempt,
      ...(this.nextRetryMs === undefined ? {} : { nextRetryMs: this.nextRetryMs }),
    };
  }

  /** Mask secrets in text that leaves the runtime (events, badges, logs, node errors). */
  redact(text: string): string {
    return redact(text, this.secrets);
  }

  /** Take a lease; the first one opens the connection. */
  addUser(user: ConnectionUser): void {
    this.users.add(user);
    if (this.state === 'idle') {
      this.failures = 0;
      this.attempt = 0;
      void this.connect();
    }
  }

  /** Give a lease back. Closing an unused connection is the supervisor's `sweep`, so a deploy can hand it from an old node to its replacement without a reconnect. */
  removeUser(user: ConnectionUser): void {
    this.users.delete(user);
  }

  private set(state: ConnectionState, reason?: string, nextRetryMs?: number): void {
    const previous = this.state;
    this.state = state;
    this.reason = reason === undefined ? undefined : this.redact(reason);
    this.nextRetryMs = nextRetryMs;
    const event = this.snapshot();
    const fields = { connectionId: this.id, connectionType: this.type, state, attempt: this.attempt, ...(this.reason === undefined ? {} : { reason: this.reason }) };
    if (state === 'connecting') this.host.log('debug', `connection "${this.id}" (${this.type}): connecting, attempt ${this.attempt}`, fields);
    else if (state === 'connected') this.host.log('info', `connection "${this.id}" (${this.type}): connected`, fields);
    else if (state === 'waiting') {
      this.host.log('warn', `connection "${this.id}" (${this.type}): ${this.reason}; retrying in ${nextRetryMs} ms`, { ...fields, code: 'CONNECTION_FAILED', nextRetryMs });
    } else if (state === 'failed') this.host.log('error', `connection "${this.id}" (${this.type}): ${this.reason}; not retrying until its entry or credentials change`, { ...fields, code: 'CONNECTION_FAILED' });
    else this.host.log('info', `connection "${this.id}" (${this.type}): closed`, fields);
    this.host.emitConnection(event);
    for (const user of [...this.users]) user.connectionChanged(this, previous);
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    const def = this.spec.def;
    this.attempt++;
    this.lostEarly = undefined;
    const abort = new AbortController();
    this.abort = abort;
    this.set('connecting');
    if (!def) {
      this.set('failed', `"${this.type}" is declared as a node type of category "connection", not with defineConnection, so the runtime cannot connect it`);
      return;
    }
    let client: unknown;
    let ctx: ConnectionContext;
    try {
      await this.disposing;
      if (generation !== this.generation) return;
      const credentials = await this.loadCredentials(def);
      if (generation !== this.generation) return;
      const dataDir = this.host.dataDir === undefined ? undefined : join(this.host.dataDir, 'connections', this.id);
      if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
      if (generation !== this.generation) return;
      ctx = this.context(def, credentials, dataDir, abort.signal, (reason) => this.onLost(generation, reason));
      const timeoutMs = def.connectTimeoutMs ?? this.host.connectTimeoutMs;
      const attempt = Promise.resolve().then(() => def.connect(ctx));
      try {
        client = await bounded(attempt, timeoutMs, `connect did not finish within ${timeoutMs} ms`, () => abort.abort());
      } catch (err) {
        // A connect that finishes after its timeout still produced a client someone must close.
        attempt.then((late) => (late == null ? undefined : this.dispose(late, ctx)), () => undefined);
        throw err;
      }
      if (client == null) throw new Error('connect resolved without a client');
      if (generation !== this.generation) throw SUPERSEDED;
      if (this.lostEarly !== undefined) throw new Error(this.lostEarly);
    } catch (err) {
      if (client != null) this.disposing = this.dispose(client, ctx!);
      if (err === SUPERSEDED || generation !== this.generation) return;
      abort.abort();
      if (err instanceof Unrecoverable) this.set('failed', err.message);
      else this.retry(reasonOf(err));
      return;
    }
    this.client = client;
    this.ctx = ctx;
    this.failures = 0;
    // No await between `connect` resolving and this: the onConnected listeners run in the same run
    // of microtasks, before any timer or I/O callback. Connection types rely on it (mqtt-broker
    // reads nothing the broker sent behind its CONNACK until the next macrotask).
    this.set('connected');
  }

  /** The parsed credentials, or an Unrecoverable error saying what is missing (never a value). */
  private async loadCredentials(def: AnyConnectionType): Promise<Record<string, unknown>> {
    let stored: Readonly<Record<string, unknown>> | undefined;
    try {
      stored = await this.host.credentials.get(this.id);
    } catch (err) {
      throw new Unrecoverable(err instanceof CredentialsError ? err.message : `reading the credentials failed: ${reasonOf(err)}`);
    }
    this.secrets = secretStrings([...this.spec.secretValues, ...Object.values(stored ?? {})]);
    if (!def.credentials) return {};
    const parsed = def.credentials.safeParse(stored ?? {});
    if (parsed.success) return parsed.data as Record<string, unknown>;
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.map(String).join('.') || '(root)'))];
    const what = stored === undefined ? 'no credentials are set' : 'the stored credentials do not fit the type';
    throw new Unrecoverable(`${what} (field ${fields.map((f) => `"${f}"`).join(', ')}: ${parsed.error.issues[0]?.message ?? 'invalid'}); set them with credentials.set("${this.id}", …)`);
  }

  private context(def: AnyConnectionType, credentials: Record<string, unknown>, dataDir: string | undefined, signal: AbortSignal, lost: (reason: string) => void): ConnectionContext {
    const log =
      (level: 'debug' | 'info' | 'warn' | 'error') =>
      (message: string, fields?: Record<string, unknown>): void =>
        this.host.log(level, this.redact(message), { ...redactFields(fields, this.secrets), connectionId: this.id, connectionType: def.type });
    const logger: NodeLogger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
    return {
      id: this.id,
      type: def.type,
      name: this.spec.name,
      config: this.spec.config,
      credentials,
      lost: (reason) => lost(reason === undefined ? 'the connection was lost' : reasonOf(reason)),
      log: logger,
      signal,
      dataDir,
    };
  }

  private onLost(generation: number, reason: string): void {
    if (generation !== this.generation) return; // a client the runtime already let go
    if (this.state === 'connecting') {
      this.lostEarly ??= reason;
      return;
    }
    if (this.state !== 'connected') return; // the second report of the same loss
    const client = this.client;
    const ctx = this.ctx!;
    this.client = undefined;
    this.ctx = undefined;
    this.abort?.abort();
    this.disposing = this.dispose(client, ctx);
    this.attempt = 0;
    this.retry(`connection lost: ${reason}`, false);
  }

  private retry(reason: string, failed = true): void {
    if (failed) this.failures++;
    const delay = backoffDelay(this.failures, this.host.backoff);
    this.set('waiting', reason, delay);
    const generation = this.generation;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (generation === this.generation && this.state === 'waiting') void this.connect();
    }, delay);
  }

  /** `disconnect` one client, bounded; a failure is logged, never thrown. */
  private async dispose(client: unknown, ctx: ConnectionContext): Promise<void> {
    const def = this.spec.def!;
    try {
      await bounded(Promise.resolve().then(() => def.disconnect(client, ctx)), this.host.closeTimeoutMs, `disconnect did not finish within ${this.host.closeTimeoutMs} ms`);
    } catch (err) {
      const code = err instanceof NodeError && err.code === 'TIMEOUT' ? 'TIMEOUT' : 'CONNECTION_FAILED';
      this.host.log('warn', `connection "${this.id}" (${this.type}): disconnect failed: ${this.redact(reasonOf(err))}`, { connectionId: this.id, connectionType: this.type, code });
    }
  }

  /** Close the client (bounded) and go idle. The connection can be opened again by a new user. */
  async close(): Promise<void> {
    this.generation++;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.abort?.abort();
    const client = this.client;
    const ctx = this.ctx;
    this.client = undefined;
    this.ctx = undefined;
    if (client !== undefined && ctx) this.disposing = this.dispose(client, ctx);
    if (this.state !== 'idle') {
      this.attempt = 0;
      this.set('idle');
    }
    await this.disposing;
  }
}

/**
 * The runtime's connection supervisor: one {@link SupervisedConnection} per connection entry of the
 * running document. A deploy hands it the new entries (`apply`): unchanged entries keep their
 * record and client, changed or removed ones are closed, new ones wait idle for a first user. After
 * the nodes started, `sweep` closes what no running node uses.
 */
export class ConnectionSupervisor {
  private records = new Map<string, SupervisedConnection>();

  constructor(private readonly host: SupervisorHost) {}

  /** The record of a connection entry of the running document. */
  get(id: string): SupervisedConnection | undefined {
    return this.records.get(id);
  }

  /** Current state of every connection entry. */
  states(): ConnectionEvent[] {
    return [...this.records.values()].map((r) => r.snapshot());
  }

  /**
   * Take the connection entries of a new deploy. Entries whose signature is unchanged keep their
   * record (and open client); changed and removed ones are closed, bounded, before this resolves,
   * so a replacement never runs beside the client it replaces.
   */
  async apply(next: ReadonlyMap<string, CompiledConnection>): Promise<void> {
    const previous = this.records;
    const records = new Map<string, SupervisedConnection>();
    const closing: SupervisedConnection[] = [];
    for (const [id, spec] of next) {
      const old = previous.get(id);
      if (old && old.spec.signature === spec.signature) records.set(id, old);
      else {
        if (old) closing.push(old);
        records.set(id, new SupervisedConnection(spec, this.host));
      }
    }
    for (const [id, old] of previous) if (!next.has(id)) closing.push(old);
    this.records = records;
    await Promise.all(closing.map((r) => r.close()));
  }

  /** Close every connection no running node uses. */
  async sweep(): Promise<void> {
    await Promise.all([...this.records.values()].filter((r) => r.users.size === 0 && r.state !== 'idle').map((r) => r.close()));
  }

  /** Close everything (runtime stop). */
  async stop(): Promise<void> {
    const all = [...this.records.values()];
    this.records = new Map();
    await Promise.all(all.map((r) => r.close()));
  }
}

/** Options of {@link testConnection}. */
export interface TestConnectionInput {
  readonly spec: CompiledConnection;
  /** Parsed credentials (from the store or given for the test). */
  readonly credentials: Record<string, unknown>;
  readonly timeoutMs: number;
  readonly closeTimeoutMs: number;
  readonly dataDir: string | undefined;
  readonly log: SupervisorHost['log'];
}

/**
 * The editor's "test connection": the type's own `test`, else a connect and a disconnect, all
 * bounded by `timeoutMs`. Independent of the supervised client (a running connection is not
 * disturbed). Never throws: every failure is `{ok: false, message}` with secrets masked.
 */
export async function testConnection(input: TestConnectionInput): Promise<{ ok: boolean; message: string; durationMs: number }> {
  const { spec, credentials, timeoutMs } = input;
  const def = spec.def!;
  const secrets = secretStrings([...spec.secretValues, ...Object.values(credentials)]);
  const t0 = performance.now();
  const abort = new AbortController();
  const log =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: Record<string, unknown>): void =>
      input.log(level, redact(message, secrets), { ...redactFields(fields, secrets), connectionId: spec.id, connectionType: def.type, test: true });
  const dataDir = input.dataDir === undefined ? undefined : join(input.dataDir, 'connections', spec.id);
  const ctx: ConnectionContext = {
    id: spec.id,
    type: def.type,
    name: spec.name,
    config: spec.config,
    credentials,
    lost: () => undefined,
    log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    signal: abort.signal,
    dataDir,
  };
  const finish = (ok: boolean, message: string) => ({ ok, message: redact(message, secrets), durationMs: Math.round(performance.now() - t0) });
  try {
    if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
    if (def.test) {
      const result = await bounded(Promise.resolve().then(() => def.test!(ctx)), timeoutMs, `the test did not finish within ${timeoutMs} ms`, () => abort.abort());
      return finish(result?.ok === true, typeof result?.message === 'string' ? result.message : result?.ok === true ? 'ok' : 'the test failed');
    }
    const attempt = Promise.resolve().then(() => def.connect(ctx));
    let client: unknown;
    try {
      client = await bounded(attempt, timeoutMs, `connect did not finish within ${timeoutMs} ms`, () => abort.abort());
    } catch (err) {
      attempt.then((late) => (late == null ? undefined : def.disconnect(late, ctx)), () => undefined).catch(() => undefined);
      throw err;
    }
    if (client == null) return finish(false, 'connect resolved without a client');
    const connectedMs = Math.round(performance.now() - t0);
    abort.abort();
    await bounded(Promise.resolve().then(() => def.disconnect(client, ctx)), input.closeTimeoutMs, `disconnect did not finish within ${input.closeTimeoutMs} ms`).catch((err: unknown) =>
      log('warn')(`disconnecting after the test failed: ${reasonOf(err)}`),
    );
    return finish(true, `connected in ${connectedMs} ms`);
  } catch (err) {
    abort.abort();
    return finish(false, reasonOf(err));
  }
}
