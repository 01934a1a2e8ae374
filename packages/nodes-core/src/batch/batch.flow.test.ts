import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { debug } from '../debug/debug.node.js';
import document from './batch.flow.json';
import { batch } from './batch.node.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe('batch, in a running flow', () => {
  it('sends arrays of payloads as a sliding window', async () => {
    flow = await runFlow(document, { nodeTypes: [batch, debug] });
    for (const payload of [1, 2, 3, 4, 5, 6]) flow.inject('rows', { topic: 'line1', payload });
    const batches = await flow.take('rows', 2);
    expect(batches).toEqual([
      { _msgid: expect.any(String), topic: 'line1', payload: [1, 2, 3] },
      { _msgid: expect.any(String), topic: 'line1', payload: [3, 4, 5] },
    ]);
    await flow.waitFor(() => flow!.debug.length === 2);
    expect(flow.debug.map((d) => d.value)).toEqual([[1, 2, 3], [3, 4, 5]]);
  });
});
