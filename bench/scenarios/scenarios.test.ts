import { describe, expect, it } from 'vitest';
import { makeMessage } from './bench-graph.js';
import { scenarios, deployGraph } from './scenarios.js';
import { toNodeRedFlows, type NodeRedEntry } from './to-node-red.js';

describe('bench scenarios', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s becomes a Node-RED flow with the same nodes and wires', (_name, scenario) => {
    const flows = toNodeRedFlows(scenario.graph);
    const nodes = flows.filter((f) => f.type !== 'tab');
    expect(nodes.map((n) => n.id)).toEqual(scenario.graph.nodes.map((n) => n.id));
    const edges = nodes.flatMap((n) => ((n.wires as string[][])[0] ?? []).map((to) => `${n.id}->${to}`));
    expect(edges.sort()).toEqual(scenario.graph.wires.map((w) => `${w.from}->${w.to}`).sort());
    for (const n of nodes) expect(flows.some((f) => f.type === 'tab' && f.id === n.z)).toBe(true);
  });

  it('the change-only chain sets msg.step to the node position on both sides of the translation', () => {
    const chain = scenarios.find((s) => s.name === 'chain-change')!;
    const nr = toNodeRedFlows(chain.graph).filter((f): f is NodeRedEntry & { rules: unknown[] } => f.type === 'change');
    expect(nr).toHaveLength(10);
    expect(nr[2]!.rules).toEqual([{ t: 'set', p: 'step', pt: 'msg', to: '3', tot: 'num' }]);
  });

  it('the fan-out scenario has one head, 4 branches of 3 change nodes and 4 sinks', () => {
    const fan = scenarios.find((s) => s.name === 'fan-out');
    if (fan?.kind !== 'throughput') throw new Error('fan-out scenario missing');
    expect(fan.sinks).toHaveLength(4);
    expect(fan.graph.nodes.filter((n) => n.kind === 'change')).toHaveLength(13);
    expect(fan.graph.wires.filter((w) => w.from === fan.head)).toHaveLength(4);
  });

  it('a tags50 message has tag00 … tag49 in order, tag t = i + t / 2, and a fresh payload each time', () => {
    const a = makeMessage('tags50', 7);
    const payload = a.payload as Record<string, number>;
    expect(Object.keys(payload)).toEqual(Array.from({ length: 50 }, (_, t) => `tag${String(t).padStart(2, '0')}`));
    expect(Object.values(payload)).toEqual(Array.from({ length: 50 }, (_, t) => 7 + t * 0.5));
    expect(a.topic).toBe('bench');
    const b = makeMessage('tags50', 8);
    expect(b.payload).not.toBe(a.payload);
    expect((b.payload as Record<string, number>)['tag49']).toBe(32.5);
    expect(payload['tag49']).toBe(31.5);
    expect(makeMessage('counter', 3)).toEqual({ payload: 3, topic: 'bench' });
  });

  it('a deploy graph has exactly the requested node count, over tabs of at most 1,000 nodes', () => {
    const graph = deployGraph(5000);
    expect(graph.nodes).toHaveLength(5000);
    const perTab = new Map<string, number>();
    for (const n of graph.nodes) perTab.set(n.tab, (perTab.get(n.tab) ?? 0) + 1);
    expect(Math.max(...perTab.values())).toBeLessThanOrEqual(1000);
    expect(() => deployGraph(1001)).toThrow(/multiple of 5/);
  });
});
