import { connectionRef, defineNode } from '@plantwire/node-sdk';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { testNode } from './test-node.js';

/** A sink that publishes through a connection, and subscribes when connected. */
const publisher = defineNode({
  type: 'fake-publisher',
  version: 1,
  category: 'sink',
  summary: 'Publishes payloads.',
  inputs: { in: 'x' },
  config: z.object({ broker: connectionRef('fake-broker'), topic: z.string() }),
  setup(ctx) {
    const handle = ctx.connection<{ sent: string[]; subs: string[] }>(ctx.config.broker);
    handle.onConnected((client) => void client.subs.push(ctx.config.topic));
    return handle;
  },
  onInput(msg, ctx, handle) {
    handle.requireClient().sent.push(`${ctx.config.topic} ${String(msg.payload)}`);
  },
});

describe('testNode with fake connections', () => {
  it('hands the node a connected handle with the fake client', async () => {
    const client = { sent: [] as string[], subs: [] as string[] };
    const node = await testNode(publisher, { broker: 'b1', topic: 't' }, { connections: { b1: client } });
    await node.input({ payload: 1 });
    expect(client.sent).toEqual(['t 1']);
    expect(client.subs).toEqual(['t']);
  });

  it('says which fake is missing', async () => {
    await expect(testNode(publisher, { broker: 'b1', topic: 't' })).rejects.toThrow('testNode: the node asked for connection "b1"; pass a fake client for it in options.connections');
  });
});
