import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { debug } from '../debug/debug.node.js';
import { filter } from '../filter/filter.node.js';
import document from './complete.flow.json';
import { complete } from './complete.node.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe('complete, in a running flow', () => {
  it('receives every message the watched node finished, passed on or not, but not the ones it failed on', async () => {
    flow = await runFlow(document, { nodeTypes: [filter, complete, debug] });
    flow.inject('deadband', { _msgid: 'm1', payload: 10 });
    flow.inject('deadband', { _msgid: 'm2', payload: 10.4 }); // within the band: finished, not sent on
    flow.inject('deadband', { _msgid: 'm3', payload: 'offline' }); // fails: not complete
    flow.inject('deadband', { _msgid: 'm4', payload: 12 });
    const done = await flow.take('done', 3);
    // Unchanged: the same messages, ids and all.
    expect(done).toEqual([
      { _msgid: 'm1', payload: 10 },
      { _msgid: 'm2', payload: 10.4 },
      { _msgid: 'm4', payload: 12 },
    ]);
    expect(flow.sent('deadband').map((m) => m.payload)).toEqual([10, 12]);
    expect(flow.errors).toEqual([expect.objectContaining({ nodeId: 'deadband', msgId: 'm3' })]);
    await flow.waitFor(() => flow!.debug.filter((d) => d.nodeId === 'acknowledged').length === 3);
  });
});
