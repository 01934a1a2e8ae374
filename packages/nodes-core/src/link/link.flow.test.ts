import { runFlow } from '@plantwire/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { batch } from '../batch/batch.node.js';
import { debug } from '../debug/debug.node.js';
import document from './link.flow.json';
import { linkIn } from './link-in.node.js';
import { linkOut } from './link-out.node.js';

const nodeTypes = [linkIn, linkOut, batch, debug];

type Flow = Awaited<ReturnType<typeof runFlow>>;
let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe('link out → link in, in a running flow', () => {
  it('carries messages across tabs to every named link-in, unchanged', async () => {
    flow = await runFlow(document, { nodeTypes });
    flow.inject('boiler-out', { _msgid: 'b1', topic: 'boiler/temp', payload: 81.5 });
    flow.inject('chiller-out', { _msgid: 'c1', topic: 'chiller/temp', payload: 6.2 });
    expect(await flow.take('to-historian', 2)).toEqual([
      { _msgid: 'b1', topic: 'boiler/temp', payload: 81.5 },
      { _msgid: 'c1', topic: 'chiller/temp', payload: 6.2 },
    ]);
    // chiller-out names two link-ins: the message fans out to both.
    expect(await flow.next('to-audit')).toEqual({ _msgid: 'c1', topic: 'chiller/temp', payload: 6.2 });
    // …and flows on through the historian tab's wires.
    expect((await flow.next('rows')).payload).toEqual([81.5, 6.2]);
    expect(flow.sent('boiler-out', 'out')).toHaveLength(1);
  });

  it('a link-out naming a node that does not exist fails validation with its address', async () => {
    const broken = {
      ...document,
      nodes: document.nodes.map((n) => (n.id === 'chiller-out' ? { ...n, config: { links: ['to-historian', 'to-scada'] } } : n)),
    };
    const error = await runFlow(broken, { nodeTypes }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('WIRE_DANGLING');
    expect((error as Error).message).toContain('to-scada');
    expect((error as Error).message).toContain('$.nodes[1].config.links[1]');
  });
});
