#!/usr/bin/env node
// `npm start` / `npm test` on a fresh machine with only Node.js 20 and npm.
//
//   node scripts/bootstrap.mjs start   → set up, build the editor if stale, then `plantwire start`: the simulated plant, the editor and examples/line-monitor.flow.json
//   node scripts/bootstrap.mjs test    → set up, then `node scripts/test.mjs`
//
// Set-up: find pnpm at exactly the version pinned in package.json "packageManager" (a different
// pnpm refuses to run on this registry, STACK.md G1; corepack fails, G2), else install it into
// .tools/ without touching global state; then `pnpm install --frozen-lockfile` when node_modules is
// missing or older than pnpm-lock.yaml. Plain Node, no dependencies: nothing is installed yet.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const command = process.argv[2];
const say = (text) => console.error(`[bootstrap] ${text}`);

function fail(text) {
  say(`error: ${text}`);
  // `npm test` is judged by its count line (STACK.md G18); a failed set-up is a failed run.
  if (command === 'test') console.log('0 passed, 1 failed');
  process.exit(1);
}

function pinnedPnpmVersion() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const match = /^pnpm@(\d+\.\d+\.\d+)/.exec(pkg.packageManager ?? '');
  if (!match) fail('package.json has no "packageManager": "pnpm@x.y.z" field');
  return match[1];
}

function versionOf(bin) {
  const result = spawnSync(bin, ['--version'], { cwd: root, encoding: 'utf8', env: quietPnpmEnv() });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function quietPnpmEnv() {
  // pnpm's "Update available" notice points at an installer this network cannot reach (STACK.md G4).
  return { ...process.env, npm_config_update_notifier: 'false', PNPM_NO_UPDATE_NOTIFIER: '1' };
}

function findPnpm(version) {
  if (versionOf('pnpm') === version) return 'pnpm';
  const local = join(root, '.tools', 'node_modules', '.bin', 'pnpm');
  if (existsSync(local) && versionOf(local) === version) return local;

  say(`pnpm ${version} not found on PATH; installing it into .tools/ (no global changes)`);
  const tools = join(root, '.tools');
  mkdirSync(tools, { recursive: true });
  // allowScripts lets npm 11 run pnpm's own install script (it links the native binary) without
  // a warning; older npm ignores the field and runs it anyway.
  writeFileSync(join(tools, 'package.json'), `${JSON.stringify({ private: true, allowScripts: { pnpm: true } }, null, 2)}\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--prefix', tools, '--save-exact', '--no-audit', '--no-fund', `pnpm@${version}`], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) fail(`npm install --prefix .tools pnpm@${version} failed (exit ${result.status ?? result.signal})`);
  const installed = versionOf(local);
  if (installed !== version) fail(`.tools/node_modules/.bin/pnpm reports version ${installed ?? '(none)'}, expected ${version}`);
  return local;
}

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function ensureInstalled(pnpm) {
  const lock = join(root, 'pnpm-lock.yaml');
  const modules = join(root, 'node_modules', '.modules.yaml');
  const marker = join(root, 'node_modules', '.plantwire-bootstrap');
  const installedAt = Math.max(mtime(modules) ?? -1, mtime(marker) ?? -1);
  const lockAt = mtime(lock) ?? 0;
  if (mtime(modules) !== undefined && installedAt >= lockAt) return;

  say(mtime(modules) === undefined ? 'node_modules missing: pnpm install --frozen-lockfile' : 'pnpm-lock.yaml is newer than node_modules: pnpm install --frozen-lockfile');
  const result = spawnSync(pnpm, ['install', '--frozen-lockfile'], { cwd: root, stdio: 'inherit', env: quietPnpmEnv() });
  if (result.status !== 0) fail(`pnpm install --frozen-lockfile failed (exit ${result.status ?? result.signal})`);
  // A no-op install may leave .modules.yaml untouched; the marker stops us installing every time.
  writeFileSync(marker, `${new Date().toISOString()}\n`);
}

/** The newest modification time of a file or of any file below a folder. */
function newestIn(path) {
  const at = mtime(path);
  if (at === undefined) return -1;
  if (!statSync(path).isDirectory()) return at;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestIn(join(path, name))), at);
}

/**
 * `plantwire start` serves apps/editor/dist: build it when it is missing or older than its
 * sources. Without apps/editor (or when the build fails) the server still starts and its page
 * says how to build the editor.
 */
function ensureEditorBuilt(pnpm) {
  const editor = join(root, 'apps', 'editor');
  if (!existsSync(join(editor, 'package.json'))) return;
  const builtAt = mtime(join(editor, 'dist', 'index.html'));
  const sources = ['src', 'index.html', 'vite.config.ts'].map((p) => newestIn(join(editor, p)));
  if (builtAt !== undefined && sources.every((at) => at <= builtAt)) return;
  say(builtAt === undefined ? 'the editor is not built: pnpm --filter @plantwire/editor build' : 'the editor sources changed: pnpm --filter @plantwire/editor build');
  const result = spawnSync(pnpm, ['--filter', '@plantwire/editor', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: quietPnpmEnv() });
  if (result.status !== 0) say(`the editor build failed (exit ${result.status ?? result.signal}); starting anyway, the page at / will say the editor is not built`);
}

/** Run a child to completion with the terminal attached, passing our exit code on. */
function runToExit(bin, args, env) {
  const child = spawn(bin, args, { cwd: root, stdio: 'inherit', env });
  // Ctrl-C reaches the whole foreground process group, so the child already has SIGINT; a
  // SIGTERM sent to us alone (a supervisor, `kill`) is passed on so the child can drain.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('error', (err) => fail(`could not start ${bin}: ${err.message}`));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (signalNumbers[signal] ?? 1) : 1)));
}

const signalNumbers = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

if (command !== 'start' && command !== 'test') {
  console.error('usage: node scripts/bootstrap.mjs start|test');
  process.exit(2);
}
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) fail(`Node.js ${process.versions.node} is too old; Plantwire needs Node.js >= 20.19`);

const pnpm = findPnpm(pinnedPnpmVersion());
ensureInstalled(pnpm);
if (command === 'start') {
  ensureEditorBuilt(pnpm);
  say('starting the simulated plant, the editor and examples/line-monitor.flow.json: plantwire start (Ctrl-C stops it)');
  // The CLI directly, not through pnpm: one process less, and signals reach it as they are.
  runToExit(process.execPath, ['--import', 'tsx', join(root, 'apps', 'cli', 'src', 'main.ts'), 'start'], process.env);
} else {
  runToExit(process.execPath, [join(root, 'scripts', 'test.mjs')], { ...process.env, PLANTWIRE_PNPM: pnpm });
}
