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

/** Codes the runtime logs or throws: `code: 'X'` fields and `…Error('X', …)` constructions in its sources. */
function runtimeCodes(): string[] {
  const dir = join(root, 'packages/runtime/src');
  const codes = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const m of text.matchAll(/\bcode: '([A-Z][A-Z_]{3,})'/g)) codes.add(m[1]!);
    for (const m of text.matchAll(/Error\('([A-Z][A-Z_]{3,})'/g)) codes.add(m[1]!);
  }
  return [...codes].sort();
}

describe('docs/errors.md', () => {
  it('has an anchor for every runtime error code in ERROR_CODES', () => {
    expect(Object.keys(ERROR_CODES).filter((code) => !anchors.has(code))).toEqual([]);
  });

  it('has an anchor for every code the runtime logs or throws', () => {
    const codes = runtimeCodes();
    expect(codes).toContain('QUEUE_FULL');
    expect(codes.filter((code) => !anchors.has(code))).toEqual([]);
  });

  it('has an anchor for every validation issue code of packages/flow', () => {
    const codes = flowIssueCodes();
    expect(codes).toContain('CONFIG_INVALID');
    expect(codes.filter((code) => !anchors.has(code))).toEqual([]);
  });
});

describe('README.md and docs/', () => {
  const pages = ['README.md', ...['docs', 'docs/nodes'].flatMap((dir) => readdirSync(join(root, dir)).filter((f) => f.endsWith('.md')).map((f) => `${dir}/${f}`))];

  it('link only to files that exist', () => {
    const broken = pages.flatMap((page) =>
      [...read(page).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
        .map((m) => m[1]!)
        .filter((target) => !/^[a-z]+:/.test(target))
        .filter((target) => !existsSync(join(root, dirname(page), target)))
        .map((target) => `${page} -> ${target}`),
    );
    expect(pages.length).toBeGreaterThan(5);
    expect(broken).toEqual([]);
  });

  it('link to error anchors that exist', () => {
    const missing = pages.flatMap((page) => [...read(page).matchAll(/errors\.md#([A-Za-z_]+)/g)].map((m) => `${page} -> ${m[1]}`).filter((l) => !anchors.has(l.split(' -> ')[1])));
    expect(missing).toEqual([]);
  });
});
