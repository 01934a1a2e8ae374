import { describe, expect, it } from 'vitest';
import { newMessageId, toMessage } from './message.js';

describe('message ids', () => {
  it('are unique', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newMessageId()));
    expect(ids.size).toBe(10_000);
  });

  it('toMessage keeps a message that has an id and copies one that has none, never mutating it', () => {
    const withId = { _msgid: 'm1', payload: 1 };
    expect(toMessage(withId)).toBe(withId);
    const init = Object.freeze({ payload: 2, topic: 't' });
    const msg = toMessage(init);
    expect(msg).not.toBe(init);
    expect(msg).toEqual({ _msgid: expect.any(String), payload: 2, topic: 't' });
    expect(init).toEqual({ payload: 2, topic: 't' });
  });

  it('gives an id to a message whose _msgid is present but undefined', () => {
    const msg = toMessage({ _msgid: undefined, payload: 3 });
    expect(typeof msg._msgid).toBe('string');
  });
});
