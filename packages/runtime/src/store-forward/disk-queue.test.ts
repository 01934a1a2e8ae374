import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryQueue, openDiskQueue, type DiskQueueOptions } from './disk-queue.js';
import type { MessageQueue, QueueEntry } from './queue-types.js';

const dirs: string[] = [];
const open: MessageQueue[] = [];
afterEach(async () => {
  for (const q of open.splice(0)) await q.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plantwire-queue-'));
  dirs.push(dir);
  return dir;
}

interface Opened {
  readonly queue: MessageQueue;
  readonly warnings: Array<{ message: string; fields: Record<string, unknown> }>;
}

function openQueue(dir: string, options: Partial<DiskQueueOptions> = {}): Opened {
  const warnings: Opened['warnings'] = [];
  const queue = openDiskQueue({ dir, maxBytes: 10_000_000, maxAgeSeconds: 3600, overflow: 'drop-oldest', fsync: 'never', commitDelayMs: 1, warn: (message, fields) => warnings.push({ message, fields }), ...options });
  open.push(queue);
  return { queue, warnings };
}

async function closeQueue(queue: MessageQueue): Promise<void> {
  open.splice(open.indexOf(queue), 1);
  await queue.close();
}

/** Take everything, confirming each: the values in order. */
function drain(queue: MessageQueue): unknown[] {
  const out: unknown[] = [];
  for (let e = queue.take(); e !== undefined; e = queue.take()) {
    out.push(e.value);
    queue.done(e, 'delivered');
  }
  return out;
}

function segments(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.seg')).sort();
}

describe('disk queue', () => {
  it('round-trips every kind of message value, Buffers as Buffers and Dates as Dates, in order, across a reopen', async () => {
    const dir = tempDir();
    const values = [
      { _msgid: 'a', payload: Buffer.from([0, 1, 255]), topic: 't/1' },
      { _msgid: 'b', payload: { nested: { deep: [1, 'two', { three: true }] }, n: null, f: -1.5e-7 } },
      { _msgid: 'c', payload: [1, 2, 3], when: new Date('2026-01-02T03:04:05.678Z') },
      { _msgid: 'd', payload: 'text ü ✓', flag: false, zero: 0 },
      { _msgid: 'e', payload: null },
    ];
    const first = openQueue(dir);
    for (const v of values) expect(await first.queue.append(v)).toBe(true);
    expect(first.queue.counters()).toMatchObject({ queued: 5, persistent: true });
    await closeQueue(first.queue);

    const again = openQueue(dir);
    expect(again.queue.size).toBe(5);
    const got = drain(again.queue) as typeof values;
    expect(got).toEqual(values);
    expect(Buffer.isBuffer(got[0]!.payload)).toBe(true);
    expect(got[2]!.when).toBeInstanceOf(Date);
    expect(again.warnings).toEqual([]);
  });

  it('drops a torn tail on open with a warning naming the file and offset, keeping every record before it', async () => {
    const dir = tempDir();
    const first = openQueue(dir);
    for (let i = 0; i < 3; i++) await first.queue.append({ payload: i });
    await closeQueue(first.queue);
    const [seg] = segments(dir);
    const file = join(dir, seg!);
    const goodLength = readFileSync(file).length;
    // Half a record, as a crash in the middle of a write leaves it.
    const header = Buffer.alloc(8);
    header.writeUInt32LE(100, 0);
    appendFileSync(file, Buffer.concat([header, Buffer.alloc(20, 7)]));

    const again = openQueue(dir);
    expect(again.warnings).toHaveLength(1);
    expect(again.warnings[0]!.message).toContain(file);
    expect(again.warnings[0]!.fields).toMatchObject({ file, offset: goodLength });
    expect(readFileSync(file).length).toBe(goodLength);
    // Appends go on after the cut and come out after the good records.
    await again.queue.append({ payload: 3 });
    expect(drain(again.queue)).toEqual([0, 1, 2, 3].map((payload) => ({ payload })));
  });

  it('stops at a record whose CRC does not match, keeping the records before it', async () => {
    const dir = tempDir();
    const first = openQueue(dir);
    for (let i = 0; i < 3; i++) await first.queue.append({ payload: `value-${i}` });
    await closeQueue(first.queue);
    const file = join(dir, segments(dir)[0]!);
    const bytes = readFileSync(file);
    const recordSize = bytes.length / 3;
    bytes[recordSize + 20] = bytes[recordSize + 20]! ^ 0xff; // inside the second record's body
    writeFileSync(file, bytes);

    const again = openQueue(dir);
    expect(again.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/CRC mismatch/)]);
    expect(again.warnings[0]!.fields).toMatchObject({ offset: recordSize });
    expect(drain(again.queue)).toEqual([{ payload: 'value-0' }]);
  });

  it('drop-oldest makes room by dropping the oldest records, counted', async () => {
    const { queue } = openQueue(tempDir(), { maxBytes: 400 });
    for (let i = 0; i < 20; i++) expect(await queue.append({ payload: i })).toBe(true);
    const c = queue.counters();
    expect(c.bytes).toBeLessThanOrEqual(400);
    expect(c.dropped.overflow).toBe(20 - c.queued);
    expect(c.queued).toBeGreaterThan(0);
    const got = drain(queue);
    expect(got).toEqual(Array.from({ length: c.queued }, (_, i) => ({ payload: 20 - c.queued + i })));
  });

  it('drop-newest refuses what does not fit, counted, and keeps the oldest', async () => {
    const { queue } = openQueue(tempDir(), { maxBytes: 400, overflow: 'drop-newest' });
    const accepted: boolean[] = [];
    for (let i = 0; i < 20; i++) accepted.push(await queue.append({ payload: i }));
    const kept = accepted.filter(Boolean).length;
    expect(accepted).toEqual(Array.from({ length: 20 }, (_, i) => i < kept));
    expect(queue.counters().dropped.overflow).toBe(20 - kept);
    expect(drain(queue)).toEqual(Array.from({ length: kept }, (_, i) => ({ payload: i })));
  });

  it('drops records older than maxAgeSeconds when they come up, counted as expired', async () => {
    let now = 1_000_000;
    const { queue } = openQueue(tempDir(), { maxAgeSeconds: 10, now: () => now });
    await queue.append({ payload: 'old' });
    now += 5_000;
    await queue.append({ payload: 'newer' });
    expect(queue.counters().oldestAgeSeconds).toBe(5);
    now += 6_000; // 'old' is 11 s old, 'newer' 6 s
    expect(drain(queue)).toEqual([{ payload: 'newer' }]);
    expect(queue.counters()).toMatchObject({ queued: 0, replayed: 1, dropped: { overflow: 0, expired: 1, failed: 0 } });
  });

  it('rolls segments at their size and deletes them once consumed', async () => {
    const dir = tempDir();
    const { queue } = openQueue(dir, { segmentBytes: 256 });
    for (let i = 0; i < 40; i++) await queue.append({ payload: i, pad: 'x'.repeat(30) });
    expect(segments(dir).length).toBeGreaterThan(5);
    expect(drain(queue)).toHaveLength(40);
    await closeQueue(queue);
    expect(segments(dir)).toEqual([]);
    // A fresh start after everything was consumed: nothing comes back.
    const again = openQueue(dir, { segmentBytes: 256 });
    expect(again.queue.size).toBe(0);
    await again.queue.append({ payload: 'after' });
    expect(drain(again.queue)).toEqual([{ payload: 'after', }]);
  });

  it('resumes where delivery stopped after a reopen', async () => {
    const dir = tempDir();
    const first = openQueue(dir, { segmentBytes: 200 });
    for (let i = 0; i < 30; i++) await first.queue.append({ payload: i });
    for (let i = 0; i < 12; i++) first.queue.done(first.queue.take()!, 'delivered');
    await closeQueue(first.queue);
    const again = openQueue(dir, { segmentBytes: 200 });
    expect(again.queue.size).toBe(18);
    expect(drain(again.queue)).toEqual(Array.from({ length: 18 }, (_, i) => ({ payload: 12 + i })));
  });

  it('rewind puts unconfirmed records back in order and skips those confirmed out of order', async () => {
    const { queue } = openQueue(tempDir());
    for (let i = 0; i < 5; i++) await queue.append({ payload: i });
    const taken: QueueEntry[] = [queue.take()!, queue.take()!, queue.take()!];
    queue.done(taken[0]!, 'delivered');
    queue.done(taken[2]!, 'delivered'); // confirmed while 1 is still out
    expect(queue.outstanding).toBe(1);
    queue.rewind();
    queue.done(taken[1]!, 'delivered'); // late: ignored, 1 comes out again
    expect(drain(queue)).toEqual([1, 3, 4].map((payload) => ({ payload })));
    expect(queue.counters()).toMatchObject({ queued: 0, replayed: 5 });
  });

  it('a record given up counts as failed and does not block the ones after it', async () => {
    const { queue } = openQueue(tempDir());
    await queue.append({ payload: 'bad' });
    await queue.append({ payload: 'good' });
    queue.done(queue.take()!, 'failed');
    expect(drain(queue)).toEqual([{ payload: 'good' }]);
    expect(queue.counters().dropped.failed).toBe(1);
  });

  it('fsync always and interval store the same records', async () => {
    for (const fsync of ['always', 'interval'] as const) {
      const dir = tempDir();
      const first = openQueue(dir, { fsync, fsyncIntervalMs: 10 });
      await Promise.all(Array.from({ length: 50 }, (_, i) => first.queue.append({ payload: i })));
      await closeQueue(first.queue);
      const again = openQueue(dir, { fsync });
      expect(drain(again.queue)).toEqual(Array.from({ length: 50 }, (_, i) => ({ payload: i })));
    }
  });
});

describe('memory queue', () => {
  it('keeps the same order, budget and counters, not persistent', async () => {
    const queue = createMemoryQueue({ maxBytes: 400, maxAgeSeconds: 60, overflow: 'drop-oldest' });
    for (let i = 0; i < 20; i++) await queue.append({ payload: Buffer.from([i]) });
    const c = queue.counters();
    expect(c.persistent).toBe(false);
    expect(c.dropped.overflow).toBe(20 - c.queued);
    const got = drain(queue) as Array<{ payload: Buffer }>;
    expect(got.map((m) => m.payload[0])).toEqual(Array.from({ length: c.queued }, (_, i) => 20 - c.queued + i));
    expect(Buffer.isBuffer(got[0]!.payload)).toBe(true);
  });
});
