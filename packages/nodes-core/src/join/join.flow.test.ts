import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { catchNode } from '../catch/catch.node.js';
import { debug } from '../debug/debug.node.js';
import document from './join.flow.json';
import { join } from './join.node.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe('join, in a running flow', () => {
  it('collects tag values into one record keyed by topic', async () => {
    flow = await runFlow(document, { nodeTypes: [join, catchNode, debug] });
    flow.inject('record', { topic: 'temperature', payload: 81.5 });
    flow.inject('record', { topic: 'pressure', payload: 2.1 });
    flow.inject('record', { topic: 'level', payload: 0.7, line: 'L1' });
    const record = await flow.next('record');
    expect(record).toEqual({ _msgid: expect.any(String), topic: 'level', line: 'L1', payload: { temperature: 81.5, pressure: 2.1, level: 0.7 } });
  });

  it('sends early on msg.complete, and reports a message without a key to catch nodes', async () => {
    flow = await runFlow(document, { nodeTypes: [join, catchNode, debug] });
    flow.inject('record', { topic: 'temperature', payload: 81.5 });
    flow.inject('record', { _msgid: 'no-key', payload: 3 });
    flow.inject('record', { complete: true });
    expect((await flow.next('record')).payload).toEqual({ temperature: 81.5 });
    expect(await flow.next('catch-all')).toMatchObject({ _msgid: 'no-key', error: { code: 'INPUT_INVALID', source: { id: 'record' } } });
  });
});
