/**
 * Local throughput check for the function node (not a test: figures depend on the machine).
 *
 *   npx tsx packages/nodes-core/src/function/function-throughput.ts [nodes=10] [messages=100000] [rounds=5]
 *
 * Runs a chain of function nodes (`msg.payload = msg.payload + 1; return msg;`, as bench's
 * chain-function scenario) into a counting sink, injects in bursts of 100 with at most 1,000
 * messages in flight, and prints msgs/s end to end per round and the median. It runs through
 * `runFlow`, which also records and freezes every message on every wire, so the figure is a lower
 * bound of what the bare runtime does (`pnpm bench --only chain-function` measures that).
 */
import { pathToFileURL } from 'node:url';
import { defineNode } from '@plantwire/node-sdk';
import { runFlow } from '@plantwire/testing';
import * as z from 'zod';
import { functionNode } from './function.node.js';

/** What {@link measureFunctionChain} reports. */
export interface ChainThroughput {
  readonly nodes: number;
  readonly messagesPerRound: number;
  /** Messages per second through the whole chain, one figure per round. */
  readonly rounds: readonly number[];
  readonly median: number;
  /**
   * CPU time of the whole process (runtime thread and sandbox worker) per message through the
   * chain, median of the rounds: steadier than msgs/s on a shared machine.
   */
  readonly cpuMicrosPerMessage: number;
}

/** Measure msgs/s through a chain of `nodes` function nodes. */
export async function measureFunctionChain(nodes = 10, messages = 100_000, rounds = 5): Promise<ChainThroughput> {
  let arrived = 0;
  let waiting: { at: number; wake: () => void } | undefined;
  const sink = defineNode({
    type: 'throughput-sink',
    version: 1,
    category: 'sink',
    summary: 'Counts what arrives.',
    inputs: { in: 'Messages to count.' },
    config: z.strictObject({}),
    onInput() {
      arrived++;
      if (waiting && arrived >= waiting.at) {
        const { wake } = waiting;
        waiting = undefined;
        wake();
      }
    },
  });
  const ids = Array.from({ length: nodes }, (_, i) => `f${i + 1}`);
  const document = {
    version: 1,
    nodes: [
      ...ids.map((id) => ({ id, type: 'function', config: { code: 'msg.payload = msg.payload + 1;\nreturn msg;' } })),
      { id: 'sink', type: 'throughput-sink', config: {} },
    ],
    wires: ids.map((id, i) => ({ from: { node: id, port: 'out' }, to: { node: ids[i + 1] ?? 'sink', port: 'in' } })),
  };
  const flow = await runFlow(document, { nodeTypes: [functionNode, sink] });
  const head = ids[0]!;
  const cpu: number[] = [];
  const round = async (count: number): Promise<number> => {
    const base = arrived;
    let injected = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    while (injected < count) {
      for (let burst = 0; burst < 100 && injected < count && injected - (arrived - base) < 1000; burst++) {
        if (!flow.inject(head, { payload: 0, topic: 't' })) break;
        injected++;
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (arrived - base < count) await new Promise<void>((wake) => (waiting = { at: base + count, wake }));
    const elapsed = performance.now() - t0;
    const used = process.cpuUsage(cpu0);
    cpu.push((used.user + used.system) / count);
    return Math.round((count * 1000) / elapsed);
  };
  try {
    await round(Math.min(messages, 20_000)); // warm-up
    cpu.length = 0;
    const results: number[] = [];
    for (let i = 0; i < rounds; i++) results.push(await round(messages));
    const errors = Object.values(flow.metrics()).reduce((n, c) => n + c.errors, 0);
    if (errors > 0) throw new Error(`the chain raised ${errors} node errors: ${flow.errors.slice(0, 3).map((e) => e.message).join('; ')}`);
    const sorted = [...results].sort((a, b) => a - b);
    const cpuSorted = [...cpu].sort((a, b) => a - b);
    return {
      nodes,
      messagesPerRound: messages,
      rounds: results,
      median: sorted[Math.floor(sorted.length / 2)]!,
      cpuMicrosPerMessage: Math.round(cpuSorted[Math.floor(cpuSorted.length / 2)]! * 10) / 10,
    };
  } finally {
    await flow.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [nodes, messages, rounds] = process.argv.slice(2).map(Number);
  const result = await measureFunctionChain(nodes || undefined, messages || undefined, rounds || undefined);
  console.log(`${result.nodes} function nodes in a chain, ${result.messagesPerRound} messages per round`);
  console.log(`msgs/s per round: ${result.rounds.join(', ')}`);
  console.log(`median: ${result.median} msgs/s end to end (${result.median * result.nodes} function calls/s)`);
  console.log(`CPU: ${result.cpuMicrosPerMessage} µs per message through the chain, both threads together`);
}
