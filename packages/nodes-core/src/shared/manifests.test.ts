import { toManifest, type AnyNodeType } from '@plantwire/node-sdk';
import { describe, expect, it } from 'vitest';
import { change } from '../change/change.node.js';
import { csv } from '../csv/csv.node.js';
import { debug } from '../debug/debug.node.js';
import { inject } from '../inject/inject.node.js';
import { json } from '../json/json.node.js';
import { range } from '../range/range.node.js';
import { switchNode } from '../switch/switch.node.js';
import { template } from '../template/template.node.js';

const nodes: AnyNodeType[] = [inject, debug, change, switchNode, template, json, csv, range];

// The config schema feeds the editor's form and the docs page, so every field must explain itself.
describe.each(nodes.map((n) => [n.type, n] as const))('%s manifest', (_type, node) => {
  const manifest = toManifest(node);
  const properties = (manifest.configSchema['properties'] ?? {}) as Record<string, Record<string, unknown>>;

  it('gives every config field a title and a description', () => {
    expect(Object.keys(properties).length).toBeGreaterThan(0);
    for (const [key, field] of Object.entries(properties)) {
      expect(field['title'], `${node.type}.${key} title`).toEqual(expect.any(String));
      expect(field['description'], `${node.type}.${key} description`).toEqual(expect.any(String));
      expect(key, 'config keys are camelCase whole words').toMatch(/^[a-z][a-zA-Z0-9]*$/);
    }
  });

  it('names its ports with lowercase words and has a summary and a description', () => {
    for (const port of [...Object.keys(manifest.inputs), ...Object.keys(manifest.outputs)]) expect(port).toMatch(/^[a-z][a-z0-9]*$/);
    expect(manifest.summary.length).toBeGreaterThan(10);
    expect(manifest.description?.length ?? 0).toBeGreaterThan(50);
  });
});
