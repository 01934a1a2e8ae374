/**
 * Child process of the kill -9 test (disk-queue.kill9.test.ts): appends `{payload: i}` for i = 0, 1,
 * … to the queue in argv[2] and prints, after each batch of appends resolved, the highest i whose
 * append resolved ("acknowledged"). The test SIGKILLs it mid-stream. Bounded by argv[3] records.
 */
import { openDiskQueue } from './disk-queue.js';

const dir = process.argv[2]!;
const limit = Number(process.argv[3] ?? 1_000_000);
const queue = openDiskQueue({ dir, maxBytes: 1e9, maxAgeSeconds: 3600, overflow: 'drop-oldest', fsync: 'never', segmentBytes: 64 * 1024, warn: (m) => process.stderr.write(`${m}\n`) });
const pad = 'x'.repeat(64);
let next = 0;
while (next < limit) {
  const batch: Array<Promise<boolean>> = [];
  for (let i = 0; i < 50 && next < limit; i++) batch.push(queue.append({ payload: next++, pad }));
  await Promise.all(batch);
  process.stdout.write(`${next - 1}\n`);
}
await queue.close();
process.stdout.write('done\n');
