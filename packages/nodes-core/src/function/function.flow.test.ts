import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { catchNode } from '../catch/catch.node.js';
import { debug } from '../debug/debug.node.js';
import document from './function.flow.json';
import { functionNode } from './function.node.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

const nodeTypes = [functionNode, catchNode, debug];
const start = async () => (flow = await runFlow(document, { nodeTypes }));

describe('function, in a running flow', () => {
  it('an endless loop becomes a FUNCTION_TIMEOUT caught by the catch node; other messages keep flowing', async () => {
    const flow = await start();
    flow.inject('scale', { _msgid: 'r1', payload: 1 });
    flow.inject('scale', { _msgid: 'stuck', payload: 'hang' });
    flow.inject('scale', { _msgid: 'r2', payload: 2 });
    flow.inject('scale', { _msgid: 'r3', payload: 3 });

    const caught = await flow.next('errors', { timeoutMs: 5000 });
    expect(caught).toMatchObject({
      _msgid: 'stuck',
      payload: 'hang',
      error: {
        code: 'FUNCTION_TIMEOUT',
        message: 'user code ran longer than 200 ms on this message and was stopped',
        source: { id: 'scale', type: 'function', name: 'Scale reading', tab: 'line1' },
      },
    });
    // The catch node's wire carries it on to the alarms debug node.
    await flow.waitFor(() => flow.debug.length > 0);
    expect(flow.debug.map((d) => [d.nodeId, d.value])).toEqual([['alarms', expect.objectContaining({ code: 'FUNCTION_TIMEOUT' })]]);

    // The hang restarted the shared sandbox; "label" (same worker) lost nothing and ran each message once.
    const labelled = await flow.take('label', 3, { timeoutMs: 5000 });
    expect(labelled.map((m) => [m._msgid, m.payload, m.topic, m['count']])).toEqual([
      ['r1', 10, 'line1/reading', 1],
      ['r2', 20, 'line1/reading', 2],
      ['r3', 30, 'line1/reading', 3],
    ]);

    // And the flow keeps processing afterwards.
    flow.inject('scale', { _msgid: 'r4', payload: 4 });
    expect(await flow.next('label', { timeoutMs: 5000 })).toMatchObject({ _msgid: 'r4', payload: 40, count: 4 });
    expect(flow.errors).toEqual([expect.objectContaining({ nodeId: 'scale', code: 'FUNCTION_TIMEOUT', msgId: 'stuck', handledBy: 'catch' })]);
    expect(flow.metrics()['scale']).toMatchObject({ in: 5, out: 4, errors: 1 });
  });

  it('a throw in user code reaches the catch node with the user message and line', async () => {
    const flow = await start();
    flow.inject('scale', { _msgid: 'bad', payload: 'n/a' });
    flow.inject('scale', { _msgid: 'good', payload: 5 });
    const caught = await flow.next('errors');
    expect(caught).toMatchObject({
      _msgid: 'bad',
      error: { code: 'FUNCTION_FAILED', message: 'Error: not a number: n/a (code line 4, column 44)', source: { id: 'scale' } },
    });
    expect(await flow.next('label')).toMatchObject({ _msgid: 'good', payload: 50, count: 1 });
  });

  it('a syntax error in the code is refused at deploy, naming the node and the field', async () => {
    const broken = structuredClone(document);
    broken.nodes[0]!.config.code = 'msg.payload = ;\nreturn msg;';
    await expect(runFlow(broken, { nodeTypes })).rejects.toThrow(/node "scale".*SyntaxError: Unexpected token ';' \(line 1, column 15\)|SyntaxError: Unexpected token ';' \(line 1, column 15\).*node "scale"/s);
  });
});
