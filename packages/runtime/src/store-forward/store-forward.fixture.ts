/**
 * Node and connection types for the store-and-forward tests (store-forward.test.ts and the kill -9
 * child, runtime-kill9.fixture.ts): a link the test switches on and off, a sink over it that
 * declares store-and-forward, and a watcher of the sink's completed messages.
 */
import { connectionRef, defineConnection, defineNode, NodeError, storeAndForwardConfig, type ConnectionContext, type Message } from '@plantwire/node-sdk';
import * as z from 'zod';

/** A link the test switches on and off: `connect` fails while it is off; `drop` cuts a live client. */
export const link = {
  up: true,
  current: undefined as ConnectionContext | undefined,
  /** Messages (by payload) the sink refuses for good (not a connection problem). */
  refuse: new Set<unknown>(),
  /** Payloads for which the next delivery fails NOT_CONNECTED although the handle says connected (a publish cut mid-flight). */
  cutOnce: new Set<unknown>(),
  delivered: [] as Message[],
  /** Payloads the peer answers by closing the link (a poison message): every delivery of one drops the connection. */
  poison: new Set<unknown>(),
  /** While set, deliveries wait for it; then they need the link again (a reply that never came before the cut). */
  gate: undefined as Promise<void> | undefined,
  /** Deliveries waiting on the gate now. */
  waiting: 0,
  drop(): void {
    this.up = false;
    this.current?.lost(new Error('link dropped by the test'));
  },
};

export const fakeLink = defineConnection({
  type: 'fake-link',
  version: 1,
  summary: 'A link the test turns on and off.',
  config: z.object({}),
  async connect(ctx) {
    if (!link.up) throw new Error('the link is off');
    link.current = ctx;
    return { ctx };
  },
  async disconnect() {},
});

export const fakeSink = defineNode({
  type: 'fake-sink',
  version: 1,
  category: 'sink',
  summary: 'Delivers over the fake link.',
  inputs: { in: 'Messages to deliver.' },
  config: z.object({ link: connectionRef(fakeLink), buffer: storeAndForwardConfig() }),
  concurrency: 4,
  storeAndForward: (config) => config.buffer,
  async onInput(msg, ctx) {
    const handle = ctx.connection(ctx.config.link);
    handle.requireClient();
    if (link.gate) {
      link.waiting++;
      await link.gate;
      link.waiting--;
    }
    handle.requireClient();
    if (link.poison.has(msg.payload)) {
      link.current?.lost(new Error('the peer closed the link'));
      throw new NodeError('NOT_CONNECTED', `delivery of ${String(msg.payload)} was cut: the peer closed the link`);
    }
    if (link.cutOnce.delete(msg.payload)) throw new NodeError('NOT_CONNECTED', `delivery of ${String(msg.payload)} was cut`);
    if (link.refuse.has(msg.payload)) throw new NodeError('INPUT_INVALID', `payload ${String(msg.payload)} is refused`);
    link.delivered.push(msg);
  },
});

/** Sends each message the sink finished (for the sink: accepted, delivered or buffered) out of its port. */
export const completeWatch = defineNode({
  type: 'complete-watch',
  version: 1,
  category: 'flow',
  summary: 'Messages the sink completed.',
  outputs: { out: 'The completed message.' },
  config: z.object({}),
  watches: () => ({ event: 'complete', scope: ['sink'] }),
});
