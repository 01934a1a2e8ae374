/**
 * Store-and-forward of mqtt-out against a real embedded broker (aedes, the simulated plant's).
 * The runtime reaches the broker through a TCP proxy the test takes down and brings back, so the
 * outside subscriber stays connected and sees exactly what arrives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineNode, type AnyNodeType, type Message } from '@plantwire/node-sdk';
import { startPlant, type Plant } from '@plantwire/sim';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTcpProxy } from '../test-support/tcp-proxy.js';
import { collect, flowDoc, outsideClient, run } from '../test-support/harness.js';
import { mqttOut } from './mqtt-out.node.js';


/** mqtt-out under another type name, recording what its own onInput is handed (the runtime wraps it like mqtt-out). */
const seen: Message[] = [];
const mqttOutSpy = defineNode({
  ...(mqttOut as AnyNodeType),
  type: 'mqtt-out-spy',
  onInput(msg, ctx, state, port) {
    seen.push(msg);
    return mqttOut.onInput!(msg, ctx as Parameters<NonNullable<typeof mqttOut.onInput>>[1], state as undefined, port);
  },
});

let plant: Plant;
let subscriber: MqttClient | undefined;
const cleanups: Array<() => Promise<unknown> | void> = [];

beforeAll(async () => {
  plant = await startPlant({ ports: { mqtt: 0 }, servers: ['mqtt'] });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await subscriber?.endAsync(true);
  subscriber = undefined;
  seen.length = 0;
});
afterAll(async () => {
  await plant.stop();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plantwire-mqtt-sf-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let sessions = 0;

async function setup(topic: string, connection: Record<string, unknown> = {}) {
  const proxy = await startTcpProxy(Number(new URL(plant.endpoints.mqtt).port));
  cleanups.push(() => proxy.down());
  subscriber = await outsideClient(plant.endpoints.mqtt);
  const got = await collect(subscriber, topic);
  const document = flowDoc([{ id: 'sf', config: { url: `mqtt://127.0.0.1:${proxy.port}`, ...connection } }], [{ id: 'out', type: 'mqtt-out-spy', config: { broker: 'sf', topic, qos: 1 } }]);
  return { proxy, got, document };
}

async function runOut(document: unknown, dataDir: string) {
  const flow = await run(document, { extra: [mqttOutSpy], dataDir });
  cleanups.push(() => flow.stop());
  return flow;
}

const state = (flow: Awaited<ReturnType<typeof runOut>>) => flow.runtime.connections().find((c) => c.id === 'sf')?.state;
const bufferOf = (flow: Awaited<ReturnType<typeof runOut>>) => flow.metrics()['out']?.buffer;
const numbers = (n: number) => Array.from({ length: n }, (_, i) => String(i));

describe('mqtt-out store-and-forward (aedes)', () => {
  it('buffers while the broker is unreachable and publishes the backlog in order when it is back, marked historical', async () => {
    const { proxy, got, document } = await setup('sf/order');
    const flow = await runOut(document, tempDir());
    await vi.waitFor(() => expect(state(flow)).toBe('connected'), { timeout: 5000, interval: 10 });
    flow.inject('out', { payload: 'live' });
    await vi.waitFor(() => expect(got.map((m) => m.payload)).toEqual(['live']), { timeout: 5000, interval: 10 });

    await proxy.down();
    await vi.waitFor(() => expect(state(flow)).not.toBe('connected'), { timeout: 5000, interval: 10 });
    for (let i = 0; i < 200; i++) expect(flow.inject('out', { payload: i })).toBe(true);
    await vi.waitFor(() => expect(bufferOf(flow)?.queued).toBe(200), { timeout: 5000, interval: 10 });
    await vi.waitFor(() => expect(flow.statuses.some((s) => s.nodeId === 'out' && /^buffering 200 \(/.test(s.status?.text ?? ''))).toBe(true), { timeout: 5000, interval: 10 });
    expect(got).toHaveLength(1);

    await proxy.up();
    await vi.waitFor(() => expect(got.length).toBeGreaterThanOrEqual(201), { timeout: 10_000, interval: 10 });
    await vi.waitFor(() => expect(bufferOf(flow)?.queued).toBe(0), { timeout: 5000, interval: 10 });
    // Nothing was in flight when the link went: exactly what was sent, in order, no duplicates.
    expect(got.map((m) => m.payload)).toEqual(['live', ...numbers(200)]);
    const historical = seen.filter((m) => m['historical'] === true);
    expect(historical.map((m) => m.payload)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(historical.every((m) => typeof m['bufferedAt'] === 'string')).toBe(true);
    expect(bufferOf(flow)).toMatchObject({ queued: 0, replayed: 200, dropped: { overflow: 0, expired: 0, failed: 0 } });
    expect(flow.errors).toEqual([]);
  }, 30_000);

  // A persistent session (cleanStart false) matters: mqtt.js then keeps a QoS 1 publish cut
  // mid-flight for a resend on its own reconnect, which the runtime never makes (it opens a new
  // client), so the publish would neither resolve nor fail and hold one of mqtt-out's 32 slots.
  it.each([
    ['a clean session', {}],
    ['a persistent session', { cleanStart: false }],
  ])('publishes cut mid-flight are buffered, not lost, on %s: every value arrives at least once, first arrivals in order', async (_name, session) => {
    const connection = 'cleanStart' in session ? { ...session, clientId: `pw-sf-cut-${process.pid}-${++sessions}` } : session;
    const { proxy, got, document } = await setup(`sf/cut/${sessions}`, connection);
    const flow = await runOut(document, tempDir());
    await vi.waitFor(() => expect(state(flow)).toBe('connected'), { timeout: 5000, interval: 10 });
    // No acknowledgement comes back: 32 publishes stay in flight (mqtt-out's concurrency), the rest wait in its input queue.
    proxy.hold();
    for (let i = 0; i < 300; i++) flow.inject('out', { payload: i });
    await vi.waitFor(() => expect(flow.metrics()['out']!.queueDepth).toBe(300 - 32), { timeout: 5000, interval: 5 });
    await proxy.down();
    await vi.waitFor(() => expect(state(flow)).not.toBe('connected'), { timeout: 5000, interval: 10 });
    await proxy.up();
    await vi.waitFor(() => expect(new Set(got.map((m) => m.payload)).size).toBe(300), { timeout: 15_000, interval: 10 });
    await vi.waitFor(() => expect(bufferOf(flow)?.queued).toBe(0), { timeout: 5000, interval: 10 });
    // The cut happened mid-stream (some went through the buffer), and duplicates are at most the
    // publishes in flight when the link went (their PUBACKs were lost): mqtt-out's concurrency, 32.
    expect(bufferOf(flow)!.replayed).toBeGreaterThanOrEqual(300 - 32);
    expect(got.length).toBeLessThanOrEqual(300 + 32);
    // Each value's first arrival is in the order sent (the cut ones failed, and were buffered, together).
    expect([...new Set(got.map((m) => m.payload))]).toEqual(numbers(300));
    // Every slot is free again: live messages after the backlog go straight through.
    for (let i = 300; i < 340; i++) flow.inject('out', { payload: i });
    await vi.waitFor(() => expect(new Set(got.map((m) => m.payload)).size).toBe(340), { timeout: 10_000, interval: 10 });
    expect(flow.errors).toEqual([]);
  }, 30_000);

  it('a runtime restarted on the same data directory publishes what the previous one buffered', async () => {
    const { proxy, got, document } = await setup('sf/restart');
    const dataDir = tempDir();
    await proxy.down();
    const first = await runOut(document, dataDir);
    await vi.waitFor(() => expect(state(first)).toBe('waiting'), { timeout: 5000, interval: 10 });
    for (let i = 0; i < 50; i++) first.inject('out', { payload: i });
    await vi.waitFor(() => expect(bufferOf(first)?.queued).toBe(50), { timeout: 5000, interval: 10 });
    await first.stop();
    expect(got).toEqual([]);

    await proxy.up();
    const second = await runOut(document, dataDir);
    await vi.waitFor(() => expect(got.length).toBeGreaterThanOrEqual(50), { timeout: 10_000, interval: 10 });
    expect(got.map((m) => m.payload)).toEqual(numbers(50));
    await vi.waitFor(() => expect(bufferOf(second)?.queued).toBe(0), { timeout: 5000, interval: 10 });
  }, 30_000);
});
