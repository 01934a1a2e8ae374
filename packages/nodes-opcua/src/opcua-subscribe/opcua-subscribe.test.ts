import { EventEmitter } from 'node:events';
import type { TagValue } from '@plantwire/node-sdk';
import { testNode } from '@plantwire/testing';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadOpcua } from '../load-opcua.js';
import { opcuaSubscribe } from './opcua-subscribe.node.js';

/** A stand-in for ClientSubscription: an emitter with the revised parameters and monitorItems. */
class FakeSubscription extends EventEmitter {
  readonly publishingInterval = 100;
  readonly maxKeepAliveCount = 10;
  readonly groups: Array<{ emitter: EventEmitter; nodeIds: string[] }> = [];
  terminated = false;
  async monitorItems(items: Array<{ nodeId: string }>) {
    const emitter = new EventEmitter();
    const nodeIds = items.map((i) => i.nodeId);
    this.groups.push({ emitter, nodeIds });
    const monitoredItems = nodeIds.map((n) => ({ statusCode: n.includes('Bad') ? { isGood: () => false, name: 'BadNodeIdUnknown' } : { isGood: () => true, name: 'Good' } }));
    return Object.assign(emitter, { monitoredItems });
  }
  /** The server publishes a change of item `index` of group `group`. */
  change(group: number, index: number, value: number, status = { value: 0, name: 'Good' }) {
    const when = new Date(Date.UTC(2026, 0, 1, 0, 0, value));
    this.groups[group]!.emitter.emit('changed', {}, { value: { value }, statusCode: status, sourceTimestamp: when, serverTimestamp: when }, index);
  }
}

/** A stand-in for the connection's client: records subscriptions and batch sizes. */
function fakeClient(maxMonitoredItemsPerCall = 1000) {
  const subscriptions: FakeSubscription[] = [];
  return {
    endpointUrl: 'opc.tcp://fake:4840',
    isOpen: true,
    subscriptions,
    async createSubscription() {
      const s = new FakeSubscription();
      subscriptions.push(s);
      return s;
    },
    async terminate(s: FakeSubscription) {
      s.terminated = true;
    },
    async operationLimits() {
      return { maxMonitoredItemsPerCall, maxNodesPerRead: 1000 };
    },
  };
}

const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('opcua-subscribe (unit, with a fake client)', () => {
  beforeAll(async () => {
    await loadOpcua();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('creates monitored items in batches of the server maxMonitoredItemsPerCall, grouped by parameters', async () => {
    const client = fakeClient(2);
    const items = ['A', 'B', 'C', 'D', 'E'].map((n) => ({ nodeId: `ns=1;s=${n}` }));
    const node = await testNode(opcuaSubscribe, { endpoint: 'plc', items: [...items, { nodeId: 'ns=1;s=F', samplingIntervalMs: 50 }] }, { connections: { plc: client } });
    await vi.waitFor(() => expect(client.subscriptions[0]?.groups).toHaveLength(4));
    expect(client.subscriptions[0]!.groups.map((g) => g.nodeIds.length)).toEqual([2, 2, 1, 1]);
    expect(node.statuses.at(-1)).toMatchObject({ fill: 'green', text: 'subscribed: 6 of 6 items' });
    await node.close();
    expect(client.subscriptions[0]!.terminated).toBe(true);
  });

  it('maps quality from the status code and names a refused item', async () => {
    const client = fakeClient();
    const node = await testNode(opcuaSubscribe, { endpoint: 'plc', items: [{ nodeId: 'ns=1;s=T', name: 'temp' }, { nodeId: 'ns=1;s=Bad' }] }, { connections: { plc: client } });
    await vi.waitFor(() => expect(node.errors).toHaveLength(1));
    expect(String(node.errors[0]!.err)).toContain('refused to monitor "ns=1;s=Bad": BadNodeIdUnknown');
    const sub = client.subscriptions[0]!;
    sub.change(0, 0, 1);
    sub.change(0, 0, 2, { value: 0x40000000, name: 'UncertainLastUsableValue' });
    sub.change(0, 0, 3, { value: 0x80000000, name: 'BadSensorFailure' });
    const payloads = node.output().map((m) => m.payload as TagValue);
    expect(node.output()[0]).toMatchObject({ topic: 'temp', nodeId: 'ns=1;s=T' });
    expect(payloads).toEqual([
      { value: 1, quality: 'good', sourceTime: '2026-01-01T00:00:01.000Z', serverTime: '2026-01-01T00:00:01.000Z' },
      { value: 2, quality: 'uncertain', sourceTime: '2026-01-01T00:00:02.000Z', serverTime: '2026-01-01T00:00:02.000Z', reason: 'UncertainLastUsableValue' },
      { value: 3, quality: 'bad', sourceTime: '2026-01-01T00:00:03.000Z', serverTime: '2026-01-01T00:00:03.000Z', reason: 'BadSensorFailure' },
    ]);
    await node.close();
  });

  it('under backpressure keeps only the latest value per item until drain, counting the replaced ones', async () => {
    const client = fakeClient();
    const node = await testNode(opcuaSubscribe, { endpoint: 'plc', items: [{ nodeId: 'ns=1;s=A' }, { nodeId: 'ns=1;s=B' }] }, { connections: { plc: client } });
    await vi.waitFor(() => expect(client.subscriptions[0]?.groups).toHaveLength(1));
    const sub = client.subscriptions[0]!;
    node.setPressure(true);
    for (const v of [1, 2, 3]) sub.change(0, 0, v);
    sub.change(0, 1, 10);
    expect(node.output()).toHaveLength(0);
    node.setPressure(false);
    expect(node.output().map((m) => [m.topic, (m.payload as TagValue).value])).toEqual([
      ['ns=1;s=A', 3],
      ['ns=1;s=B', 10],
    ]);
    sub.change(0, 0, 4);
    expect(node.output()).toHaveLength(3);
    await node.close();
  });

  it('recreates a subscription that stops publishing, with a warning and a status, and only once', async () => {
    vi.useFakeTimers();
    const client = fakeClient();
    const node = await testNode(opcuaSubscribe, { endpoint: 'plc', publishingIntervalMs: 100, items: [{ nodeId: 'ns=1;s=A' }] }, { connections: { plc: client } });
    await flush();
    expect(client.subscriptions).toHaveLength(1);
    const first = client.subscriptions[0]!;
    // Keep-alives inside the limit (3 × 100 ms × 10) keep it alive.
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(500);
      first.emit('keepalive');
    }
    expect(client.subscriptions).toHaveLength(1);
    // Silence past the limit: recreated once, the stale one terminated.
    await vi.advanceTimersByTimeAsync(3500);
    await flush();
    expect(client.subscriptions).toHaveLength(2);
    expect(first.terminated).toBe(true);
    expect(node.logs.some((l) => l.level === 'warn' && l.message.includes('stopped publishing'))).toBe(true);
    expect(node.statuses).toContainEqual(expect.objectContaining({ fill: 'yellow', text: expect.stringContaining('subscribing again') }));
    // The new one publishes: no further recreation.
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(500);
      client.subscriptions[1]!.change(0, 0, i);
    }
    expect(client.subscriptions).toHaveLength(2);
    await node.close();
  });

  it('recreates a subscription the server ended', async () => {
    const client = fakeClient();
    const node = await testNode(opcuaSubscribe, { endpoint: 'plc', items: [{ nodeId: 'ns=1;s=A' }] }, { connections: { plc: client } });
    await vi.waitFor(() => expect(client.subscriptions).toHaveLength(1));
    client.subscriptions[0]!.emit('terminated');
    await vi.waitFor(() => expect(client.subscriptions).toHaveLength(2));
    await node.close();
    expect(client.subscriptions[1]!.terminated).toBe(true);
  });
});
