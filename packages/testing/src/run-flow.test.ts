import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineNode, NodeError } from '@plantwire/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { freezeMessage, runFlow, type FlowUnderTest } from './run-flow.js';

const scale = defineNode({
  type: 'scale',
  version: 1,
  category: 'transform',
  summary: 'Multiplies the payload.',
  inputs: { in: 'Numbers.' },
  outputs: { out: 'Scaled numbers.', over: 'Numbers above the limit.' },
  config: z.object({ factor: z.number(), limit: z.number().default(Infinity) }),
  onInput(msg, { config }, _state, _port) {
    const payload = (msg.payload as number) * config.factor;
    if (Number.isNaN(payload)) throw new NodeError('DECODE_FAILED', 'payload is not a number');
    return payload > config.limit ? undefined : { ...msg, payload };
  },
});

const overflow = defineNode({
  type: 'overflow',
  version: 1,
  category: 'transform',
  summary: 'Sends big numbers to "over".',
  inputs: { in: 'Numbers.' },
  outputs: { out: 'Small.', over: 'Big.' },
  config: z.object({ limit: z.number() }),
  onInput(msg, ctx) {
    if ((msg.payload as number) > ctx.config.limit) ctx.send(msg, 'over');
    else return msg;
  },
});

const mutator = defineNode({
  type: 'mutator',
  version: 1,
  category: 'transform',
  summary: 'Wrongly mutates its input.',
  inputs: { in: 'x' },
  outputs: { out: 'x' },
  config: z.object({}),
  onInput(msg) {
    (msg as { payload: unknown }).payload = 'changed';
    return msg;
  },
});

const sink = defineNode({
  type: 'show',
  version: 1,
  category: 'sink',
  summary: 'Debugs, sets status, remembers a count.',
  inputs: { in: 'x' },
  config: z.object({}),
  onInput(msg, ctx) {
    const n = ((ctx.context.flow.get('n') as number | undefined) ?? 0) + 1;
    ctx.context.flow.set('n', n);
    ctx.debug(msg.payload, msg);
    ctx.status({ fill: 'green', text: String(n) });
  },
});

const types = [scale, overflow, mutator, sink];

const document = {
  version: 1,
  nodes: [
    { id: 'scale', type: 'scale', config: { factor: '${FACTOR}' } },
    { id: 'split', type: 'overflow', config: { limit: 100 } },
    { id: 'show', type: 'show' },
  ],
  wires: [
    { from: { node: 'scale', port: 'out' }, to: { node: 'split', port: 'in' } },
    { from: { node: 'split', port: 'out' }, to: { node: 'show', port: 'in' } },
  ],
};

let flow: FlowUnderTest | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe('runFlow', () => {
  it('runs a document: inject, then read each port with its own cursor', async () => {
    flow = await runFlow(document, { nodeTypes: types, env: { FACTOR: '10' } });
    expect(flow.inject('scale', { payload: 5, topic: 't' })).toBe(true);
    flow.inject('scale', { payload: 20 });
    flow.inject('scale', { payload: 3 });
    expect((await flow.next('scale')).payload).toBe(50);
    expect((await flow.take('scale', 2)).map((m) => m.payload)).toEqual([200, 30]);
    expect((await flow.next('split', { port: 'over' })).payload).toBe(200);
    expect((await flow.take('split', 2, { port: 'out' })).map((m) => m.payload)).toEqual([50, 30]);
    // sent() returns everything so far, whatever the cursors.
    expect(flow.sent('scale').map((m) => m.payload)).toEqual([50, 200, 30]);
    expect(flow.sent('split', 'over').map((m) => m.payload)).toEqual([200]);
  });

  it('records debug, status and error events and waits on conditions', async () => {
    flow = await runFlow(document, { nodeTypes: types, env: { FACTOR: '2' } });
    flow.inject('scale', { _msgid: 'bad', payload: 'x' });
    flow.inject('scale', { _msgid: 'ok', payload: 4 });
    await flow.waitFor(() => flow!.debug.length === 1 && flow!.errors.length === 1);
    expect(flow.debug[0]).toMatchObject({ nodeId: 'show', msgId: 'ok', value: 8 });
    expect(flow.statuses).toContainEqual({ nodeId: 'show', status: { fill: 'green', text: '1' } });
    expect(flow.errors[0]).toMatchObject({ nodeId: 'scale', msgId: 'bad', code: 'DECODE_FAILED' });
    await flow.waitFor(() => flow!.metrics()['show']?.in === 1);
  });

  it('freezes messages leaving a node, so a node that mutates its input fails loudly', async () => {
    const doc = {
      version: 1,
      nodes: [
        { id: 'scale', type: 'scale', config: { factor: 1 } },
        { id: 'm', type: 'mutator' },
      ],
      wires: [{ from: { node: 'scale', port: 'out' }, to: { node: 'm', port: 'in' } }],
    };
    flow = await runFlow(doc, { nodeTypes: types });
    flow.inject('scale', { payload: 1 });
    flow.inject('m', { payload: 2 }); // injected messages are frozen too
    await flow.waitFor(() => flow!.errors.length === 2);
    expect(flow.errors.map((e) => e.message)).toEqual([expect.stringMatching(/read only|read-only/), expect.stringMatching(/read only|read-only/)]);
    expect(Object.isFrozen(flow.sent('scale')[0])).toBe(true);
  });

  it('throws a readable error listing every issue of an invalid document', async () => {
    const bad = {
      version: 1,
      nodes: [
        { id: 'scale', type: 'scale', config: { factor: 'lots' } },
        { id: 'x', type: 'nope' },
      ],
      wires: [{ from: { node: 'scale', port: 'out' }, to: { node: 'ghost', port: 'in' } }],
    };
    const error = await runFlow(bad, { nodeTypes: types }).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error?.message).toMatch(/^runFlow: the flow document is invalid:\n/);
    expect(error?.message).toContain('  - error UNKNOWN_NODE_TYPE at $.nodes[1].type (node "x"): unknown node type "nope"');
    expect(error?.message).toContain('  - error CONFIG_INVALID at $.nodes[0].config.factor (node "scale"):');
    expect(error?.message).toContain('  - error WIRE_DANGLING at $.wires[0].to.node:');
  });

  it('rejects next() with a clear error naming the node, the port and the errors so far on timeout', async () => {
    flow = await runFlow(document, { nodeTypes: types, env: { FACTOR: '1' } });
    flow.inject('scale', { payload: 'x' });
    await expect(flow.next('split', { timeoutMs: 50 })).rejects.toThrow(/expected a message from node "split" port "out" within 50 ms, but 0 arrived.*node errors so far:\n {2}- scale DECODE_FAILED: payload is not a number/s);
    await expect(flow.waitFor(() => false, { timeoutMs: 20 })).rejects.toThrow(/did not become true within 20 ms/);
    expect(() => flow!.sent('nobody')).toThrow(/the flow has no node "nobody"; its nodes are: scale, split, show/);
  });

  it('resolves next() calls made before the messages arrive, in order', async () => {
    flow = await runFlow(document, { nodeTypes: types, env: { FACTOR: '1' } });
    const first = flow.next('scale');
    const second = flow.next('scale');
    flow.inject('scale', { payload: 1 });
    flow.inject('scale', { payload: 2 });
    expect([(await first).payload, (await second).payload]).toEqual([1, 2]);
  });

  it('passes dataDir and defaultQueueCapacity to the runtime', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'plantwire-runflow-'));
    try {
      flow = await runFlow(document, { nodeTypes: types, env: { FACTOR: '1' }, dataDir, defaultQueueCapacity: 2 });
      expect(flow.metrics()['scale']!.queueCapacity).toBe(2);
      expect([1, 2, 3].map((payload) => flow!.inject('scale', { payload }))).toEqual([true, true, false]);
      await flow.waitFor(() => flow!.debug.length === 2);
      const report = await flow.stop();
      expect(report.drained).toBe(true);
      const again = await runFlow(document, { nodeTypes: types, env: { FACTOR: '1' }, dataDir });
      again.inject('scale', { payload: 1 });
      await again.waitFor(() => again.statuses.some((s) => s.status?.text === '3'));
      await again.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('freezeMessage', () => {
  it('deep-freezes plain data but leaves typed arrays alone', () => {
    const msg = freezeMessage({ _msgid: 'x', payload: { list: [1, { a: 1 }] }, raw: Buffer.from('ab') });
    expect(Object.isFrozen(msg.payload.list[1])).toBe(true);
    expect(Object.isFrozen(msg.raw)).toBe(false);
  });
});
