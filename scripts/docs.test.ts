import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../packages/node-sdk/src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const anchors = new Set([...read('docs/errors.md').matchAll(/<a id="([A-Z_]+)"><\/a>/g)].map((m) => m[1]));

/** Issue codes the flow package emits: every quoted SCREAMING_SNAKE string in its sources. */
function flowIssueCodes(): string[] {
  const dir = join(root, 'packages/flow/src');
  const codes = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/'([A-Z][A-Z_]{3,})'/g)) codes.add(m[1]!);
  }
  return [...codes].sort();
}

describe('docs/errors.md', () => {
  it('has an anchor for every runtime error code in ERROR_CODES', () => {
    expect(Object.keys(ERROR_CODES).filter((code) => !anchors.has(code))).toEqual([]);
  });

  it('has an anchor for every validation issue code of packages/flow', () => {
    const codes = flowIssueCodes();
    expect(codes).toContain('CONFIG_INVALID');
    expect(codes.filter((code) => !anchors.has(code))).toEqual([]);
  });
});

describe('README.md and docs/', () => {
  const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

  it.each(pages)('%s links only to files that exist', (page) => {
    const broken = [...read(page).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((target) => !/^[a-z]+:/.test(target))
      .filter((target) => !existsSync(join(root, dirname(page), target)));
    expect(broken).toEqual([]);
  });

  it.each(pages)('%s links to error anchors that exist', (page) => {
    const missing = [...read(page).matchAll(/errors\.md#([A-Za-z_]+)/g)].map((m) => m[1]!).filter((a) => !anchors.has(a));
    expect(missing).toEqual([]);
  });
});
