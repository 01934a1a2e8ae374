import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { debug } from '../debug/debug.node.js';
import { delay } from '../delay/delay.node.js';
import { filter } from '../filter/filter.node.js';
import document from './catch.flow.json';
import { catchNode } from './catch.node.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

const start = async () => (flow = await runFlow(document, { nodeTypes: [filter, delay, catchNode, debug] }));

describe('catch, in a running flow', () => {
  it('a catch naming a node receives its error: the failed message plus error {message, code, source}', async () => {
    const flow = await start();
    flow.inject('temperature', { _msgid: 'reading-1', topic: 'boiler/temp', payload: 'sensor fault' });
    const caught = await flow.next('catch-temperature');
    expect(caught).toMatchObject({
      _msgid: 'reading-1',
      topic: 'boiler/temp',
      payload: 'sensor fault',
      error: {
        code: 'INPUT_INVALID',
        message: expect.stringContaining('needs a number at payload'),
        source: { id: 'temperature', type: 'filter', tab: 'line1' },
      },
    });
    expect(flow.errors).toEqual([expect.objectContaining({ nodeId: 'temperature', code: 'INPUT_INVALID', msgId: 'reading-1', handledBy: 'catch' })]);
    // The catch node's output is wired to a debug node: the error reaches a person.
    await flow.waitFor(() => flow.debug.length === 1);
    expect(flow.debug[0]).toMatchObject({ nodeId: 'alarms', msgId: 'reading-1', value: { code: 'INPUT_INVALID' } });
    // Handled by the catch that names the node: the uncaught-only catch and the other tab's catch stay quiet.
    expect(flow.sent('catch-line1-rest')).toEqual([]);
    expect(flow.sent('catch-line2')).toEqual([]);
  });

  it('an uncaught-only catch for the tab receives the errors no other catch took', async () => {
    const flow = await start();
    flow.inject('hold', { _msgid: 'late', payload: 1, delay: -1 });
    const caught = await flow.next('catch-line1-rest');
    expect(caught).toMatchObject({ _msgid: 'late', error: { code: 'INPUT_INVALID', source: { id: 'hold', type: 'delay', tab: 'line1' } } });
    expect(flow.sent('catch-temperature')).toEqual([]);
    expect(flow.sent('catch-line2')).toEqual([]);
  });

  it('a tab-scoped catch receives only errors from its own tab', async () => {
    const flow = await start();
    flow.inject('pressure', { _msgid: 'p', payload: { bar: 1 } });
    expect(await flow.next('catch-line2')).toMatchObject({ _msgid: 'p', error: { source: { id: 'pressure', tab: 'line2' } } });
    expect(flow.sent('catch-temperature')).toEqual([]);
    expect(flow.sent('catch-line1-rest')).toEqual([]);
  });

  it('a node whose error port is wired keeps its errors from catch nodes', async () => {
    const flow = await start();
    flow.inject('flow-rate', { _msgid: 'f', payload: 'n/a' });
    expect(await flow.next('flow-rate', { port: 'error' })).toMatchObject({ _msgid: 'f', error: { code: 'INPUT_INVALID' } });
    expect(flow.errors).toEqual([expect.objectContaining({ nodeId: 'flow-rate', handledBy: 'port' })]);
    expect(flow.sent('catch-line2')).toEqual([]);
  });

  it('a catch for all nodes receives errors from every tab', async () => {
    const all = {
      ...document,
      nodes: [...document.nodes.filter((n) => !n.type.startsWith('catch')), { id: 'catch-everything', type: 'catch', config: { scope: 'all' } }],
      wires: document.wires.filter((w) => !w.from.node.startsWith('catch')),
    };
    flow = await runFlow(all, { nodeTypes: [filter, delay, catchNode, debug] });
    flow.inject('temperature', { _msgid: 'a', payload: 'x' });
    flow.inject('pressure', { _msgid: 'b', payload: 'y' });
    const caught = await flow.take('catch-everything', 2);
    expect(caught.map((m) => [m._msgid, (m['error'] as { source: { tab: string } }).source.tab])).toEqual([
      ['a', 'line1'],
      ['b', 'line2'],
    ]);
  });
});
