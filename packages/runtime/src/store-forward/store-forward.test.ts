import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message, NodeStatus } from '@plantwire/node-sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogEvent, NodeErrorEvent, Runtime } from '../api.js';
import { createRuntime } from '../create-runtime.js';
import { fakeLink, fakeSink, link } from './store-forward.fixture.js';

const runtimes: Runtime[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.stop({ drainTimeoutMs: 100 });
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  link.up = true;
  link.current = undefined;
  link.refuse.clear();
  link.cutOnce.clear();
  link.poison.clear();
  link.delivered = [];
  link.gate = undefined;
  link.waiting = 0;
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plantwire-sf-'));
  dirs.push(dir);
  return dir;
}

interface Started {
  readonly rt: Runtime;
  readonly statuses: NodeStatus[];
  readonly errors: NodeErrorEvent[];
  readonly logs: LogEvent[];
}

async function start(buffer: Record<string, unknown> = {}, dataDir?: string): Promise<Started> {
  const rt = createRuntime({ nodeTypes: [fakeSink], connectionTypes: [fakeLink], env: {}, closeTimeoutMs: 2000, connectionBackoff: { initialMs: 10, maxMs: 40 }, ...(dataDir ? { dataDir } : {}) });
  runtimes.push(rt);
  const started: Started = { rt, statuses: [], errors: [], logs: [] };
  rt.on('status', (e) => {
    if (e.nodeId === 'sink' && e.status) started.statuses.push(e.status);
  });
  rt.on('error', (e) => started.errors.push(e));
  rt.on('log', (e) => started.logs.push(e));
  const result = await rt.deploy({
    version: 1,
    connections: [{ id: 'link', type: 'fake-link', config: {} }],
    nodes: [{ id: 'sink', type: 'fake-sink', config: { link: 'link', buffer } }],
    wires: [],
  });
  expect(result).toMatchObject({ ok: true });
  return started;
}

const connectionState = (rt: Runtime) => rt.connections().find((c) => c.id === 'link')?.state;
const buffer = (rt: Runtime) => rt.metrics()['sink']!.buffer!;
const payloads = (list: readonly Message[]) => list.map((m) => m.payload);
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

async function goDown(rt: Runtime): Promise<void> {
  link.drop();
  await vi.waitFor(() => expect(connectionState(rt)).not.toBe('connected'), { timeout: 3000, interval: 5 });
}

async function comeUp(rt: Runtime): Promise<void> {
  link.up = true;
  await vi.waitFor(() => expect(connectionState(rt)).toBe('connected'), { timeout: 3000, interval: 5 });
}

describe('store-and-forward on a sink', () => {
  it('buffers while the connection is down, then replays in order, marked historical; badge and counters follow', async () => {
    const { rt, statuses } = await start({}, tempDir());
    await vi.waitFor(() => expect(connectionState(rt)).toBe('connected'), { timeout: 3000, interval: 5 });
    rt.inject('sink', { payload: 'live' });
    await vi.waitFor(() => expect(payloads(link.delivered)).toEqual(['live']), { timeout: 3000, interval: 5 });
    expect(link.delivered[0]!['historical']).toBeUndefined();

    await goDown(rt);
    for (let i = 0; i < 40; i++) expect(rt.inject('sink', { payload: i })).toBe(true);
    await vi.waitFor(() => expect(buffer(rt).queued).toBe(40), { timeout: 3000, interval: 5 });
    expect(buffer(rt)).toMatchObject({ persistent: true, replayed: 0, dropped: { overflow: 0, expired: 0, failed: 0 } });
    expect(buffer(rt).bytes).toBeGreaterThan(0);
    // The connection's own badge (connecting, the reason) comes and goes with each retry; ours comes back after each.
    await vi.waitFor(() => expect(statuses.some((s) => s.fill === 'red' && /^buffering 40 \(\d+\.\d kB\)$/.test(s.text ?? ''))).toBe(true), { timeout: 3000, interval: 5 });
    expect(rt.metrics()['sink']!.errors).toBe(0);

    await comeUp(rt);
    await vi.waitFor(() => expect(buffer(rt).queued).toBe(0), { timeout: 5000, interval: 5 });
    const replayed = link.delivered.slice(1);
    expect(payloads(replayed)).toEqual(range(0, 40));
    for (const m of replayed) {
      expect(m['historical']).toBe(true);
      expect(typeof m['bufferedAt']).toBe('string');
    }
    expect(buffer(rt).replayed).toBe(40);
    await vi.waitFor(() => expect(statuses.at(-1)).toEqual({ fill: 'green', shape: 'dot', text: 'connected' }), { timeout: 3000, interval: 5 });
  });

  it('buffers a delivery cut mid-flight (NOT_CONNECTED from the node) and sends it again later', async () => {
    const { rt, errors } = await start({ markHistorical: false }, tempDir());
    await vi.waitFor(() => expect(connectionState(rt)).toBe('connected'), { timeout: 3000, interval: 5 });
    link.cutOnce.add('cut');
    rt.inject('sink', { payload: 'cut' });
    rt.inject('sink', { payload: 'after' });
    await vi.waitFor(() => expect(payloads(link.delivered)).toEqual(['after', 'cut']), { timeout: 5000, interval: 5 });
    expect(link.delivered[1]!['historical']).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('a message refused at replay for another reason is an error of the node, counted, and does not block the rest', async () => {
    const { rt, errors } = await start({}, tempDir());
    await vi.waitFor(() => expect(connectionState(rt)).toBe('connected'), { timeout: 3000, interval: 5 });
    await goDown(rt);
    link.refuse.add(1);
    for (let i = 0; i < 3; i++) rt.inject('sink', { payload: i });
    await vi.waitFor(() => expect(buffer(rt).queued).toBe(3), { timeout: 3000, interval: 5 });
    await comeUp(rt);
    await vi.waitFor(() => expect(payloads(link.delivered)).toEqual([0, 2]), { timeout: 5000, interval: 5 });
    await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 3000, interval: 5 });
    expect(errors[0]).toMatchObject({ nodeId: 'sink', code: 'INPUT_INVALID' });
    expect(buffer(rt).dropped.failed).toBe(1);
  });

  it('a drop during replay puts the messages in flight back at the head: none lost, none out of order', async () => {
    const { rt } = await start({}, tempDir());
    await vi.waitFor(() => expect(connectionState(rt)).toBe('connected'), { timeout: 3000, interval: 5 });
    await goDown(rt);
    for (let i = 0; i < 10; i++) rt.inject('sink', { payload: i });
    await vi.waitFor(() => expect(buffer(rt).queued).toBe(10), { timeout: 3000, interval: 5 });
    let release!: () => void;
    link.gate = new Promise((resolve) => (release = resolve));
    await comeUp(rt);
    // The replay window (the type's concurrency, 4) is out, waiting on the gate.
    await vi.waitFor(() => expect(link.waiting).toBe(4), { timeout: 3000, interval: 5 });
    await goDown(rt);
    link.gate = undefined;
    release();
    await vi.waitFor(() => expect(link.waiting).toBe(0), { timeout: 3000, interval: 5 });
    expect(link.delivered).toEqual([]);
    expect(buffer(rt).queued).toBe(10);
    expect(rt.metrics()['sink']!.errors).toBe(0);
    await comeUp(rt);
    await vi.waitFor(() => expect(buffer(rt).queued).toBe(0), { timeout: 5000, interval: 5 });
    expect(payloads(link.delivered)).toEqual(range(0, 10));
    expect(buffer(rt)).toMatchObject({ replayed: 10, dropped: { overflow: 0, expired: 0, failed: 0 } });
  });

  it('a buffered message the peer always drops the link over is dropped after 5 tries alone, with an error; the rest goes on', async () => {
    const { rt, errors } = await start({}, tempDir());
    await vi.waitFor(() => expect(connectionState(rt)).toBe('connected'), { timeout: 3000, interval: 5 });
    await goDown(rt);
    link.poison.add(2);
    for (let i = 0; i < 6; i++) rt.inject('sink', { payload: i });
    await vi.waitFor(() => expect(buffer(rt).queued).toBe(6), { timeout: 3000, interval: 5 });
    await comeUp(rt);
    await vi.waitFor(() => expect(buffer(rt).queued).toBe(0), { timeout: 10_000, interval: 5 });
    expect(payloads(link.delivered)).toEqual([0, 1, 3, 4, 5]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ nodeId: 'sink', code: 'NOT_CONNECTED' });
    expect(errors[0]!.message).toMatch(/dropped 5 times in a row .* dropped as the likely cause/);
    expect(buffer(rt).dropped.failed).toBe(1);
  }, 20_000);

  it('replays at most replayRatePerSecond', async () => {
    const { rt } = await start({ replayRatePerSecond: 20 }, tempDir());
    await vi.waitFor(() => expect(connectionState(rt)).toBe('connected'), { timeout: 3000, interval: 5 });
    await goDown(rt);
    for (let i = 0; i < 12; i++) rt.inject('sink', { payload: i });
    await vi.waitFor(() => expect(buffer(rt).queued).toBe(12), { timeout: 3000, interval: 5 });
    const t0 = performance.now();
    await comeUp(rt);
    await vi.waitFor(() => expect(link.delivered).toHaveLength(12), { timeout: 5000, interval: 5 });
    // 12 messages at 20/s with a burst of 1: at least 11 intervals of 50 ms.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(500);
    expect(payloads(link.delivered)).toEqual(range(0, 12));
  });

  it('a restarted runtime with the same data directory delivers what the last one buffered', async () => {
    const dataDir = tempDir();
    const first = await start({}, dataDir);
    await vi.waitFor(() => expect(connectionState(first.rt)).toBe('connected'), { timeout: 3000, interval: 5 });
    await goDown(first.rt);
    for (let i = 0; i < 25; i++) first.rt.inject('sink', { payload: i, data: Buffer.from([i]) });
    await vi.waitFor(() => expect(buffer(first.rt).queued).toBe(25), { timeout: 3000, interval: 5 });
    await first.rt.stop();
    runtimes.splice(runtimes.indexOf(first.rt), 1);
    expect(link.delivered).toEqual([]);

    link.up = true;
    const second = await start({}, dataDir);
    await vi.waitFor(() => expect(link.delivered).toHaveLength(25), { timeout: 5000, interval: 5 });
    expect(payloads(link.delivered)).toEqual(range(0, 25));
    expect(Buffer.isBuffer(link.delivered[3]!['data'])).toBe(true);
    await vi.waitFor(() => expect(buffer(second.rt).queued).toBe(0), { timeout: 3000, interval: 5 });
  });

  it('without a data directory it warns and buffers in memory', async () => {
    const { rt, logs } = await start({});
    expect(logs.find((l) => l.level === 'warn' && /no data directory/.test(l.message))).toMatchObject({ nodeId: 'sink', storeAndForward: 'memory' });
    await vi.waitFor(() => expect(connectionState(rt)).toBe('connected'), { timeout: 3000, interval: 5 });
    await goDown(rt);
    for (let i = 0; i < 5; i++) rt.inject('sink', { payload: i });
    await vi.waitFor(() => expect(buffer(rt)).toMatchObject({ queued: 5, persistent: false }), { timeout: 3000, interval: 5 });
    await comeUp(rt);
    await vi.waitFor(() => expect(payloads(link.delivered)).toEqual(range(0, 5)), { timeout: 5000, interval: 5 });
  });

  it('with the buffer off, a message while down is a NOT_CONNECTED error, as before', async () => {
    const { rt, errors } = await start({ enabled: false }, tempDir());
    await vi.waitFor(() => expect(connectionState(rt)).toBe('connected'), { timeout: 3000, interval: 5 });
    await goDown(rt);
    rt.inject('sink', { payload: 1 });
    await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 3000, interval: 5 });
    expect(errors[0]).toMatchObject({ nodeId: 'sink', code: 'NOT_CONNECTED' });
    expect(rt.metrics()['sink']!.buffer).toBeUndefined();
  });
});
