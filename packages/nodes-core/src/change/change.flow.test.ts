import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { debug } from '../debug/debug.node.js';
import document from './change.flow.json';
import { change } from './change.node.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe('change, in a running flow', () => {
  it('normalises a raw reading through two change nodes without touching the original', async () => {
    flow = await runFlow(document, { nodeTypes: [change, debug] });
    const raw = { _msgid: 'r1', payload: { sensor: 'boiler', t: 20 } };
    flow.inject('normalise', raw);
    const out = await flow.next('tag', { timeoutMs: 2000 });
    expect(out).toEqual({
      _msgid: 'r1',
      topic: 'L1/boiler/temperature',
      payload: { celsius: 20, fahrenheit: 68, line: 'L1' },
      quality: 'good',
      source: 'L1/boiler/temperature',
    });
    expect(raw).toEqual({ _msgid: 'r1', payload: { sensor: 'boiler', t: 20 } });
    await flow.waitFor(() => flow!.debug.length === 1);
    expect(flow.debug[0]!.value).toEqual(out);
  });

  it('reports a failing expression as EXPRESSION_FAILED from the node, and carries on', async () => {
    flow = await runFlow(document, { nodeTypes: [change, debug] });
    flow.inject('normalise', { _msgid: 'bad', payload: { sensor: 'boiler', t: 'hot' } });
    flow.inject('normalise', { _msgid: 'good', payload: { sensor: 'boiler', t: 30 } });
    const out = await flow.next('tag', { timeoutMs: 2000 });
    expect(out._msgid).toBe('good');
    await flow.waitFor(() => flow!.errors.length === 1);
    expect(flow.errors[0]).toMatchObject({ nodeId: 'normalise', msgId: 'bad', code: 'EXPRESSION_FAILED', message: expect.stringContaining('rule 1 (set payload.fahrenheit)') });
  });
});
