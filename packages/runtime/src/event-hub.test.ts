import { describe, expect, it } from 'vitest';
import { EventHub } from './event-hub.js';

describe('EventHub', () => {
  it('calls listeners in order, counts them, and a throwing listener neither stops the others nor escapes', () => {
    const failures: unknown[] = [];
    const hub = new EventHub<{ tick: number }>((err) => failures.push(err));
    const seen: string[] = [];
    hub.on('tick', (n) => seen.push(`a${n}`));
    hub.on('tick', () => {
      throw new Error('listener bug');
    });
    const off = hub.on('tick', (n) => seen.push(`c${n}`));
    expect(hub.count('tick')).toBe(3);
    hub.emit('tick', 1);
    expect(seen).toEqual(['a1', 'c1']);
    expect(failures).toHaveLength(1);
    off();
    off();
    expect(hub.count('tick')).toBe(2);
    hub.emit('tick', 2);
    expect(seen).toEqual(['a1', 'c1', 'a2']);
  });

  it('lets a listener unsubscribe during an emit without skipping its neighbour', () => {
    const hub = new EventHub<{ e: void }>(() => {});
    const seen: string[] = [];
    const offA = hub.on('e', () => {
      seen.push('a');
      offA();
    });
    hub.on('e', () => seen.push('b'));
    hub.emit('e', undefined);
    hub.emit('e', undefined);
    expect(seen).toEqual(['a', 'b', 'b']);
  });
});
