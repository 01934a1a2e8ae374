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

let counter = 0;
const prefix = Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0');

/** A new message id: unique within the process, cheap (no crypto on the hot path). */
export function newMessageId(): string {
  counter = (counter + 1) >>> 0;
  return `${prefix}${Date.now().toString(36)}${counter.toString(36)}`;
}

/** Gives a message an id if it has none, without copying one that has. */
export function toMessage(init: MessageInit): Message {
  return typeof init._msgid === 'string' ? (init as Message) : ({ ...init, _msgid: newMessageId() } as Message);
}
