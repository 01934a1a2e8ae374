import { describe, expect, it } from 'vitest';
import { findCycles } from './find-cycles.js';

const nodes = (...ids: string[]) => ids.map((id) => ({ id, type: 'change', config: {} }));
const wires = (...pairs: Array<[string, string]>) => pairs.map(([from, to]) => ({ from: { node: from, port: 'out' }, to: { node: to, port: 'in' } }));

describe('findCycles', () => {
  it('finds none in a DAG with fan-out and fan-in', () => {
    expect(findCycles({ nodes: nodes('a', 'b', 'c', 'd'), wires: wires(['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd']) })).toEqual([]);
  });

  it('finds each cycle once, with its ids in document order', () => {
    const doc = { nodes: nodes('a', 'b', 'c', 'd', 'e', 'f'), wires: wires(['a', 'b'], ['c', 'b'], ['b', 'c'], ['d', 'e'], ['e', 'f'], ['f', 'd'], ['c', 'd']) };
    expect(findCycles(doc)).toEqual([
      ['b', 'c'],
      ['d', 'e', 'f'],
    ]);
  });

  it('finds a node wired to itself', () => {
    expect(findCycles({ nodes: nodes('a', 'b'), wires: wires(['a', 'b'], ['b', 'b']) })).toEqual([['b']]);
  });

  it('counts virtual edges and ignores edges to unknown ids', () => {
    const doc = { nodes: nodes('link-out', 'link-in', 'work'), wires: wires(['link-in', 'work'], ['work', 'link-out'], ['work', 'ghost'], ['ghost', 'work']) };
    expect(findCycles(doc)).toEqual([]);
    expect(findCycles(doc, [{ from: 'link-out', to: 'link-in' }])).toEqual([['link-out', 'link-in', 'work']]);
  });

  it('handles a 20,000-node chain closed into a loop without overflowing the stack', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `n${i}`);
    const pairs = ids.map((id, i) => [id, ids[(i + 1) % ids.length]!] as [string, string]);
    const cycles = findCycles({ nodes: nodes(...ids), wires: wires(...pairs) });
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(20_000);
  });
});
