import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { canonicalStringify, type FlowDocument } from '../packages/flow/src/index.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../examples');
const examples = readdirSync(dir).filter((f) => f.endsWith('.flow.json'));

describe('examples/', () => {
  it('has the demo and the broken example', () => {
    expect(examples).toEqual(expect.arrayContaining(['demo.flow.json', 'broken.flow.json']));
  });

  // Examples are what people copy: they must be in the form Plantwire itself writes.
  it.each(examples)('%s is in canonical form', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    expect(canonicalStringify(JSON.parse(text) as FlowDocument)).toBe(text);
  });
});
