import { describe, expect, it } from 'vitest';
import { MANIFESTS } from './fixtures.js';
import { paletteGroups } from './palette-groups.js';

describe('paletteGroups', () => {
  it('groups by category in palette order', () => {
    expect(paletteGroups(MANIFESTS, '').map((g) => [g.label, g.items.map((m) => m.type)])).toEqual([
      ['Sources', ['inject']],
      ['Transforms', ['change']],
      ['Sinks', ['debug', 'mqtt-out']],
      ['Flow control', ['switch']],
    ]);
  });

  it('filters by every word of the search', () => {
    expect(paletteGroups(MANIFESTS, 'mqtt').flatMap((g) => g.items.map((m) => m.type))).toEqual(['mqtt-out']);
    expect(paletteGroups(MANIFESTS, 'sink summary').flatMap((g) => g.items.map((m) => m.type))).toEqual(['debug', 'mqtt-out']);
    expect(paletteGroups(MANIFESTS, 'zzz')).toEqual([]);
  });
});
