import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { debug } from '../debug/debug.node.js';
import document from './rate-limit.flow.json';
import { rateLimit } from './rate-limit.node.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe('rate-limit, in a running flow', () => {
  it('sends each tag at most once per interval, the latest value of a burst last', async () => {
    flow = await runFlow(document, { nodeTypes: [rateLimit, debug] });
    for (const payload of [1, 2, 3]) flow.inject('per-tag', { topic: 'temp', payload });
    flow.inject('per-tag', { topic: 'flow', payload: 9 });
    const first = await flow.take('per-tag', 2);
    expect(first.map((m) => `${m.topic}=${String(m.payload)}`)).toEqual(['temp=1', 'flow=9']);
    const started = Date.now();
    const latest = await flow.next('per-tag');
    expect(`${latest.topic}=${String(latest.payload)}`).toBe('temp=3');
    expect(Date.now() - started).toBeGreaterThan(50);
    // temp=2 was replaced by temp=3 and counted on the badge.
    await flow.waitFor(() => flow!.statuses.some((s) => s.nodeId === 'per-tag' && s.status?.text?.includes('1 dropped') === true));
  });
});
