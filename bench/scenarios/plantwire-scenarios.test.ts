import { coreNodes } from '@plantwire/nodes-core';
import { createRuntime, type Runtime } from '@plantwire/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { benchSink, sinkCounters } from '../drivers/bench-sink.node.js';
import { runLoad } from '../drivers/measure-throughput.js';
import { makeMessage } from './bench-graph.js';
import { scenarios, type ThroughputScenario } from './scenarios.js';
import { toPlantwireDocument } from './to-plantwire.js';

const quiet = { log: () => undefined };
let runtime: Runtime | undefined;

afterEach(async () => {
  await runtime?.stop({ drainTimeoutMs: 1000 });
  runtime = undefined;
});

async function deployScenario(name: string): Promise<Runtime> {
  const scenario = scenarios.find((s) => s.name === name)!;
  runtime = createRuntime({ nodeTypes: [...coreNodes, benchSink], logger: quiet });
  const result = await runtime.deploy(toPlantwireDocument(scenario.graph, coreNodes));
  expect(result.ok ? [] : result.issues).toEqual([]);
  return runtime;
}

describe('bench scenarios on the Plantwire runtime', () => {
  it.each(['chain-mixed', 'chain-change', 'chain-function', 'fan-out', 'deploy-1000', 'startup'])('%s deploys as generated', async (name) => {
    await deployScenario(name);
  });

  it.each([
    ['chain-change', { payload: 0, step: 10 }],
    ['chain-function', { payload: 10 }],
    ['chain-mixed', { payload: 5, step: 9 }],
  ] as const)('%s does the same work as its Node-RED twin', async (name, expected) => {
    const rt = await deployScenario(name);
    const scenario = scenarios.find((s) => s.name === name) as ThroughputScenario;
    const last = scenario.graph.wires.find((w) => w.to === scenario.sinks[0])!.from;
    const out = new Promise((resolve) => rt.on('sent', (e) => e.nodeId === last && resolve(e.msg)));
    expect(rt.inject(scenario.head, makeMessage('counter', 0))).toBe(true);
    expect(await out).toMatchObject(expected);
  });

  it('the load loop counts every fan-out message at all four branch ends', async () => {
    const rt = await deployScenario('fan-out');
    const scenario = scenarios.find((s) => s.name === 'fan-out') as ThroughputScenario;
    const sinks = scenario.sinks.map((id) => sinkCounters.get(id)!);
    const settings = { warmupMs: 0, durationMs: 5000, runs: 1, burst: 50, window: 200, maxMessages: 400, drainTimeoutMs: 2000 };
    const run = await runLoad({ inject: (msg) => rt.inject(scenario.head, msg), sinks }, 'tags50', settings, settings.durationMs);
    expect(run.messages).toBe(400);
    expect(sinks.map((s) => s.count)).toEqual([400, 400, 400, 400]);
  });
});
