// The `plantwire` command. Run from the repo root as `pnpm plantwire …` (tsx), or bundled as
// `node apps/cli/dist/plantwire.js …` (build.mjs: dist/plantwire.js is bin.ts, which loads this).
// First: it tunes V8 (heap sizing, compilers during start-up) before the other modules load (see the module).
import './v8-memory.js';
import { coreNodes } from '@plantwire/nodes-core';
import { modbusConnections, modbusNodes } from '@plantwire/nodes-modbus';
import { mqttConnections, mqttNodes } from '@plantwire/nodes-mqtt';
import { opcuaConnections, opcuaNodes } from '@plantwire/nodes-opcua';
import { isoTime } from '@plantwire/runtime';
import pkg from '../package.json' with { type: 'json' };
import { runCli } from './cli.js';
import { EXIT } from './exit-codes.js';
import { toJsonLine } from './to-json-line.js';

// A closed stdout (`plantwire run flow.json | head`) must not crash a running flow.
process.stdout.on('error', () => {});
// stdout carries our own output only (debug JSON lines, help, the sim's endpoints): libraries that
// print with console.log (node-opcua announces certificate creation there) go to stderr instead.
console.log = console.info = console.debug = console.error.bind(console);

// The runtime contains node failures; anything that still escapes is a runtime failure (exit 1),
// reported as a structured log line rather than a bare stack trace.
const crash = (kind: string) => (err: unknown) => {
  const error = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`${toJsonLine({ time: isoTime(), level: 'error', message: `${kind}: ${error.message}`, stack: error.stack })}\n`);
  process.exit(EXIT.INVALID);
};
process.on('uncaughtException', crash('uncaught exception'));
process.on('unhandledRejection', crash('unhandled rejection'));

const code = await runCli(process.argv.slice(2), {
  version: pkg.version,
  nodeTypes: [...coreNodes, ...mqttNodes, ...opcuaNodes, ...modbusNodes],
  connectionTypes: [...mqttConnections, ...opcuaConnections, ...modbusConnections],
  env: process.env,
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
});
// Exit explicitly: after a graceful stop nothing is left to wait for, and a stray handle in a
// node must not keep a stopped process alive.
process.exit(code);
