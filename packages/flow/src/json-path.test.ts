import { describe, expect, it } from 'vitest';
import { formatJsonPath, parseJsonPath } from './json-path.js';

describe('formatJsonPath', () => {
  it('writes identifiers with dots and indexes with brackets', () => {
    expect(formatJsonPath(['nodes', 3, 'config', 'rules', 0, 'value'])).toBe('$.nodes[3].config.rules[0].value');
    expect(formatJsonPath([])).toBe('$');
    expect(formatJsonPath(['$schema'])).toBe('$.$schema');
  });

  it('quotes keys that are not identifiers, such as node ids', () => {
    expect(formatJsonPath(['layout', 'nodes', 'oven-tick'])).toBe('$.layout.nodes["oven-tick"]');
    expect(formatJsonPath(['config', 'a "b"', '3', ''])).toBe('$.config["a \\"b\\""]["3"][""]');
  });
});

describe('parseJsonPath', () => {
  it.each([
    [['nodes', 3, 'config', 'rules', 0, 'value']],
    [['layout', 'nodes', 'oven-tick']],
    [['config', 'a "b"', '3', '', 'x.y', 'ü']],
    [[]],
  ])('round-trips %j', (segments) => {
    expect(parseJsonPath(formatJsonPath(segments))).toEqual(segments);
  });

  it.each(['', 'nodes[0]', '$.', '$[x]', '$["unterminated]', '$.nodes[-1]', '$..a', '$["\\q"]'])('returns undefined for %j', (path) => {
    expect(parseJsonPath(path)).toBeUndefined();
  });
});
