import { describe, expect, it } from 'vitest';
import { createLoginRateLimiter } from './login-rate-limiter.js';
import { createSessionStore } from './session-store.js';

describe('createSessionStore', () => {
  it('gives 32-byte tokens that expire and can be revoked, telling listeners', () => {
    let now = 0;
    const store = createSessionStore({ ttlMs: 1000, now: () => now });
    const { token, session } = store.create('admin', 'admin');
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(store.get(token)).toEqual(session);
    expect(store.get('nope')).toBeUndefined();
    const revoked: string[] = [];
    store.onRevoked((s) => revoked.push(s.user));
    now = 1000;
    expect(store.get(token)).toBeUndefined();
    expect(revoked).toEqual(['admin']);
    const second = store.create('editor', 'editor');
    expect(store.revoke(second.token)).toBe(true);
    expect(store.revoke(second.token)).toBe(false);
    expect(store.size()).toBe(0);
  });
});

describe('createLoginRateLimiter', () => {
  it('allows `max` attempts per address per window, then says how long to wait', () => {
    let now = 0;
    const limiter = createLoginRateLimiter({ max: 3, windowMs: 60_000, now: () => now });
    expect([1, 2, 3].map(() => limiter.attempt('a'))).toEqual([0, 0, 0]);
    expect(limiter.attempt('a')).toBe(60);
    expect(limiter.attempt('b')).toBe(0);
    now = 30_000;
    expect(limiter.attempt('a')).toBe(30);
    now = 60_000;
    expect(limiter.attempt('a')).toBe(0);
    limiter.reset('a');
  });
});
