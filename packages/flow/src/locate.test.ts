import { describe, expect, it } from 'vitest';
import { fixtureEnv, fixtureText, lookupTypes } from './fixtures/test-node-types.js';
import { locate, locator } from './locate.js';
import { validate } from './validate.js';

const text = fixtureText();
const lines = text.split('\n');

/** The text at a position, to assert on what a person would see there. */
function at(pos: { line: number; column: number } | undefined): string {
  if (!pos) return '<none>';
  return lines[pos.line - 1]!.slice(pos.column - 1);
}

describe('locate', () => {
  it('points at the key of an object member and at an array item', () => {
    expect(at(locate(text, '$.nodes[1].config.rules[1].value'))).toMatch(/^"value": "\$\{UNIT\}" }/);
    expect(at(locate(text, '$.nodes[2]'))).toMatch(/^\{ "id": "show"/);
    expect(at(locate(text, '$.layout.nodes["tag-reading"]'))).toMatch(/^"tag-reading": \{ "x": 320/);
    expect(at(locate(text, '$.wires[3].from.port'))).toMatch(/^"port": "error"/);
    expect(locate(text, '$')).toEqual({ line: 1, column: 1 });
  });

  it('falls back to the nearest existing parent for a path that is not in the text', () => {
    expect(at(locate(text, '$.nodes[2].config.missing'))).toMatch(/^"config": \{ "complete"/);
    expect(at(locate(text, '$.nodes[99].id'))).toMatch(/^"nodes": \[/);
  });

  it('returns undefined for something that is not a path, or text with no JSON', () => {
    expect(locate(text, 'nodes[0]')).toBeUndefined();
    expect(locate('', '$.nodes')).toBeUndefined();
  });

  it('does not count a byte-order mark and tolerates comments', () => {
    expect(locate('\uFEFF{\n  "a": 1\n}', '$.a')).toEqual({ line: 2, column: 3 });
    expect(locate('{\n  // note\n  "a": [1, 2]\n}', '$.a[1]')).toEqual({ line: 3, column: 12 });
  });

  it('places every issue validate() reports in a broken file', () => {
    const broken = text
      .replace('"type": "change",', '"type": "change", "nmae": "x",')
      .replace('"capacity": 100', '"capacity": 0')
      .replace('{ "node": "show", "port": "in" } },\n    { "from": { "node": "tag-reading", "port": "out" }, "to": { "node": "publish"', '{ "node": "shwo", "port": "in" } },\n    { "from": { "node": "tag-reading", "port": "out" }, "to": { "node": "publish"');
    const result = validate(JSON.parse(broken), { nodeTypes: lookupTypes(), env: fixtureEnv });
    const where = locator(broken);
    const brokenLines = broken.split('\n');
    const lineOf = (snippet: string): number => brokenLines.findIndex((l) => l.includes(snippet)) + 1;
    const expected: Record<string, string> = { '$.nodes[1].nmae': '"nmae": "x"', '$.nodes[1].queue.capacity': '"capacity": 0', '$.wires[1].to.node': '"node": "shwo"' };
    expect(result.issues.map((i) => i.path).sort()).toEqual(Object.keys(expected).sort());
    for (const issue of result.issues) {
      const pos = where(issue.path)!;
      const snippet = expected[issue.path]!;
      expect(pos.line).toBe(lineOf(snippet));
      expect(brokenLines[pos.line - 1]!.slice(pos.column - 1, pos.column - 1 + snippet.length)).toBe(snippet);
    }
  });
});
