import { describe, expect, it } from 'vitest';
import { PublishWatchdog } from './publish-watchdog.js';

describe('PublishWatchdog', () => {
  it('derives its limit from the revised publishing interval and keep-alive count', () => {
    expect(PublishWatchdog.limitFor(100, 10, 3)).toBe(3000);
    expect(PublishWatchdog.limitFor(0, 0, 2)).toBe(2);
  });

  it('counts as stalled only after a silence longer than the limit, and activity resets it', () => {
    let now = 1000;
    const dog = new PublishWatchdog(300, () => now);
    now += 300;
    expect(dog.stalled()).toBe(false);
    now += 1;
    expect(dog.stalled()).toBe(true);
    dog.activity();
    expect(dog.stalled()).toBe(false);
    expect(dog.silentMs).toBe(0);
  });
});
