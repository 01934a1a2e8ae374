import { runCli } from './apps/cli/src/cli.js';
import { inject } from './packages/nodes-core/src/inject/inject.node.js';
import { change } from './packages/nodes-core/src/change/change.node.js';
import { range } from './packages/nodes-core/src/range/range.node.js';
import { filter } from './packages/nodes-core/src/filter/filter.node.js';
import { debug } from './packages/nodes-core/src/debug/debug.node.js';
const code = await runCli(process.argv.slice(2), { version: '0', nodeTypes: [inject, change, range, filter, debug] as any, env: process.env, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
console.log('exit', code);
