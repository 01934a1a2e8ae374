import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { debug } from '../debug/debug.node.js';
import { join } from '../join/join.node.js';
import document from './split.flow.json';
import { split } from './split.node.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe('split → join, in a running flow', () => {
  it('splits an object into one message per key and joins it back', async () => {
    flow = await runFlow(document, { nodeTypes: [split, join, debug] });
    const reading = { temperature: 81.5, pressure: 2.1, running: true };
    flow.inject('readings', { _msgid: 'r', topic: 'boiler', payload: reading });
    const parts = await flow.take('readings', 3);
    expect(parts.map((m) => [m.topic, m.payload, m['parts']])).toEqual([
      ['temperature', 81.5, { id: 'r', index: 0, count: 3, type: 'object', key: 'temperature' }],
      ['pressure', 2.1, { id: 'r', index: 1, count: 3, type: 'object', key: 'pressure' }],
      ['running', true, { id: 'r', index: 2, count: 3, type: 'object', key: 'running' }],
    ]);
    const joined = await flow.next('rebuild');
    expect(joined.payload).toEqual(reading);
    expect(joined).not.toHaveProperty('parts');
  });

  it('rebuilds arrays and strings, several at once', async () => {
    flow = await runFlow(document, { nodeTypes: [split, join, debug] });
    flow.inject('readings', { payload: [1, 2, 3] });
    flow.inject('readings', { payload: 'line one\nline two' });
    const joined = await flow.take('rebuild', 2);
    expect(joined.map((m) => m.payload)).toEqual([[1, 2, 3], 'line one\nline two']);
  });
});
