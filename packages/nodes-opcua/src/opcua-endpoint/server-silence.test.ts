import { describe, expect, it } from 'vitest';
import { formatSeconds, ServerSilence } from './server-silence.js';

describe('ServerSilence', () => {
  it('counts from the start of the watch while the last answer is older (node-opcua starts it in 1901)', () => {
    let now = 10_000;
    const silence = new ServerSilence(2000, () => new Date(1, 1, 1970).getTime(), () => now);
    now += 2000;
    expect(silence.silent()).toBe(false);
    now += 1;
    expect(silence.silent()).toBe(true);
    expect(silence.silentMs).toBe(2001);
  });

  it('counts from the last answer once there is one', () => {
    let now = 10_000;
    let last = 0;
    const silence = new ServerSilence(2000, () => last, () => now);
    now += 5000;
    last = now - 100;
    expect(silence.silent()).toBe(false);
    expect(silence.silentMs).toBe(100);
  });

  it('checks at a tenth of the timeout within 50–500 ms, and keeps the session alive within a third of the timeout and two thirds of the session timeout', () => {
    expect(ServerSilence.checkPeriodFor(2000)).toBe(200);
    expect(ServerSilence.checkPeriodFor(100)).toBe(50);
    expect(ServerSilence.checkPeriodFor(60_000)).toBe(500);
    expect(ServerSilence.keepAliveIntervalFor(5000, 60_000)).toBe(1666);
    expect(ServerSilence.keepAliveIntervalFor(5000, 1500)).toBe(1000);
  });

  it('says the silence in seconds', () => {
    expect(formatSeconds(2000)).toBe('2 s');
    expect(formatSeconds(2149)).toBe('2.1 s');
  });
});
