import type { DeliveryOutcome } from '@plantwire/node-sdk';
import { describe, expect, it } from 'vitest';
import { DeliveryToken } from './delivery-token.js';

const microtasks = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('DeliveryToken', () => {
  it('settles once, after the last holder released, with the worst outcome, never synchronously', async () => {
    const got: DeliveryOutcome[] = [];
    const token = new DeliveryToken((o) => got.push(o), () => undefined);
    token.retain();
    token.retain();
    token.release('delivered'); // the creator's hold
    token.release('failed');
    expect(got).toEqual([]);
    token.note('dropped');
    token.release('delivered');
    expect(got).toEqual([]); // a microtask later
    await microtasks();
    expect(got).toEqual(['dropped']);
  });

  it('a join holds every parent until it settles, and hands its outcome on', async () => {
    const got: string[] = [];
    const a = new DeliveryToken((o) => got.push(`a:${o}`), () => undefined);
    const b = new DeliveryToken((o) => got.push(`b:${o}`), () => undefined);
    const join = DeliveryToken.join([a, b], () => undefined);
    a.release('delivered');
    b.release('delivered');
    await microtasks();
    expect(got).toEqual([]);
    join.release('failed');
    await microtasks();
    expect(got.sort()).toEqual(['a:failed', 'b:failed']);
  });

  it('reports a throwing callback instead of letting it escape', async () => {
    const reported: unknown[] = [];
    const token = new DeliveryToken(() => {
      throw new Error('boom');
    }, (err) => reported.push(err));
    token.release('delivered');
    await microtasks();
    expect(reported).toEqual([new Error('boom')]);
  });
});
