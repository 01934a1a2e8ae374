import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceAuditEntry } from '@plantwire/protocol';
import { createAuditLog } from './audit-log.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const entry = (value: unknown): DeviceAuditEntry => ({ kind: 'device', time: '2026-12-06T00:00:00.000Z', user: 'u', revision: 'r', nodeId: 'w', nodeType: 'modbus-write', action: 'write', target: { connection: 'plc', address: 1 }, value, result: 'ok' });

describe('audit log', () => {
  it('appends one line per entry in order, also from two writers on one file, and tails the last ones skipping a cut line', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'plantwire-audit-'));
    dirs.push(dataDir);
    const errors: Error[] = [];
    const a = createAuditLog({ dataDir, onError: (e) => errors.push(e) });
    const b = createAuditLog({ dataDir, onError: (e) => errors.push(e) });
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < 200; i++) writes.push((i % 2 ? a : b).append(entry(`${i % 2 ? 'a' : 'b'}${i}-${'x'.repeat(500)}`)));
    await Promise.all(writes);
    const lines = readFileSync(join(dataDir, 'audit.log'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(200);
    const values = lines.map((l) => (JSON.parse(l) as DeviceAuditEntry).value as string);
    // Each writer's own entries keep their order.
    expect(values.filter((v) => v.startsWith('a'))).toEqual(Array.from({ length: 100 }, (_, i) => `a${2 * i + 1}-${'x'.repeat(500)}`));
    await a.append(entry(12n));
    appendFileSync(join(dataDir, 'audit.log'), '{"kind":"dev'); // a crash mid-append
    const tail = await b.tail(2);
    // The two writers' appends interleave in whatever order the file system finished them.
    expect(tail.map((e) => (e as DeviceAuditEntry).value)).toEqual([values[199], '12']);
    expect(errors).toEqual([]);
    await a.close();
    await b.close();
    // The next run starts a fresh line after the cut one.
    const next = createAuditLog({ dataDir, onError: (e) => errors.push(e) });
    await next.append(entry('after the crash'));
    expect((await next.tail(2)).map((e) => (e as DeviceAuditEntry).value)).toEqual(['12', 'after the crash']);
    await next.close();
  });

  it('keeps the last 1000 entries in memory without a data dir', async () => {
    const log = createAuditLog({ dataDir: undefined, onError: () => {} });
    for (let i = 0; i < 1005; i++) await log.append(entry(i));
    const tail = await log.tail(1000);
    expect(tail).toHaveLength(1000);
    expect((tail[0] as DeviceAuditEntry).value).toBe(5);
  });
});
