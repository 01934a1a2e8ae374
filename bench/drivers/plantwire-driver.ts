/**
 * Plantwire side of the benchmark. Bundled by bench/run.ts (everything inlined, like the CLI
 * bundle) and run with plain `node`. Creates a runtime with the core nodes plus the driver's own
 * counting sink, deploys the generated document, and pushes messages with `runtime.inject`,
 * retrying when the head's queue refuses one.
 *
 * The process runs the runtime as `plantwire start` does: the command's V8 policy
 * (apps/cli/src/v8-memory.ts) is imported first, the runtime's deploys pause the optimizing
 * compiler, and the command is "up" (startUpDone, with its one-time GC done) before the measured
 * deploy arrives, as an editor's deploy reaches it. Node-RED runs with its defaults.
 */
// First, as in the CLI: it tunes V8 before the other modules load.
import { pauseOptimizationDuringDeploys, startUpDone } from '../../apps/cli/src/v8-memory.js';
import { readFileSync } from 'node:fs';
import { coreNodes } from '@plantwire/nodes-core';
import { createRuntime } from '@plantwire/runtime';
import type { LogEvent } from '@plantwire/runtime';
import { benchSink, sinkCounters } from './bench-sink.node.js';
import { measure, rssMb, runDriver } from './measure-throughput.js';

/** Warnings and errors to stderr (the orchestrator shows its tail on failure); the rest is dropped. */
const logger = {
  log(entry: LogEvent): void {
    if (entry.level === 'warn' || entry.level === 'error') process.stderr.write(`${JSON.stringify(entry)}\n`);
  },
};

runDriver('plantwire', async (request) => {
  const document = JSON.parse(readFileSync(request.flowFile, 'utf8')) as { nodes: unknown[] };
  const runtime = createRuntime({ nodeTypes: [...coreNodes, benchSink], logger });
  pauseOptimizationDuringDeploys(runtime);
  await startUpDone();
  const gc = (globalThis as { gc?: () => void }).gc;

  gc?.();
  const rssBeforeMb = rssMb();
  const t0 = performance.now();
  const deployed = await runtime.deploy(document);
  const deployMs = performance.now() - t0;
  if (!deployed.ok) {
    throw new Error(`deploy refused:\n${deployed.issues.map((i) => `  ${JSON.stringify(i)}`).join('\n')}`);
  }

  if (request.mode === 'deploy') {
    await new Promise((resolve) => setTimeout(resolve, request.settleMs));
    gc?.();
    return { mode: 'deploy', nodes: document.nodes.length, deployMs, rssBeforeMb, rssAfterMb: rssMb() };
  }

  const sinks = request.sinks.map((id) => {
    const counter = sinkCounters.get(id);
    if (!counter) throw new Error(`plantwire driver: sink "${id}" was not set up by the deploy`);
    return counter;
  });
  const head = request.head;
  const { warmup, runs } = await measure({ inject: (msg) => runtime.inject(head, msg), sinks }, request.message, request);
  return { mode: 'throughput', warmup, runs, rssMb: rssMb() };
});
