import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { debug } from '../debug/debug.node.js';
import document from './switch.flow.json';
import { switchNode } from './switch.node.js';

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe('switch, in a running flow', () => {
  it('routes each reading to the handler wired to its rule\'s port', async () => {
    flow = await runFlow(document, { nodeTypes: [switchNode, debug] });
    for (const temperature of [95, 50, 10, 'sensor fault', 80, null]) flow.inject('band', { payload: { temperature } });
    await flow.waitFor(() => flow!.debug.length === 6, { timeoutMs: 2000 });
    const seen = (node: string) => flow!.debug.filter((d) => d.nodeId === node).map((d) => d.value);
    expect(seen('hot')).toEqual([95, 'sensor fault']);
    expect(seen('normal')).toEqual([50, 80]);
    expect(seen('cold')).toEqual([10, null]);
    expect(flow.sent('band', 'case1')).toHaveLength(2);
    expect(flow.sent('band', 'otherwise')).toHaveLength(2);
  });

  it('refuses a document wired from a port the switch does not have', async () => {
    const wrong = structuredClone(document);
    wrong.wires[0]!.from.port = 'case9';
    await expect(runFlow(wrong, { nodeTypes: [switchNode, debug] })).rejects.toThrow(/case9/);
  });
});
