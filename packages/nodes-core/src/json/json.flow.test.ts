import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { change } from '../change/change.node.js';
import { debug } from '../debug/debug.node.js';
import document from './json.flow.json';
import { json } from './json.node.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe('json, in a running flow', () => {
  it('parses text, lets the next node change the value, and writes it back as text', async () => {
    flow = await runFlow(document, { nodeTypes: [json, change, debug] });
    flow.inject('parse', { payload: '{"device": "plc1", "values": [1, 2]}' });
    expect((await flow.next('parse', { timeoutMs: 2000 })).payload).toEqual({ device: 'plc1', values: [1, 2] });
    expect((await flow.next('write', { timeoutMs: 2000 })).payload).toBe('{"device":"plc1","values":[1,2],"checked":true}');
  });

  it('reports bad JSON as DECODE_FAILED with its position, addressed to the parsing node', async () => {
    flow = await runFlow(document, { nodeTypes: [json, change, debug] });
    flow.inject('parse', { _msgid: 'bad', payload: '{"device": plc1}' });
    await flow.waitFor(() => flow!.errors.length === 1, { timeoutMs: 2000 });
    expect(flow.errors[0]).toMatchObject({
      nodeId: 'parse',
      msgId: 'bad',
      code: 'DECODE_FAILED',
      message: 'cannot parse payload as JSON: expected a JSON value, found "p" at line 1, column 12 (position 11)',
    });
  });
});
