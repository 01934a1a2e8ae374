import { expect, it } from 'vitest';
import { wiresOf } from './wires-of.js';

const w = (from: string, fromPort: string, to: string, toPort = 'in') => ({ from: { node: from, port: fromPort }, to: { node: to, port: toPort } });

it('indexes wires by source and target, in document order', () => {
  const wires = [w('route', 'match', 'alarm'), w('route', 'otherwise', 'log'), w('poll', 'out', 'route'), w('route', 'match', 'log'), w('route', 'error', 'log')];
  const index = wiresOf({ wires });
  expect(index.outgoing('route')).toEqual([wires[0], wires[1], wires[3], wires[4]]);
  expect(index.outgoing('route', 'match')).toEqual([wires[0], wires[3]]);
  expect(index.incoming('log')).toEqual([wires[1], wires[3], wires[4]]);
  expect(index.incoming('route', 'in')).toEqual([wires[2]]);
  expect(index.outgoing('log')).toEqual([]);
  expect(index.incoming('nobody', 'in')).toEqual([]);
  expect([...index.bySource.keys()]).toEqual(['route', 'poll']);
  expect(index.byTarget.get('alarm')).toEqual([wires[0]]);
});
