import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { debug } from '../debug/debug.node.js';
import document from './template.flow.json';
import { template } from './template.node.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe('template, in a running flow', () => {
  it('renders a JSON record with the document\'s environment, then a text line from it', async () => {
    flow = await runFlow(document, { nodeTypes: [template, debug] });
    flow.inject('record', { topic: 'boiler/temp', payload: { value: 21.5, quality: 'good', sourceTime: '2024-03-01T10:00:00.000Z' } });
    const out = await flow.next('line', { timeoutMs: 2000 });
    expect(out.payload).toEqual({ line: 'L1', tag: 'boiler/temp', value: 21.5, quality: 'good' });
    expect(out.text).toBe('L1 boiler/temp=21.5 (good)');
  });

  it('reports JSON that the template made invalid as DECODE_FAILED on the node', async () => {
    flow = await runFlow(document, { nodeTypes: [template, debug] });
    flow.inject('record', { _msgid: 'm1', topic: 'boiler/temp', payload: { value: 'n/a', quality: 'bad' } });
    await flow.waitFor(() => flow!.errors.length === 1, { timeoutMs: 2000 });
    expect(flow.errors[0]).toMatchObject({ nodeId: 'record', msgId: 'm1', code: 'DECODE_FAILED', message: expect.stringContaining('position') });
    expect(flow.sent('record')).toEqual([]);
  });
});
