// Test support (a child process): start a save of flows.json or of the credential store, and stop
// dead just before the rename that would publish it, as a crash there would. The parent kills it.
// Usage: node --import tsx save-then-crash.child.ts flows|credentials <dataDir>
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { mqttConnections } from '@plantwire/nodes-mqtt';
import { createRuntime } from '@plantwire/runtime';
import { createFlowStore } from '../flow-store.js';

const [kind, dataDir] = process.argv.slice(2);
if ((kind !== 'flows' && kind !== 'credentials') || dataDir === undefined) throw new Error('usage: save-then-crash.child.ts flows|credentials <dataDir>');

// Every rename (the publishing step of writeFileAtomically) reports itself and never completes.
fs.promises.rename = (from: fs.PathLike) => {
  process.stdout.write(`RENAMING ${String(from)}\n`);
  return new Promise<void>(() => {});
};
syncBuiltinESMExports();

if (kind === 'flows') {
  const store = await createFlowStore({ dataDir, initial: undefined });
  void store.save({ version: 1, name: 'the new flow, never published', nodes: [], wires: [] } as never);
} else {
  const runtime = createRuntime({ nodeTypes: [], connectionTypes: mqttConnections, dataDir, env: {} });
  void runtime.credentials.set('broker', { password: 'the new test value, never published' }, { type: 'mqtt-broker' });
}
