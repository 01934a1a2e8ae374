/**
 * The two servers whose editors are measured, and the MQTT broker of the debug flood. Each is a
 * child process on 127.0.0.1 with a data/user dir of its own under the scratch folder, ended by
 * its pid (SIGTERM, then SIGKILL) and its folder removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NodeRedInstall } from '../node-red-install.js';
import { freePort, nodeRedSettingsJs } from '../node-red-settings.js';
import { endChild, waitForLine } from '../spawn-measured.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PLANTWIRE_CLI = join(REPO_ROOT, 'apps', 'cli', 'dist', 'plantwire.js');
export const EDITOR_DIST = join(REPO_ROOT, 'apps', 'editor', 'dist', 'index.html');

export type EditorSystem = 'plantwire' | 'node-red';

export interface RunningServer {
  readonly system: EditorSystem;
  /** The editor's URL on 127.0.0.1. */
  readonly url: string;
  /** The server process (its VmRSS is the server memory). */
  readonly pid: number;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
/** End every child we started (on a signal: mosquitto and the servers would outlive us otherwise). */
export function killChildren(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function stopAndRemove(child: ChildProcess, dir: string): Promise<void> {
  try {
    await endChild(child, 5000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `plantwire start FILE --no-sim` from the CLI bundle: FILE becomes the first (deployed) flow of a
 * fresh data dir. Its stdout carries one JSON line per debug message (10,000 lines/s in the flood),
 * which the bench must not spend a core reading: stdout goes nowhere, the port is chosen here, and
 * ready is the server's "server listening" log line on stderr (structured logs only, low volume).
 */
export async function startPlantwire(scratch: string, document: unknown, timeoutMs = 60_000): Promise<RunningServer> {
  if (!existsSync(PLANTWIRE_CLI)) throw new Error(`${PLANTWIRE_CLI} does not exist: build it with "node apps/cli/build.mjs"`);
  if (!existsSync(EDITOR_DIST)) throw new Error(`${EDITOR_DIST} does not exist: build the editor with "cd apps/editor && ../../node_modules/.bin/vite build"`);
  const dir = mkdtempSync(join(scratch, 'editor-pw-'));
  const flowFile = join(dir, 'bench.flow.json');
  writeFileSync(flowFile, `${JSON.stringify(document)}\n`);
  const port = await freePort();
  const args = [PLANTWIRE_CLI, 'start', flowFile, '--no-sim', '--host', '127.0.0.1', '--port', String(port), '--data-dir', join(dir, 'data'), '--log-level', 'info'];
  const child = track(spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1', PLANTWIRE_ADMIN_PASSWORD_HASH: '' }, stdio: ['ignore', 'ignore', 'pipe'] }));
  const url = `http://127.0.0.1:${port}/`;
  try {
    // The server's own "listening" log line (stderr, a handful of lines at info level).
    await waitForLine(child, /"message":"server listening"/, timeoutMs, 'plantwire start', { fail: { pattern: /EADDRINUSE/, message: 'port taken' } });
    return { system: 'plantwire', url, pid: child.pid!, stop: () => stopAndRemove(child, dir) };
  } catch (err) {
    await stopAndRemove(child, dir);
    throw err;
  }
}

/** Node-RED 5.0.7 serving its editor on 127.0.0.1 with `flows` in a fresh user dir (welcome tour off). */
export async function startNodeRed(scratch: string, install: NodeRedInstall, flows: unknown[], timeoutMs = 90_000): Promise<RunningServer> {
  const dir = mkdtempSync(join(scratch, 'editor-nr-'));
  const port = await freePort();
  writeFileSync(join(dir, 'flows.json'), JSON.stringify(flows));
  // The shared settings, plus no welcome tour: it would cover the workspace on a first visit.
  const settingsFile = join(dir, 'settings.js');
  writeFileSync(settingsFile, `${nodeRedSettingsJs({ headless: false, port })}module.exports.editorTheme = { tours: false };\n`);
  const redJs = join(install.nodeRedDir, 'red.js');
  const child = track(spawn(install.nodeBin, [redJs, '--settings', settingsFile, '--userDir', dir], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }));
  try {
    await waitForLine(child, /Started flows/, timeoutMs, 'node-red', { fail: { pattern: /EADDRINUSE/, message: 'port taken' } });
    return { system: 'node-red', url: `http://127.0.0.1:${port}/`, pid: child.pid!, stop: () => stopAndRemove(child, dir) };
  } catch (err) {
    await stopAndRemove(child, dir);
    throw err;
  }
}

const MOSQUITTO_SETTINGS = ['persistence false', 'allow_anonymous true', 'max_queued_messages 1000000', 'max_queued_bytes 0', 'set_tcp_nodelay true', 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', 'log_type information'];

export interface Broker {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

function mosquittoBinary(): string {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) if (existsSync(join(dir, 'mosquitto'))) return join(dir, 'mosquitto');
  throw new Error('mosquitto not found (Debian package mosquitto)');
}

/** Debian's mosquitto on 127.0.0.1 and a free port (config in a temp folder). */
export async function startBroker(scratch: string): Promise<Broker> {
  const dir = mkdtempSync(join(scratch, 'editor-mosquitto-'));
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `${[`listener ${port} 127.0.0.1`, ...MOSQUITTO_SETTINGS].join('\n')}\n`);
  const child = track(spawn(mosquittoBinary(), ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] }));
  try {
    await waitForLine(child, / running/, 10_000, 'mosquitto');
  } catch (err) {
    await stopAndRemove(child, dir);
    throw err;
  }
  return { url: `mqtt://127.0.0.1:${port}`, port, stop: () => stopAndRemove(child, dir) };
}
