/**
 * Quick local throughput check of the runtime's hot path (not a timed test). Bundle it like the
 * CLI and bench drivers are bundled (tsx's loader makes everything ~1.5× slower):
 *   npx esbuild packages/runtime/scripts/perf-check.ts --bundle --platform=node --format=esm \
 *     --main-fields=module,main --outfile=/tmp/perf-check.mjs && node /tmp/perf-check.mjs
 * Env: N=1000000 messages, ONLY=chain|fan|emit, TRANSFORM=pass|const|copy|literal|spread.
 * Pushes messages the way bench/ does (runtime.inject in bursts of 100, at most 1,000 in flight,
 * retry on refusal) through
 *   1. a chain of 10 synchronous transforms (copy the message, set `step`, as the change node does) into a counting sink;
 *   2. 1 transform → 4 branches × 3 transforms → 4 sinks, with a 50-field payload.
 * and, for the emit path, 3. a source node emitting as fast as pressure allows into the chain.
 */
import { defineNode, type AnyNodeType, type MessageInit } from '@plantwire/node-sdk';
import * as z from 'zod';
import { createRuntime, type Runtime } from '../src/index.js';

const N = Number(process.env['N'] ?? 1_000_000);
const counts = new Map<string, { n: number }>();

const step = defineNode({
  type: 'perf-step',
  version: 1,
  category: 'transform',
  summary: 'Sets msg.step the way a one-rule change node does (TRANSFORM=pass|const|copy|literal|spread to compare).',
  inputs: { in: 'messages' },
  outputs: { out: 'messages' },
  config: z.object({ value: z.number() }),
  onInput:
    process.env['TRANSFORM'] === 'pass' ? (msg) => msg
    : process.env['TRANSFORM'] === 'const' ? (msg) => ({ ...msg, step: 1 })
    : process.env['TRANSFORM'] === 'copy' ? (msg) => ({ ...msg })
    : process.env['TRANSFORM'] === 'literal' ? (msg, { config }) => ({ _msgid: msg._msgid, payload: msg.payload, topic: msg.topic, step: config.value })
    : process.env['TRANSFORM'] === 'spread' ? (msg, { config }) => ({ ...msg, step: config.value })
    : (msg, { config }) => {
        // What the core change node does for `set step`: one shallow copy, one store.
        const copy: Record<string, unknown> = { ...msg };
        copy['step'] = config.value;
        return copy as typeof msg;
      },
});

const sink = defineNode({
  type: 'perf-sink',
  version: 1,
  category: 'sink',
  summary: 'Counts.',
  inputs: { in: 'anything' },
  config: z.object({}),
  setup(ctx) {
    const c = { n: 0 };
    counts.set(ctx.id, c);
    return c;
  },
  onInput(_msg, _ctx, c) {
    c.n++;
  },
});

let sourceDone: (() => void) | undefined;
const source = defineNode({
  type: 'perf-source',
  version: 1,
  category: 'source',
  summary: 'Emits N messages as fast as pressure allows.',
  outputs: { out: 'messages' },
  config: z.object({ count: z.number() }),
  setup(ctx) {
    let sent = 0;
    let pending: MessageInit | undefined;
    const pump = (): void => {
      if (pending) {
        if (!ctx.emit(pending)) return void ctx.onDrain(pump);
        pending = undefined;
      }
      let burst = 0;
      while (sent < ctx.config.count) {
        const msg = { payload: sent, topic: 't' };
        sent++;
        if (!ctx.emit(msg)) {
          pending = msg;
          return void ctx.onDrain(pump);
        }
        if (++burst === 1000) return void setImmediate(pump);
      }
      sourceDone?.();
    };
    setImmediate(pump);
  },
});

const types: AnyNodeType[] = [step, sink, source];

function message(shape: 'counter' | 'tags50', i: number): { payload: unknown; topic: string } {
  if (shape === 'counter') return { payload: i, topic: 'bench' };
  const payload: Record<string, number> = {};
  for (let t = 0; t < 50; t++) payload[`tag${t < 10 ? '0' : ''}${t}`] = i + t * 0.5;
  return { payload, topic: 'bench' };
}

const completed = (sinks: Array<{ n: number }>) => Math.min(...sinks.map((s) => s.n));
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The bench's load loop, simplified: bursts of 100, window 1,000, retry on refusal. */
async function load(runtime: Runtime, head: string, sinks: Array<{ n: number }>, shape: 'counter' | 'tags50', total: number): Promise<number> {
  const base = completed(sinks);
  let sent = 0;
  const t0 = performance.now();
  while (sent < total) {
    const room = Math.min(100, 1000 - (sent - (completed(sinks) - base)), total - sent);
    if (room > 0) {
      for (let k = 0; k < room; k++) {
        if (!runtime.inject(head, message(shape, sent))) break;
        sent++;
      }
    }
    await yieldToLoop();
  }
  while (completed(sinks) - base < total) await yieldToLoop();
  return (performance.now() - t0) / 1000;
}

function chainDoc(withSource: boolean): unknown {
  const nodes: unknown[] = [];
  const wires: unknown[] = [];
  if (withSource) nodes.push({ id: 'src', type: 'perf-source', config: { count: N } });
  for (let i = 1; i <= 10; i++) {
    nodes.push({ id: `c${i}`, type: 'perf-step', config: { value: i } });
    if (i > 1) wires.push({ from: { node: `c${i - 1}`, port: 'out' }, to: { node: `c${i}`, port: 'in' } });
  }
  if (withSource) wires.push({ from: { node: 'src', port: 'out' }, to: { node: 'c1', port: 'in' } });
  nodes.push({ id: 'sink', type: 'perf-sink' });
  wires.push({ from: { node: 'c10', port: 'out' }, to: { node: 'sink', port: 'in' } });
  return { version: 1, nodes, wires };
}

function fanDoc(): unknown {
  const nodes: unknown[] = [{ id: 'head', type: 'perf-step', config: { value: 0 } }];
  const wires: unknown[] = [];
  for (let b = 1; b <= 4; b++) {
    let prev = 'head';
    for (let d = 1; d <= 3; d++) {
      const id = `b${b}-${d}`;
      nodes.push({ id, type: 'perf-step', config: { value: b * 10 + d } });
      wires.push({ from: { node: prev, port: 'out' }, to: { node: id, port: 'in' } });
      prev = id;
    }
    nodes.push({ id: `sink${b}`, type: 'perf-sink' });
    wires.push({ from: { node: prev, port: 'out' }, to: { node: `sink${b}`, port: 'in' } });
  }
  return { version: 1, nodes, wires };
}

async function measureInject(name: string, doc: unknown, head: string, sinkIds: string[], shape: 'counter' | 'tags50', total: number, hopsPerMsg: number): Promise<void> {
  const runtime = createRuntime({ nodeTypes: types, env: {} });
  const r = await runtime.deploy(doc);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const sinks = sinkIds.map((id) => counts.get(id)!);
  await load(runtime, head, sinks, shape, Math.min(total, 100_000)); // warm-up
  const seconds = await load(runtime, head, sinks, shape, total);
  const rate = total / seconds;
  const maxDepth = Math.max(...Object.values(runtime.metrics()).map((m) => m.queueDepth));
  await runtime.stop();
  console.log(`${name}: ${Math.round(rate).toLocaleString('en')} msgs/s (${Math.round(rate * hopsPerMsg).toLocaleString('en')} node hops/s), ${total} msgs in ${seconds.toFixed(2)} s, max queue depth ${maxDepth}`);
}

async function measureEmit(): Promise<void> {
  const runtime = createRuntime({ nodeTypes: types, env: {} });
  const done = new Promise<void>((resolve) => (sourceDone = resolve));
  const t0 = performance.now();
  const r = await runtime.deploy(chainDoc(true));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  await done;
  const sinkCounter = counts.get('sink')!;
  while (sinkCounter.n < N) await yieldToLoop();
  const seconds = (performance.now() - t0) / 1000;
  const src = runtime.metrics()['src']!;
  await runtime.stop();
  console.log(`source.emit → chain of 10 → sink: ${Math.round(N / seconds).toLocaleString('en')} msgs/s, ${N} msgs in ${seconds.toFixed(2)} s (source pauses on pressure; refusals counted as dropped: ${src.dropped})`);
}

const only = process.env['ONLY'];
if (!only || only === 'chain') await measureInject('chain of 10 sync transforms (inject, bench-style load)', chainDoc(false), 'c1', ['sink'], 'counter', N, 11);
if (!only || only === 'fan') await measureInject('fan-out 1 → 4 × 3, 50-field payload (inject, bench-style load)', fanDoc(), 'head', ['sink1', 'sink2', 'sink3', 'sink4'], 'tags50', Math.round(N / 4), 17);
if (!only || only === 'emit') await measureEmit();
