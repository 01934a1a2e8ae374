import type { Message, MessageInit } from '@plantwire/node-sdk';

// A random part and the start time, computed once, make ids unique across processes and restarts;
// the counter makes them unique within the process. One base-36 conversion of a small number per
// id keeps this off the profile (a `Date.now().toString(36)` per id costs ~10× more).
const PREFIX = `${Math.floor(Math.random() * 0xffffff).toString(36)}${Date.now().toString(36)}-`;
let counter = 0;

/** A new message id, unique within the process and across restarts; cheap enough for every message. */
export function nextMessageId(): string {
  counter = counter === Number.MAX_SAFE_INTEGER ? 1 : counter + 1;
  return PREFIX + counter.toString(36);
}

/**
 * The message itself when it has an id, else a copy with a new one. The input is never mutated.
 * `Object.assign` onto a literal rather than `{...init, _msgid}`: on Node 20's V8, adding a
 * property to a spread copy takes a slow path (~5× slower), and this runs for every emitted or
 * injected message.
 */
export function withMessageId(init: MessageInit): Message {
  if (typeof init._msgid === 'string') return init as Message;
  const id = nextMessageId();
  const msg = Object.assign({ _msgid: id }, init) as { _msgid: string };
  // `init` may carry an own `_msgid: undefined`, which Object.assign copied over the new id.
  if (msg._msgid !== id) msg._msgid = id;
  return msg as Message;
}
