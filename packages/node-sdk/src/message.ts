/**
 * A message travelling on a wire: a plain, immutable object with an id, as Node-RED users expect,
 * so their function code ports. Nodes never mutate a message they receive; they return a new one
 * (`{...msg, payload: x}`), so fan-out hands the same object to every branch without a clone.
 */
export interface Message {
  readonly _msgid: string;
  readonly payload?: unknown;
  readonly topic?: string;
  readonly [key: string]: unknown;
}

/** What a node may hand to `emit`/return: a message, with or without an id of its own yet. */
export type MessageInit = Omit<Message, '_msgid'> & { readonly _msgid?: string };

/** An industrial value as devices give it: with quality and timestamps. */
export interface TagValue<T = unknown> {
  readonly value: T;
  readonly quality: 'good' | 'uncertain' | 'bad';
  /** ISO-8601 time the device sampled the value. */
  readonly sourceTime: string;
  readonly serverTime?: string;
  readonly unit?: string;
  /** Why the quality is not good. */
  readonly reason?: string;
}

// A random part and the start time, computed once, make ids unique across processes and restarts;
// the counter makes them unique within the process. One base-36 conversion of a small number per
// id keeps this off the profile (a `Date.now().toString(36)` per id costs ~10× more).
const PREFIX = `${Math.floor(Math.random() * 0xffffff).toString(36)}${Date.now().toString(36)}-`;
let counter = 0;

/** A new message id, unique within the process and across restarts; cheap enough for every message. */
export function newMessageId(): string {
  counter = counter === Number.MAX_SAFE_INTEGER ? 1 : counter + 1;
  return PREFIX + counter.toString(36);
}

/**
 * The message itself when it has an id, else a copy with a new one. The input is never mutated.
 * `Object.assign` onto a literal rather than `{...init, _msgid}`: on Node 20's V8, adding a
 * property to a spread copy takes a slow path (~5× slower), and this runs for every emitted or
 * injected message.
 */
export function toMessage(init: MessageInit): Message {
  if (typeof init._msgid === 'string') return init as Message;
  const id = newMessageId();
  const msg = Object.assign({ _msgid: id }, init) as { _msgid: string };
  // `init` may carry an own `_msgid: undefined`, which Object.assign copied over the new id.
  if (msg._msgid !== id) msg._msgid = id;
  return msg as Message;
}
