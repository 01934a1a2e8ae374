import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { debug } from '../debug/debug.node.js';
import { range } from '../range/range.node.js';
import document from './csv.flow.json';
import { csv } from './csv.node.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe('csv, in a running flow', () => {
  it('splits a logger export into one message per row and scales each', async () => {
    flow = await runFlow(document, { nodeTypes: [csv, range, debug] });
    flow.inject('rows', { _msgid: 'export1', payload: 'time;tag;raw\n10:00;ai0;0\n10:01;ai0;13824\n10:02;ai0;27648\n' });
    const rows = await flow.take('scale', 3, { timeoutMs: 2000 });
    expect(rows.map((m) => m.payload)).toEqual([
      { time: '10:00', tag: 'ai0', raw: 0 },
      { time: '10:01', tag: 'ai0', raw: 50 },
      { time: '10:02', tag: 'ai0', raw: 100 },
    ]);
    expect(rows.map((m) => m.parts)).toEqual([0, 1, 2].map((index) => ({ id: 'export1', index, count: 3 })));
  });

  it('reports a broken file as DECODE_FAILED with the line', async () => {
    flow = await runFlow(document, { nodeTypes: [csv, range, debug] });
    flow.inject('rows', { payload: 'time;tag;raw\n10:00;"ai0;1\n' });
    await flow.waitFor(() => flow!.errors.length === 1, { timeoutMs: 2000 });
    expect(flow.errors[0]).toMatchObject({ nodeId: 'rows', code: 'DECODE_FAILED', message: expect.stringMatching(/at line \d+/) });
  });
});
