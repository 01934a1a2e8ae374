import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { debug } from '../debug/debug.node.js';
import { rateLimit } from '../rate-limit/rate-limit.node.js';
import document from './status.flow.json';
import { statusNode } from './status.node.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe('status, in a running flow', () => {
  it('sends a message for each badge change of a watched node, with its source', async () => {
    flow = await runFlow(document, { nodeTypes: [rateLimit, statusNode, debug] });
    flow.inject('limiter', { payload: 1 });
    flow.inject('limiter', { payload: 2 }); // over the limit: dropped, and the badge says so
    const msg = await flow.next('status-limiter');
    expect(msg['status']).toEqual({
      fill: 'yellow',
      shape: 'ring',
      text: '1 dropped',
      source: expect.objectContaining({ id: 'limiter', type: 'rate-limit', tab: 'plant' }),
    });
    await flow.waitFor(() => flow!.debug.length === 1);
    expect(flow.debug[0]).toMatchObject({ nodeId: 'badges', value: { text: '1 dropped' } });
  });

  it('a tab scope covers only the status node\'s own tab', async () => {
    flow = await runFlow(document, { nodeTypes: [rateLimit, statusNode, debug] });
    flow.inject('limiter', { payload: 1 });
    flow.inject('limiter', { payload: 2 });
    expect(await flow.next('status-plant-tab')).toMatchObject({ status: { text: '1 dropped', source: { id: 'limiter' } } });
    await flow.next('status-limiter');
    // The monitor tab's status node does not watch the plant tab.
    expect(flow.sent('status-monitor-tab')).toEqual([]);
  });
});
