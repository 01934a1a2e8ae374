import { describe, expect, it } from 'vitest';
import { manifestOf } from './fixtures.js';
import { nodeGeometry, portOffset } from './node-geometry.js';

describe('nodeGeometry', () => {
  it('places one handle per port, inputs left and outputs right, plus the implicit error output', () => {
    const g = nodeGeometry(manifestOf('switch'));
    expect(g.handles.map((h) => `${h.type}:${h.id}`)).toEqual(['target:in', 'source:match', 'source:otherwise', 'source:error']);
    const match = g.handles[1]!;
    expect(match.x + match.width / 2).toBe(g.width); // centred on the right edge
    expect(match.y + match.height / 2).toBe(portOffset(0));
    expect(g.height).toBeGreaterThan(portOffset(2));
  });

  it('draws a source without inputs and an unknown type with just an error port', () => {
    expect(nodeGeometry(manifestOf('inject')).handles.filter((h) => h.type === 'target')).toEqual([]);
    expect(nodeGeometry(undefined).handles.map((h) => h.id)).toEqual(['error']);
  });
});
