/**
 * Child process of the runtime kill -9 test (store-forward.kill9.test.ts): a runtime with dataDir
 * argv[2] whose sink's link is down, fed `{payload: i}` for i = 0, 1, … in rounds; prints each i
 * the runtime reports completed (the sink accepted it: written to its queue). The test SIGKILLs it.
 */
import { createRuntime } from '../create-runtime.js';
import { completeWatch, fakeLink, fakeSink, link } from './store-forward.fixture.js';

link.up = false;
const rt = createRuntime({ nodeTypes: [fakeSink, completeWatch], connectionTypes: [fakeLink], env: {}, dataDir: process.argv[2]!, connectionBackoff: { initialMs: 50, maxMs: 200 } });
rt.on('sent', (e) => {
  if (e.nodeId === 'done') process.stdout.write(`${String(e.msg.payload)}\n`);
});
const result = await rt.deploy({
  version: 1,
  connections: [{ id: 'link', type: 'fake-link', config: {} }],
  nodes: [
    { id: 'sink', type: 'fake-sink', config: { link: 'link', buffer: { fsync: 'never' } } },
    { id: 'done', type: 'complete-watch', config: {} },
  ],
  wires: [],
});
if (!result.ok) throw new Error(JSON.stringify(result.issues));
let next = 0;
const limit = Number(process.argv[3] ?? 1_000_000);
// Feed what the input queue takes, then yield so the runtime runs; bounded by `limit`.
const feed = (): void => {
  while (next < limit && rt.inject('sink', { payload: next })) next++;
  if (next < limit) setImmediate(feed);
};
feed();
