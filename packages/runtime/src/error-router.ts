import { NodeError, newMessageId, type ErrorCode, type Message, type NodeAddress } from '@plantwire/node-sdk';
import type { NodeErrorEvent } from './api.js';

/**
 * How many times one message may go through error routing before the runtime calls it a loop
 * (a catch node wired to a node that fails again on the caught message, and so on).
 */
export const MAX_ERROR_HOPS = 10;

/** The `error` property the runtime adds to a failed message on its way to an error port or catch node. */
export interface RoutedError {
  readonly message: string;
  readonly code: string;
  readonly source: NodeAddress;
  /** How many times this message has gone through error routing, this time included. */
  readonly count: number;
}

/** A catch node as the router sees it. */
export interface ErrorWatcher {
  /** Send a message out of the watcher's first output, as if the watcher had emitted it. */
  deliverWatched(msg: Message): void;
}

/** The node an error belongs to, as the router sees it. */
export interface ErrorOrigin {
  readonly address: NodeAddress;
  /** True when the node's implicit `error` port has a wire. */
  readonly errorPortWired: boolean;
  readonly catchers: readonly ErrorWatcher[];
  readonly uncaughtCatchers: readonly ErrorWatcher[];
  /** Send out of the node's `error` port; `direct` when raised while the node handles a message. */
  sendErrorPort(msg: Message, direct: boolean): void;
}

/** Where the router reports. */
export interface ErrorRouterHost {
  emitError(event: NodeErrorEvent): void;
  logFor(level: 'debug' | 'warn' | 'error', message: string, fields: Record<string, unknown>, nodeId: string): void;
  /** Show the failure on the node's badge. */
  markFailed(origin: ErrorOrigin, text: string): void;
}

/** Options of {@link routeError}. */
export interface RouteErrorOptions {
  /** True when raised while the node handles a message: sending may hold the node (backpressure). */
  readonly direct: boolean;
  /** The code when the thrown value carries none of its own (e.g. SETUP_FAILED). Default NODE_FAILED. */
  readonly code?: ErrorCode;
  /** Text put before the thrown value's message (e.g. "setup failed"). */
  readonly context?: string;
}

/**
 * Route one node error: to the node's `error` port if wired, else to the catch nodes in scope
 * (the uncaught-only ones only when no other catch node covers the node), else to the log and a
 * red badge. Emits the {@link NodeErrorEvent} and returns it. A message that has already been
 * through error routing {@link MAX_ERROR_HOPS} times is not routed again: the loop is broken with
 * an ERROR_LOOP log entry.
 *
 * @example
 * routeError(origin, new NodeError('DECODE_FAILED', 'bad JSON'), msg, { direct: true }, host);
 */
export function routeError(origin: ErrorOrigin, thrown: unknown, msg: Message | undefined, options: RouteErrorOptions, host: ErrorRouterHost): NodeErrorEvent {
  const described = describeThrown(thrown);
  const code = thrown instanceof NodeError ? thrown.code : (options.code ?? 'NODE_FAILED');
  const message = options.context ? `${options.context}: ${described.message}` : described.message;
  const source = origin.address;
  const hops = errorHopsOf(msg);
  const fields: Record<string, unknown> = { code, type: source.type, tab: source.tab, msgId: msg?._msgid, ...described.fields };

  if (hops >= MAX_ERROR_HOPS) {
    const event: NodeErrorEvent = { nodeId: source.id, type: source.type, tab: source.tab, msgId: msg?._msgid, code: 'ERROR_LOOP', message: `error loop broken: message ${msg?._msgid} went through error routing ${hops} times; last error: ${message}`, handledBy: 'log' };
    host.logFor('error', event.message, { ...fields, code: 'ERROR_LOOP', cause: code }, source.id);
    host.emitError(event);
    return event;
  }

  const error: RoutedError = { message, code, source, count: hops + 1 };
  const errorMsg: Message = msg ? { ...msg, error } : { _msgid: newMessageId(), payload: undefined, error };
  let handledBy: NodeErrorEvent['handledBy'];
  if (origin.errorPortWired) {
    handledBy = 'port';
    origin.sendErrorPort(errorMsg, options.direct);
  } else {
    const catchers = origin.catchers.length !== 0 ? origin.catchers : origin.uncaughtCatchers;
    if (catchers.length !== 0) {
      handledBy = 'catch';
      for (const c of catchers) c.deliverWatched(errorMsg);
    } else {
      handledBy = 'log';
    }
  }
  if (handledBy === 'log') {
    host.logFor('error', message, fields, source.id);
    host.markFailed(origin, message);
  } else {
    host.logFor('debug', message, { ...fields, handledBy }, source.id);
  }
  const event: NodeErrorEvent = { nodeId: source.id, type: source.type, tab: source.tab, msgId: msg?._msgid, code, message, handledBy };
  host.emitError(event);
  return event;
}

/** How many times a message has been through error routing (0 for a fresh one). */
export function errorHopsOf(msg: Message | undefined): number {
  const e = msg?.['error'];
  if (e !== null && typeof e === 'object') {
    const count = (e as { count?: unknown }).count;
    if (typeof count === 'number' && Number.isFinite(count)) return count;
  }
  return 0;
}

/** A readable message (and log fields) for anything a node may throw. */
export function describeThrown(thrown: unknown): { message: string; fields: Record<string, unknown> } {
  if (thrown instanceof NodeError) {
    const fields: Record<string, unknown> = {};
    if (thrown.details) fields['details'] = thrown.details;
    if (thrown.cause !== undefined) fields['cause'] = describeThrown(thrown.cause).message;
    return { message: thrown.message, fields };
  }
  if (thrown instanceof Error) {
    const fields: Record<string, unknown> = { errorName: thrown.name };
    if (thrown.stack) fields['stack'] = thrown.stack;
    if (thrown.cause !== undefined) fields['cause'] = describeThrown(thrown.cause).message;
    return { message: thrown.message || thrown.name, fields };
  }
  if (typeof thrown === 'string') return { message: thrown, fields: {} };
  let text: string;
  try {
    text = JSON.stringify(thrown) ?? String(thrown);
  } catch {
    // A value that JSON cannot show (a cycle, a BigInt): its string form is the best we have.
    text = String(thrown);
  }
  return { message: `a non-Error value was thrown: ${text}`, fields: {} };
}
