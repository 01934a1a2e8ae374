import type { BenchGraph, BenchNode, MessageShape } from './bench-graph.js';
import { checkGraph } from './bench-graph.js';

/** Push messages in at `head` and count them at every sink; a message counts once it reached all sinks. */
export interface ThroughputScenario {
  readonly kind: 'throughput';
  readonly name: string;
  readonly title: string;
  readonly graph: BenchGraph;
  readonly head: string;
  readonly sinks: readonly string[];
  readonly message: MessageShape;
  /** Plantwire msgs/s ÷ Node-RED msgs/s must reach this. */
  readonly minRatio: number;
}

/** Deploy `graph` into a freshly started, empty runtime; time to running and RSS after. */
export interface DeployScenario {
  readonly kind: 'deploy';
  readonly name: string;
  readonly title: string;
  readonly graph: BenchGraph;
  readonly nodeCount: number;
  /** Plantwire time ÷ Node-RED time must stay at or below this; undefined = for information. */
  readonly maxTimeRatio?: number;
}

/**
 * Spawn the system's own command with `graph` as its flow file; time to ready and RSS after
 * idling. Without targets the scenario is for information (its rows carry no verdict).
 */
export interface StartupScenario {
  readonly kind: 'startup';
  readonly name: string;
  readonly title: string;
  readonly graph: BenchGraph;
  readonly maxTimeRatio?: number;
  readonly maxRssRatio?: number;
}

export type Scenario = ThroughputScenario | DeployScenario | StartupScenario;

const TAB = 'bench';
const oneTab = [{ id: TAB, label: 'Bench' }];

/** The function-node body both systems run: the Node-RED contract, unchanged. */
export const INCREMENT_CODE = 'msg.payload = msg.payload + 1;\nreturn msg;';

function chainNode(id: string, kind: 'change' | 'function', step: number): BenchNode {
  return kind === 'change'
    ? { id, tab: TAB, kind: 'change', rules: [{ path: 'step', value: step }] }
    : { id, tab: TAB, kind: 'function', code: INCREMENT_CODE };
}

/** `length` processing nodes in a row, then the counting sink. */
function chain(name: string, length: number, kindAt: (i: number) => 'change' | 'function'): { graph: BenchGraph; head: string; sinks: string[] } {
  const nodes: BenchNode[] = [];
  const wires: Array<{ from: string; to: string }> = [];
  for (let i = 1; i <= length; i++) {
    nodes.push(chainNode(`${name}-${i}`, kindAt(i), i));
    if (i > 1) wires.push({ from: `${name}-${i - 1}`, to: `${name}-${i}` });
  }
  nodes.push({ id: `${name}-sink`, tab: TAB, kind: 'sink' });
  wires.push({ from: `${name}-${length}`, to: `${name}-sink` });
  return { graph: { tabs: oneTab, nodes, wires }, head: `${name}-1`, sinks: [`${name}-sink`] };
}

/** One change node fanning out into `branches` branches of `depth` change nodes, each ending in a sink. */
function fanOut(branches: number, depth: number): { graph: BenchGraph; head: string; sinks: string[] } {
  const nodes: BenchNode[] = [{ id: 'fan-src', tab: TAB, kind: 'change', rules: [{ path: 'stage', value: 0 }] }];
  const wires: Array<{ from: string; to: string }> = [];
  const sinks: string[] = [];
  for (let b = 1; b <= branches; b++) {
    let prev = 'fan-src';
    for (let d = 1; d <= depth; d++) {
      const id = `fan-b${b}-${d}`;
      nodes.push({ id, tab: TAB, kind: 'change', rules: [{ path: 'stage', value: b * 10 + d }] });
      wires.push({ from: prev, to: id });
      prev = id;
    }
    const sink = `fan-b${b}-sink`;
    nodes.push({ id: sink, tab: TAB, kind: 'sink' });
    wires.push({ from: prev, to: sink });
    sinks.push(sink);
  }
  return { graph: { tabs: oneTab, nodes, wires }, head: 'fan-src', sinks };
}

/**
 * Many small chains `inject → change → switch → change → debug (output off)`, 5 nodes each,
 * spread over tabs of at most 1,000 nodes: what a large plant's flows look like to a deploy.
 */
export function deployGraph(nodeCount: number): BenchGraph {
  if (nodeCount % 5 !== 0) throw new Error(`deployGraph: nodeCount ${nodeCount} must be a multiple of 5`);
  const perTab = 1000;
  const tabs = Array.from({ length: Math.ceil(nodeCount / perTab) }, (_, t) => ({ id: `tab-${t + 1}`, label: `Line ${t + 1}` }));
  const nodes: BenchNode[] = [];
  const wires: Array<{ from: string; to: string }> = [];
  for (let c = 0; c < nodeCount / 5; c++) {
    const tab = tabs[Math.floor((c * 5) / perTab)]!.id;
    const p = `c${c}`;
    nodes.push(
      { id: `${p}-in`, tab, kind: 'inject' },
      { id: `${p}-scale`, tab, kind: 'change', rules: [{ path: 'unit', value: 'degC' }] },
      { id: `${p}-gate`, tab, kind: 'switch', property: 'payload', min: 0 },
      { id: `${p}-tag`, tab, kind: 'change', rules: [{ path: 'line', value: c }] },
      { id: `${p}-out`, tab, kind: 'debug' },
    );
    wires.push({ from: `${p}-in`, to: `${p}-scale` }, { from: `${p}-scale`, to: `${p}-gate` }, { from: `${p}-gate`, to: `${p}-tag` }, { from: `${p}-tag`, to: `${p}-out` });
  }
  return { tabs, nodes, wires };
}

const mixed = chain('mixed', 10, (i) => (i % 2 === 1 ? 'change' : 'function'));
const changeOnly = chain('change', 10, () => 'change');
const functionOnly = chain('function', 10, () => 'function');
const fan = fanOut(4, 3);

/**
 * The start-up scenarios' flow: `inject (every 1 s) → change → switch → [function →] debug`. A 1 s
 * poller keeps both processes alive with work to do, as a real edge flow would.
 */
function pollerFlow(withFunction: boolean): BenchGraph {
  const nodes: BenchNode[] = [
    { id: 'st-in', tab: TAB, kind: 'inject', everySeconds: 1 },
    { id: 'st-scale', tab: TAB, kind: 'change', rules: [{ path: 'unit', value: 'degC' }] },
    { id: 'st-gate', tab: TAB, kind: 'switch', property: 'payload', min: 0 },
    ...(withFunction ? [{ id: 'st-fn', tab: TAB, kind: 'function', code: INCREMENT_CODE } satisfies BenchNode] : []),
    { id: 'st-out', tab: TAB, kind: 'debug' },
  ];
  return { tabs: oneTab, nodes, wires: nodes.slice(1).map((node, i) => ({ from: nodes[i]!.id, to: node.id })) };
}

/** Every scenario, in the order the table prints them. */
export const scenarios: readonly Scenario[] = [
  { kind: 'throughput', name: 'chain-mixed', title: '10-node chain, change/function alternating', ...mixed, message: 'counter', minRatio: 5 },
  { kind: 'throughput', name: 'chain-change', title: '10-node chain, change only (set msg.step)', ...changeOnly, message: 'counter', minRatio: 10 },
  { kind: 'throughput', name: 'chain-function', title: '10-node chain, function only (payload + 1)', ...functionOnly, message: 'counter', minRatio: 2 },
  { kind: 'throughput', name: 'fan-out', title: '1 → 4 branches × 3 change nodes, 50-tag payload', ...fan, message: 'tags50', minRatio: 10 },
  { kind: 'deploy', name: 'deploy-1000', title: 'deploy 1,000 nodes (200 chains)', graph: deployGraph(1000), nodeCount: 1000 },
  { kind: 'deploy', name: 'deploy-5000', title: 'deploy 5,000 nodes (1,000 chains)', graph: deployGraph(5000), nodeCount: 5000, maxTimeRatio: 1 / 3 },
  {
    kind: 'startup',
    name: 'startup',
    title: 'start-up of a 5-node flow (1 s poller), then 2 s idle',
    graph: pollerFlow(true),
    maxTimeRatio: 1 / 2,
    maxRssRatio: 1 / 2,
  },
  {
    // For information: what the function node's isolation costs. Plantwire runs user code in a
    // worker thread (a second V8 isolate with Node's bootstrap); Node-RED's function node runs it
    // in a `vm` context of its main isolate.
    kind: 'startup',
    name: 'startup-no-function',
    title: 'the same flow without its function node (no sandbox worker), then 2 s idle',
    graph: pollerFlow(false),
  },
];

for (const s of scenarios) checkGraph(s.graph);
