import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createContextStores, findNonJson } from './context-store.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plantwire-context-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  vi.useRealTimers();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('context stores', () => {
  it('keep node, flow (per tab) and global scopes apart, synchronously', () => {
    const stores = createContextStores();
    stores.node('a').set('k', 1);
    stores.flow('t1').set('k', 2);
    stores.flow(undefined).set('k', 3);
    stores.global().set('k', 4);
    expect([stores.node('a').get('k'), stores.node('b').get('k'), stores.flow('t1').get('k'), stores.flow(undefined).get('k'), stores.global().get('k')]).toEqual([1, undefined, 2, 3, 4]);
    stores.global().delete('k');
    stores.global().set('other', { nested: [1, 'x', null, true] });
    expect(stores.global().keys()).toEqual(['other']);
    stores.global().set('other', undefined);
    expect(stores.global().keys()).toEqual([]);
  });

  it("hand a node its stores, opening the node's own only when it is read", () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'context'), { recursive: true });
    writeFileSync(join(dir, 'context', 'node-n1.json'), 'not json');
    const errors: string[] = [];
    const stores = createContextStores({ dataDir: dir, onError: (err) => errors.push(err.message) });
    const scopes = stores.forNode('n1', 't1');
    expect(scopes.flow).toBe(stores.flow('t1'));
    expect(scopes.global).toBe(stores.global());
    expect(errors).toEqual([]);
    expect(scopes.node.keys()).toEqual([]);
    expect(errors).toEqual([expect.stringContaining('node-n1.json is not valid')]);
    expect(scopes.node).toBe(stores.node('n1'));
  });

  it('refuse a value that is not plain JSON with an error naming the key, the scope and where in the value', () => {
    const stores = createContextStores();
    expect(() => stores.node('pump-1').set('last', { at: new Date(0) })).toThrow(/context\.set\("last"\) in the context of node "pump-1".*a Date at \$\.at/);
    expect(() => stores.flow('t1').set('f', { fn: () => 1 })).toThrow(/a function at \$\.fn/);
    expect(() => stores.global().set('n', [1, Number.NaN])).toThrow(/NaN at \$\[1\]/);
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(() => stores.global().set('c', cycle)).toThrow(/a circular reference at \$\.self/);
    expect(stores.global().keys()).toEqual([]);
    // Shared (not circular) references are fine.
    const shared = { x: 1 };
    expect(findNonJson({ a: shared, b: shared }, new Set())).toBeUndefined();
  });

  it('persist under <dataDir>/context with an atomic rename, and read back in a new set of stores', async () => {
    const dir = tempDir();
    const first = createContextStores({ dataDir: dir });
    first.global().set('count', 3);
    first.flow('line-1').set('state', { running: true });
    first.node('n:1').set('seen', ['a']);
    await first.flush();
    const files = readdirSync(join(dir, 'context')).sort();
    expect(files).toEqual(['flow-line-1.json', 'global.json', 'node-n%3A1.json']);
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'context', 'global.json'), 'utf8'))).toEqual({ count: 3 });

    const second = createContextStores({ dataDir: dir });
    expect(second.global().get('count')).toBe(3);
    expect(second.flow('line-1').get('state')).toEqual({ running: true });
    expect(second.node('n:1').get('seen')).toEqual(['a']);
  });

  it('debounce writes: many changes, one write after the quiet period', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const dir = tempDir();
    const stores = createContextStores({ dataDir: dir, debounceMs: 100 });
    for (let i = 0; i < 50; i++) stores.global().set('i', i);
    expect(existsSync(join(dir, 'context', 'global.json'))).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    vi.useRealTimers();
    await stores.flush(); // waits for the write the timer started
    expect(JSON.parse(readFileSync(join(dir, 'context', 'global.json'), 'utf8'))).toEqual({ i: 49 });
  });

  it('report a corrupt file and start that scope empty instead of failing', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'context'));
    writeFileSync(join(dir, 'context', 'global.json'), '{not json');
    const errors: string[] = [];
    const stores = createContextStores({ dataDir: dir, onError: (err) => errors.push(err.message) });
    expect(stores.global().keys()).toEqual([]);
    expect(errors[0]).toMatch(/global\.json is not valid .*starting the global context empty/);
  });

  it('delete a removed node’s store and file', async () => {
    const dir = tempDir();
    const stores = createContextStores({ dataDir: dir });
    stores.node('gone').set('k', 1);
    await stores.flush();
    expect(existsSync(join(dir, 'context', 'node-gone.json'))).toBe(true);
    stores.removeNode('gone');
    await stores.flush();
    expect(existsSync(join(dir, 'context', 'node-gone.json'))).toBe(false);
    expect(stores.node('gone').get('k')).toBeUndefined();
  });
});
