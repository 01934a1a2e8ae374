import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { debug } from '../debug/debug.node.js';
import document from './filter.flow.json';
import { filter } from './filter.node.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

const tag = (value: number | null, quality: 'good' | 'bad' = 'good') => ({ value, quality, sourceTime: '2024-05-01T12:00:00.000Z' });

describe('filter, in a running flow', () => {
  it('reports each tag by exception with a deadband, and always reports a quality change', async () => {
    flow = await runFlow(document, { nodeTypes: [filter, debug] });
    const readings: Array<[string, ReturnType<typeof tag>]> = [
      ['boiler/temp', tag(80)],
      ['boiler/pressure', tag(2.1)],
      ['boiler/temp', tag(80.2)], // within 0.5 of 80
      ['boiler/pressure', tag(2.2)], // within 0.5 of 2.1
      ['boiler/temp', tag(80.6)], // 0.6 from the last value sent
      ['boiler/temp', tag(null, 'bad')], // sensor lost: a quality change always passes
      ['boiler/temp', tag(null, 'bad')],
      ['boiler/temp', tag(80.6)], // back to good
    ];
    for (const [topic, payload] of readings) flow.inject('tags', { topic, payload });
    const sent = await flow.take('tags', 5);
    expect(sent.map((m) => [m.topic, (m.payload as { value: unknown }).value, (m.payload as { quality: string }).quality])).toEqual([
      ['boiler/temp', 80, 'good'],
      ['boiler/pressure', 2.1, 'good'],
      ['boiler/temp', 80.6, 'good'],
      ['boiler/temp', null, 'bad'],
      ['boiler/temp', 80.6, 'good'],
    ]);
    await flow.waitFor(() => flow!.metrics()['tags']?.in === readings.length);
    expect(flow.sent('tags')).toHaveLength(5);
    expect(flow.errors).toEqual([]);
    await flow.waitFor(() => flow!.debug.length === 5);
  });
});
