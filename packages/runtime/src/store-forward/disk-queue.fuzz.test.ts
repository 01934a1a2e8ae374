import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openDiskQueue } from './disk-queue.js';

/**
 * A queue's files damaged at random (a crash mid-write, a bad disk sector, a stray editor):
 * reopening never throws and never invents a message. What comes out is, in order, a subsequence of
 * what went in, each message intact (Buffers still Buffers). `FUZZ_SEED=<n>` replays another run.
 */
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261206);

type Damage =
  | { readonly kind: 'flip'; readonly file: number; readonly at: number; readonly xor: number }
  | { readonly kind: 'truncate'; readonly file: number; readonly at: number }
  | { readonly kind: 'garbage'; readonly file: number; readonly bytes: Uint8Array }
  | { readonly kind: 'position'; readonly text: string };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), file: fc.nat(), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), file: fc.nat(), at: fc.nat() }),
  fc.record({ kind: fc.constant('garbage' as const), file: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('position' as const), text: fc.oneof(fc.string({ maxLength: 40 }), fc.json()) }),
);

function apply(dir: string, d: Damage): void {
  if (d.kind === 'position') {
    writeFileSync(join(dir, 'position.json'), d.text);
    return;
  }
  const segments = readdirSync(dir).filter((n) => n.endsWith('.seg')).sort();
  if (segments.length === 0) return;
  const file = join(dir, segments[d.file % segments.length]!);
  const bytes = readFileSync(file);
  if (d.kind === 'flip') {
    if (bytes.length === 0) return;
    bytes[d.at % bytes.length]! ^= d.xor;
    writeFileSync(file, bytes);
  } else if (d.kind === 'truncate') truncateSync(file, d.at % (bytes.length + 1));
  else writeFileSync(file, Buffer.concat([bytes, d.bytes]));
}

describe('disk queue under damaged files (fuzz)', () => {
  it('reopens without throwing and yields an in-order subsequence of intact messages', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 10 }), fc.array(damage, { minLength: 1, maxLength: 3 }), async (count, consumed, damages) => {
        const dir = mkdtempSync(join(tmpdir(), 'plantwire-queue-fuzz-'));
        try {
          const options = { dir, maxBytes: 10_000_000, maxAgeSeconds: 3600, overflow: 'drop-oldest' as const, fsync: 'never' as const, commitDelayMs: 1, segmentBytes: 512 };
          const sent = Array.from({ length: count }, (_, i) => ({ _msgid: `m${i}`, seq: i, payload: { v: i * 1.5, tag: `line1/cell${i % 3}`, raw: Buffer.from([i & 255, 7]) } }));
          const writer = openDiskQueue({ ...options, warn: () => {} });
          for (const msg of sent) await writer.append(msg);
          // Some already delivered and confirmed: the position file moves past them.
          for (let i = 0; i < Math.min(consumed, count); i++) {
            const e = writer.take();
            if (e) writer.done(e, 'delivered');
          }
          await writer.close();

          for (const d of damages) apply(dir, d);

          const warnings: string[] = [];
          const reader = openDiskQueue({ ...options, warn: (message) => warnings.push(message) });
          const out: Array<Record<string, unknown>> = [];
          for (let e = reader.take(); e !== undefined; e = reader.take()) {
            out.push(e.value as Record<string, unknown>);
            reader.done(e, 'delivered');
          }
          await reader.close();

          // Every message is one that was sent, intact, and they come in the order they were sent.
          let last = -1;
          for (const msg of out) {
            const seq = msg['seq'] as number;
            expect(Number.isInteger(seq) && seq > last && seq < count).toBe(true);
            expect(msg).toEqual(sent[seq]);
            expect(Buffer.isBuffer((msg['payload'] as { raw: unknown }).raw)).toBe(true);
            last = seq;
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 150, seed: SEED },
    );
  }, 60_000);
});
