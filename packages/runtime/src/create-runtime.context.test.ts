import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineNode } from '@plantwire/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { NodeErrorEvent, Runtime } from './api.js';
import { createRuntime } from './create-runtime.js';
import { flowDoc, until } from './fixtures/test-node-types.js';

/** Counts messages in node, flow and global context; reports what it read on each message. */
const reads: Array<{ id: string; node: unknown; flow: unknown; global: unknown }> = [];
const counter = defineNode({
  type: 'counter',
  version: 1,
  category: 'sink',
  summary: 'Counts in every context scope.',
  inputs: { in: 'x' },
  config: z.object({}),
  onInput(msg, ctx) {
    if (msg.payload === 'date') {
      ctx.context.flow.set('when', new Date(0));
      return;
    }
    const { node, flow, global } = ctx.context;
    node.set('n', ((node.get('n') as number | undefined) ?? 0) + 1);
    flow.set('n', ((flow.get('n') as number | undefined) ?? 0) + 1);
    global.set('n', ((global.get('n') as number | undefined) ?? 0) + 1);
    reads.push({ id: ctx.id, node: node.get('n'), flow: flow.get('n'), global: global.get('n') });
  },
});

const doc = flowDoc(
  [
    { id: 'a1', type: 'counter', tab: 'a' },
    { id: 'a2', type: 'counter', tab: 'a' },
    { id: 'b1', type: 'counter', tab: 'b' },
  ],
  [],
  { tabs: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] },
);

const dirs: string[] = [];
let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
  reads.length = 0;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function feed(rt: Runtime, ids: string[]): Promise<void> {
  const before = reads.length;
  for (const id of ids) rt.inject(id, { payload: 1 });
  await until(() => reads.length === before + ids.length);
}

describe('context', () => {
  it('scopes node context to the node, flow context to its tab, global to the runtime', async () => {
    runtime = createRuntime({ nodeTypes: [counter], env: {} });
    await runtime.deploy(doc);
    await feed(runtime, ['a1']);
    await feed(runtime, ['a2']);
    await feed(runtime, ['b1']);
    expect(reads).toEqual([
      { id: 'a1', node: 1, flow: 1, global: 1 },
      { id: 'a2', node: 1, flow: 2, global: 2 },
      { id: 'b1', node: 1, flow: 1, global: 3 },
    ]);
  });

  it('persists under <dataDir>/context on stop and reads it back in a new runtime', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'plantwire-rt-'));
    dirs.push(dataDir);
    const first = createRuntime({ nodeTypes: [counter], env: {}, dataDir });
    await first.deploy(doc);
    await feed(first, ['a1', 'b1']);
    await first.stop();
    expect(JSON.parse(readFileSync(join(dataDir, 'context', 'global.json'), 'utf8'))).toEqual({ n: 2 });

    runtime = createRuntime({ nodeTypes: [counter], env: {}, dataDir });
    await runtime.deploy(doc);
    reads.length = 0;
    await feed(runtime, ['a1']);
    expect(reads).toEqual([{ id: 'a1', node: 2, flow: 2, global: 3 }]);
  });

  it('reports a value that is not JSON as an error of the node, and keeps running', async () => {
    runtime = createRuntime({ nodeTypes: [counter], env: {} });
    const errors: NodeErrorEvent[] = [];
    runtime.on('error', (e) => errors.push(e));
    await runtime.deploy(doc);
    runtime.inject('a1', { _msgid: 'd', payload: 'date' });
    await until(() => errors.length === 1);
    expect(errors[0]).toMatchObject({ nodeId: 'a1', msgId: 'd', code: 'NODE_FAILED', message: expect.stringMatching(/context\.set\("when"\) in the flow context of tab "a": the value is not JSON-serialisable: a Date at \$/) });
    await feed(runtime, ['a1']);
  });
});
