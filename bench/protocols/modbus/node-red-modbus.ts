/**
 * The Node-RED side of the Modbus benchmark: node-red-contrib-modbus installed on demand, a flow
 * that polls 100 holding registers with its modbus-read node, and red.js started headless on it.
 *
 * The package goes into its own npm prefix (`<scratch>/node-red-modbus`) that red.js loads through
 * the `nodesDir` setting, not into Node-RED's prefix: Node-RED loads every node package it finds in
 * the node_modules folders above its own, so installing it there would slow down the start-up and
 * raise the idle RSS of every other benchmark's Node-RED.
 *
 * 5.60.2 depends on `@openp4nr/modbus-serial` as a tarball URL on dl.cloudsmith.io (a fork of
 * modbus-serial 8); when that host cannot be reached the install maps the name to modbus-serial
 * 8.0.25 from the npm registry with an npm `overrides` entry, and says so.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeRedInstall } from '../../node-red-install.js';
import { writeNodeRedSettings } from '../../node-red-settings.js';
import { endChild, waitForLine } from '../../spawn-measured.js';

export const NODE_RED_MODBUS_VERSION = '5.60.2';
/** What `@openp4nr/modbus-serial` (the fork 5.60.2 asks for, as a URL) is replaced by when the URL is unreachable. */
export const MODBUS_SERIAL_STAND_IN = 'modbus-serial@8.0.25';

export interface NodeRedModbusInstall {
  /** The npm prefix; red.js's `nodesDir`. */
  readonly prefix: string;
  readonly version: string;
  /** How its Modbus library was installed: the fork from its URL, or the stand-in. */
  readonly modbusLibrary: string;
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined; // not there yet
  }
}

function libraryNote(prefix: string): string {
  const lib = readJson(join(prefix, 'node_modules', '@openp4nr', 'modbus-serial', 'package.json'));
  const overridden = (readJson(join(prefix, 'package.json'))?.overrides as Record<string, string> | undefined)?.['@openp4nr/modbus-serial'];
  return overridden ? `@openp4nr/modbus-serial replaced by ${MODBUS_SERIAL_STAND_IN} (its tarball URL on dl.cloudsmith.io was unreachable)` : `@openp4nr/modbus-serial ${String(lib?.version ?? '?')}`;
}

/** Install (once) node-red-contrib-modbus@NODE_RED_MODBUS_VERSION into `<scratch>/node-red-modbus`. */
export function ensureNodeRedModbus(scratch: string, log: (line: string) => void): NodeRedModbusInstall {
  const prefix = join(scratch, 'node-red-modbus');
  const installed = readJson(join(prefix, 'node_modules', 'node-red-contrib-modbus', 'package.json'))?.version;
  if (installed !== NODE_RED_MODBUS_VERSION) {
    mkdirSync(prefix, { recursive: true });
    const pkgFile = join(prefix, 'package.json');
    if (!existsSync(pkgFile)) writeFileSync(pkgFile, '{ "private": true }\n');
    const install = () =>
      execFileSync('npm', ['install', '--prefix', prefix, '--save-exact', `node-red-contrib-modbus@${NODE_RED_MODBUS_VERSION}`, '--no-audit', '--no-fund', '--loglevel=error', '--fetch-retries=0'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        encoding: 'utf8',
        timeout: 600_000,
      });
    log(`installing node-red-contrib-modbus@${NODE_RED_MODBUS_VERSION} into ${prefix} (once)…`);
    try {
      install();
    } catch (err) {
      const text = `${(err as { stderr?: string }).stderr ?? ''}${(err as Error).message}`;
      if (!/cloudsmith/i.test(text)) throw new Error(`npm install node-red-contrib-modbus@${NODE_RED_MODBUS_VERSION} failed:\n${text.slice(-2000)}`);
      log(`  its @openp4nr/modbus-serial tarball (dl.cloudsmith.io) is unreachable; using ${MODBUS_SERIAL_STAND_IN} from the registry in its place`);
      const pkg = readJson(pkgFile) ?? { private: true };
      pkg.overrides = { ...(pkg.overrides as object | undefined), '@openp4nr/modbus-serial': `npm:${MODBUS_SERIAL_STAND_IN}` };
      writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
      install();
    }
  }
  return { prefix, version: NODE_RED_MODBUS_VERSION, modbusLibrary: libraryNote(prefix) };
}

/** Settings of the Node-RED modbus-read poller: its fastest (1 ms is the least the node accepts). */
export const NODE_RED_POLL = { rateMs: 1, commandDelayMs: 1, maxQueueDepth: 100 } as const;

/**
 * flows.json: a modbus-client (TCP, 127.0.0.1:port, unit 1) and a modbus-read of `quantity`
 * holding registers from 0 every NODE_RED_POLL.rateMs, into an inactive debug node. Status,
 * warnings and errors are off so no log line is written per poll.
 */
export function nodeRedModbusFlow(port: number, quantity: number): unknown[] {
  return [
    { id: 'tab', type: 'tab', label: 'modbus bench' },
    {
      id: 'client',
      type: 'modbus-client',
      name: 'bench server',
      clienttype: 'tcp',
      bufferCommands: true,
      stateLogEnabled: false,
      queueLogEnabled: false,
      failureLogEnabled: false,
      tcpHost: '127.0.0.1',
      tcpPort: String(port),
      tcpType: 'DEFAULT',
      unit_id: '1',
      commandDelay: String(NODE_RED_POLL.commandDelayMs),
      clientTimeout: '1000',
      reconnectOnTimeout: true,
      reconnectTimeout: '2000',
      parallelUnitIdsAllowed: true,
      maxQueueDepth: String(NODE_RED_POLL.maxQueueDepth),
      showErrors: false,
      showWarnings: false,
      showLogs: false,
    },
    {
      id: 'read',
      type: 'modbus-read',
      z: 'tab',
      name: '100 holding registers',
      topic: '',
      showStatusActivities: false,
      logIOActivities: false,
      showErrors: false,
      showWarnings: false,
      unitid: '1',
      dataType: 'HoldingRegister',
      adr: '0',
      quantity: String(quantity),
      rate: String(NODE_RED_POLL.rateMs),
      rateUnit: 'ms',
      delayOnStart: false,
      startDelayTime: '',
      server: 'client',
      useIOFile: false,
      ioFile: '',
      useIOForPayload: false,
      emptyMsgOnFail: false,
      keepMsgProperties: false,
      wires: [['sink'], []],
    },
    { id: 'sink', type: 'debug', z: 'tab', name: 'sink', active: false, tosidebar: true, console: false, tostatus: false, complete: 'payload', targetType: 'msg', wires: [] },
  ];
}

export interface NodeRedProcess {
  readonly pid: number;
  stop(): Promise<void>;
}

/** Start red.js headless (no admin/editor HTTP) on `flows` with `nodesDir`, and wait for "Started flows". */
export async function startNodeRed(install: NodeRedInstall, nodesDir: string, userDir: string, flows: unknown[], timeoutMs = 60_000): Promise<NodeRedProcess> {
  mkdirSync(userDir, { recursive: true });
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flows));
  const settingsFile = writeNodeRedSettings(userDir, { headless: true, nodesDir: [nodesDir] });
  const child = spawn(install.nodeBin, [join(install.nodeRedDir, 'red.js'), '--settings', settingsFile, '--userDir', userDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await waitForLine(child, /Started flows/, timeoutMs, 'Node-RED', {
      fail: { pattern: /Waiting for missing types/, message: 'waiting for missing node types: node-red-contrib-modbus was not loaded from nodesDir' },
    });
  } catch (err) {
    await endChild(child);
    throw err;
  }
  child.removeAllListeners('exit');
  return { pid: child.pid!, stop: () => endChild(child, 5000) };
}
