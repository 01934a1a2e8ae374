import { describe, expect, it } from 'vitest';
import { canonicalStringify } from './canonical-stringify.js';
import { flowDocumentSchema, type FlowDocument } from './document.js';
import { loadFixture } from './fixtures/test-node-types.js';

function fixtureDoc(): FlowDocument {
  return flowDocumentSchema.parse(loadFixture());
}

/** What `git diff` shows for a local edit: the lines between the common prefix and suffix. */
function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return { removed: a.slice(start, endA), added: b.slice(start, endB) };
}

function edited(edit: (doc: FlowDocument) => void): string {
  const doc = fixtureDoc();
  edit(doc);
  return canonicalStringify(doc);
}

describe('canonicalStringify', () => {
  it('writes fixed key order, sorted records, sorted entries, one-line wires and positions', () => {
    const doc = {
      wires: [
        { to: { port: 'in', node: 'b' }, from: { port: 'out', node: 'a' } },
        { from: { node: 'a', port: 'error' }, to: { node: 'b', port: 'in' } },
      ],
      nodes: [
        { config: { z: 1, a: { y: [3, { d: 1, c: 2 }], x: null } }, type: 'debug', id: 'b', tab: 't', name: 'B' },
        { queue: { overflow: 'block', capacity: 10 }, disabled: true, typeVersion: 2, type: 'inject', id: 'a', config: {} },
      ],
      layout: { groups: [{ nodes: ['a'], id: 'g' }], nodes: { b: { y: 2, x: 1 }, a: { height: 4, width: 3, y: 0.5, x: -1 } } },
      env: { Z: 'z', A: 'a' },
      tabs: [{ env: { B: '2', A: '1' }, label: 'T', id: 't' }],
      connections: [{ config: { url: 'mqtt://h' }, type: 'mqtt-broker', id: 'c' }],
      description: 'd',
      name: 'n',
      version: 1,
      $schema: 's',
    } as unknown as FlowDocument;
    expect(canonicalStringify(doc)).toBe(
      `{
  "$schema": "s",
  "version": 1,
  "name": "n",
  "description": "d",
  "env": {
    "A": "a",
    "Z": "z"
  },
  "tabs": [
    {
      "id": "t",
      "label": "T",
      "env": {
        "A": "1",
        "B": "2"
      }
    }
  ],
  "connections": [
    {
      "id": "c",
      "type": "mqtt-broker",
      "config": {
        "url": "mqtt://h"
      }
    }
  ],
  "nodes": [
    {
      "id": "a",
      "type": "inject",
      "typeVersion": 2,
      "disabled": true,
      "queue": {
        "capacity": 10,
        "overflow": "block"
      },
      "config": {}
    },
    {
      "id": "b",
      "type": "debug",
      "name": "B",
      "tab": "t",
      "config": {
        "a": {
          "x": null,
          "y": [
            3,
            {
              "c": 2,
              "d": 1
            }
          ]
        },
        "z": 1
      }
    }
  ],
  "wires": [
    { "from": { "node": "a", "port": "error" }, "to": { "node": "b", "port": "in" } },
    { "from": { "node": "a", "port": "out" }, "to": { "node": "b", "port": "in" } }
  ],
  "layout": {
    "nodes": {
      "a": { "x": -1, "y": 0.5, "width": 3, "height": 4 },
      "b": { "x": 1, "y": 2 }
    },
    "groups": [
      {
        "id": "g",
        "nodes": [
          "a"
        ]
      }
    ]
  }
}
`,
    );
  });

  it('is a fixed point: stringify(parse(stringify(d))) === stringify(d)', () => {
    const once = canonicalStringify(fixtureDoc());
    expect(canonicalStringify(JSON.parse(once) as FlowDocument)).toBe(once);
    const odd = { version: 1, nodes: [{ id: 'n', type: 't', config: { arr: [undefined, Number.NaN, -0, 1e21, () => 1], '10': 'ten', '2': 'two', 'ü': '"\n\u2028', gone: undefined } }], wires: [] };
    const first = canonicalStringify(odd as unknown as FlowDocument);
    expect(canonicalStringify(JSON.parse(first) as FlowDocument)).toBe(first);
    expect(first).toContain('"arr": [\n          null,\n          null,\n          0,\n          1e+21,\n          null\n        ]');
    expect(first).not.toContain('gone');
  });

  it('sorts record keys by code unit, not as numbers or by locale', () => {
    const out = canonicalStringify({ version: 1, nodes: [{ id: 'n', type: 't', config: { '2': 0, '10': 0, b: 0, B: 0, 'é': 0 } }], wires: [] });
    const keys = [...out.matchAll(/^ {8}"(.+?)":/gm)].map((m) => m[1]);
    expect(keys).toEqual(['10', '2', 'B', 'b', 'é']);
  });

  it('does not depend on the order the document was written in', () => {
    const shuffled = fixtureDoc();
    shuffled.nodes.reverse();
    shuffled.wires.reverse();
    shuffled.connections!.reverse();
    const reversedKeys = Object.fromEntries(Object.entries(shuffled).reverse()) as FlowDocument;
    expect(canonicalStringify(reversedKeys)).toBe(canonicalStringify(fixtureDoc()));
  });

  it('ends with exactly one newline and indents with two spaces', () => {
    const out = canonicalStringify(fixtureDoc());
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.endsWith('\n\n')).toBe(false);
    expect(out.split('\n')[1]).toMatch(/^ {2}"/);
  });
});

describe('canonicalStringify: one change, one line', () => {
  const base = canonicalStringify(fixtureDoc());

  it('changing one config field changes one line', () => {
    const after = edited((doc) => {
      (doc.nodes.find((n) => n.id === 'oven-tick')!.config['payload'] as { value: number }).value = 99;
    });
    expect(lineDiff(base, after)).toEqual({ removed: ['          "value": 212.5'], added: ['          "value": 99'] });
  });

  it('moving a node changes one line', () => {
    const after = edited((doc) => {
      doc.layout!.nodes!['show'] = { x: 560, y: 40 };
    });
    expect(lineDiff(base, after)).toEqual({ removed: ['      "show": { "x": 540, "y": 40 },'], added: ['      "show": { "x": 560, "y": 40 },'] });
  });

  it('renaming a node changes one line', () => {
    const after = edited((doc) => {
      doc.nodes.find((n) => n.id === 'tag-reading')!.name = 'Tag reading';
    });
    expect(lineDiff(base, after)).toEqual({ removed: ['      "name": "Tag line and unit",'], added: ['      "name": "Tag reading",'] });
  });

  it('adding a wire adds one line', () => {
    const after = edited((doc) => {
      doc.wires.push({ from: { node: 'oven-tick', port: 'error' }, to: { node: 'show', port: 'in' } });
    });
    expect(lineDiff(base, after)).toEqual({ removed: [], added: ['    { "from": { "node": "oven-tick", "port": "error" }, "to": { "node": "show", "port": "in" } },'] });
  });

  it('rewiring one wire changes one line', () => {
    const after = edited((doc) => {
      doc.wires[3]!.to = { node: 'publish', port: 'in' };
      doc.wires[2]!.to = { node: 'show', port: 'in' };
    });
    // The two wires from tag-reading/error and tag-reading/out swap targets: two wires, two lines.
    expect(lineDiff(base, after).removed).toHaveLength(2);
    const single = edited((doc) => {
      doc.wires[0]!.to.port = 'trigger';
    });
    expect(lineDiff(base, single)).toEqual({
      removed: ['    { "from": { "node": "oven-tick", "port": "out" }, "to": { "node": "tag-reading", "port": "in" } },'],
      added: ['    { "from": { "node": "oven-tick", "port": "out" }, "to": { "node": "tag-reading", "port": "trigger" } },'],
    });
  });

  it('adding an env variable or a tab env entry adds one line', () => {
    const after = edited((doc) => {
      doc.env!['AREA'] = 'north';
    });
    expect(lineDiff(base, after)).toEqual({ removed: [], added: ['    "AREA": "north",'] });
  });
});
