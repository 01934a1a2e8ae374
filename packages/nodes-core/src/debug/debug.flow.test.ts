import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import document from './debug.flow.json';
import { debug } from './debug.node.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe('debug, in a running flow', () => {
  it('puts the chosen property, or the whole message, on the debug channel with its address', async () => {
    flow = await runFlow(document, { nodeTypes: [debug] });
    flow.inject('temperature', { _msgid: 'm1', payload: { temperature: 21.5 }, topic: 'boiler' });
    flow.inject('whole', { _msgid: 'm2', payload: 1, topic: 'x' });
    flow.inject('muted', { _msgid: 'm3', payload: 'not shown' });
    flow.inject('temperature', { _msgid: 'm4', payload: 'no temperature here' });
    await flow.waitFor(() => flow!.metrics()['muted']?.in === 1 && flow!.metrics()['temperature']?.in === 2 && flow!.debug.length >= 3);

    // Each node keeps its own order; between nodes the scheduler decides, so compare per node.
    const printed = (nodeId: string) => flow!.debug.filter((d) => d.nodeId === nodeId).map(({ nodeName, msgId, value }) => ({ nodeName, msgId, value }));
    expect(printed('temperature')).toEqual([
      { nodeName: 'temperature', msgId: 'm1', value: 21.5 },
      { nodeName: 'temperature', msgId: 'm4', value: undefined },
    ]);
    expect(printed('whole')).toEqual([{ nodeName: undefined, msgId: 'm2', value: { _msgid: 'm2', payload: 1, topic: 'x' } }]);
    expect(printed('muted')).toEqual([]);
    await flow.waitFor(() => flow!.statuses.some((s) => s.nodeId === 'temperature' && s.status?.text === '2'), { timeoutMs: 2000 });
    expect(flow.errors).toEqual([]);
  });
});
