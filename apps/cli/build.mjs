// Bundles the CLI for fast start-up with plain `node` (no tsx): apps/cli/dist/plantwire.js is the
// binary (src/bin.ts: V8 start-up tuning, then it loads) dist/plantwire-main.js, everything else.
// Workspace packages export TypeScript source, which Node 20 cannot load, so they are bundled
// (STACK.md G9). The small pure-JS libraries every `run` loads (BUNDLED below) are bundled too:
// resolving and compiling a few dozen separate ES and CommonJS modules through Node's loader took
// about a third of `plantwire run`'s start-up. Other npm dependencies (the protocol libraries,
// which nodes load on first use) stay external and resolve from apps/cli/node_modules, so each
// one a bundled package imports must also be a dependency of @plantwire/cli. The build checks
// that and names the missing ones instead of producing a bundle that fails at start.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const cliPackage = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const cliDeps = new Set(Object.keys({ ...cliPackage.dependencies }));

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

/** The version an importing workspace package pins a dependency at, to print the fix. */
function pinnedVersion(importer, name) {
  let dir = dirname(importer);
  while (dir !== dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return pkg.dependencies?.[name] ?? pkg.devDependencies?.[name];
    } catch {
      dir = dirname(dir);
    }
  }
  return undefined;
}

/**
 * npm packages inlined into the bundle: loaded by every `run`, small, plain JavaScript. Not
 * jsonata: a flow loads it with require() at its first expression (nodes-core's expression.ts),
 * and most flows have none; inlined, its unused 120 KB of text cost an idle `plantwire run` ~0.7 MB.
 */
const BUNDLED = new Set(['zod', 'jsonc-parser', 'croner', 'csv-parse', 'csv-stringify', 'mustache']);

const missing = new Map();
const externalizeDeps = {
  name: 'externalize-npm-deps',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@plantwire/')) return undefined; // bundled
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      const name = packageName(args.path);
      if (BUNDLED.has(name)) return undefined; // bundled
      if (!cliDeps.has(name)) {
        try {
          createRequire(join(here, 'package.json')).resolve(`${name}/package.json`);
        } catch {
          if (!missing.has(name)) missing.set(name, { importer: relative(join(here, '../..'), args.importer), version: pinnedVersion(args.importer, name) });
        }
      }
      return { path: args.path, external: true };
    });
  },
};

// zod re-exports all of its ~40 message locales (`z.locales`), 300 KB of the bundle that every
// start parsed and evaluated; Plantwire uses none but the default English, which zod's schemas
// import directly. The bundle's `z.locales` offers `en` only.
const ZOD_LOCALES = /[\\/]zod[\\/]v4[\\/](classic[\\/]external|core[\\/]index)\.js$/;
const englishOnlyZodLocales = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (ZOD_LOCALES.test(args.importer) ? { path: join(dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-locales' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({ contents: `export { default as en } from ${JSON.stringify(args.path)};`, resolveDir: dirname(args.path), loader: 'js' }));
  },
};

// Node's built-ins are loaded when a module imports them, and in one bundle every static import
// is hoisted to the top: `plantwire run` loaded crypto (OpenSSL), zlib, http and net for code
// that a given flow may never reach (the metrics server, credentials, store-and-forward queues,
// Modbus and MQTT connections), ~1.3 MB of an idle process. These built-ins therefore resolve to
// a stand-in whose exports load the real module on first call. Only plain functions (camelCase
// names) are exported: a class could not be proxied faithfully (`instanceof`, static members), so
// importing one, or any other value, fails the build with esbuild's "No matching export" rather
// than coming out subtly wrong.
const LAZY_BUILTINS = ['crypto', 'zlib', 'http', 'net', 'os'];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`);
    b.onResolve({ filter }, (args) => (args.namespace === 'lazy-builtin' ? undefined : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (args) => {
      const real = await import(`node:${args.path}`);
      const names = Object.keys(real).filter((name) => typeof real[name] === 'function' && /^[a-z]/.test(name));
      const lines = [
        `import { createRequire } from 'node:module';`,
        `let real;`,
        `const load = () => (real ??= createRequire(import.meta.url)('node:${args.path}'));`,
        `const lazy = (name) => function (...args) { return load()[name].apply(this, args); };`,
        ...names.map((name) => `export const ${name} = lazy(${JSON.stringify(name)});`),
      ];
      return { contents: lines.join('\n'), loader: 'js', resolveDir: here };
    });
  },
};

const outdir = join(here, 'dist');
const outfile = join(outdir, 'plantwire.js');
const mainFile = join(outdir, 'plantwire-main.js');
const headlessFile = join(outdir, 'plantwire-headless.js');

// bin.ts's `import('./main.js')` and `import('./main-headless.js')` are the two bundles, loaded at
// run time (not inlined).
const bundlesAtRunTime = {
  name: 'bundles-at-run-time',
  setup(b) {
    b.onResolve({ filter: /^\.\/main\.js$/ }, () => ({ path: `./${basename(mainFile)}`, external: true }));
    b.onResolve({ filter: /^\.\/main-headless\.js$/ }, () => ({ path: `./${basename(headlessFile)}`, external: true }));
  },
};

// The headless bundle (`run`, `validate`: what an edge box runs) leaves out the commands that start
// the editor's server or the simulated plant. A one-file bundle initialises a command's modules
// only when the command runs, yet their text alone cost an idle `plantwire run` ~0.85 MB (V8
// keeps the whole script's source and what it learned parsing it). bin.ts never sends these
// commands to this bundle; should one get there, it fails saying so.
const LEFT_OUT_OF_HEADLESS = /^\.\/(start|sim)-command\.js$/;
const leaveOutServerCommands = {
  name: 'leave-out-server-commands',
  setup(b) {
    b.onResolve({ filter: LEFT_OUT_OF_HEADLESS }, (args) => ({ path: args.path, namespace: 'left-out' }));
    b.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not in the headless bundle (${basename(headlessFile)}); dist/plantwire.js loads ${basename(mainFile)} for this command`)});`,
      loader: 'js',
    }));
  },
};

const started = Date.now();
rmSync(outdir, { recursive: true, force: true });
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};
const mainBundle = {
  ...common,
  entryPoints: [join(here, 'src', 'main.ts')],
  // One file: loading further chunks with import() cost `plantwire run` ~3.5 MB of RSS (node's
  // module loader at work). Commands that need big npm packages import them with import() at the
  // point of use (the server: express, socket.io; nodes: protocol clients), which esbuild keeps
  // lazy; a static import of an npm package would be hoisted to the top of this file.
  outfile: mainFile,
  sourcemap: true,
  // Prefer ES module entry points of the bundled libraries (jsonc-parser's UMD build require()s
  // sibling files at run time).
  mainFields: ['module', 'main'],
  // A bundled CommonJS library may require() a Node built-in; an ES module bundle has no require.
  banner: { js: "import { createRequire as __plantwireCreateRequire } from 'node:module'; const require = __plantwireCreateRequire(import.meta.url);" },
  plugins: [lazyBuiltins, englishOnlyZodLocales, externalizeDeps],
};
try {
  await build(mainBundle);
  await build({
    ...mainBundle,
    entryPoints: [join(here, 'src', 'main-headless.ts')],
    outfile: headlessFile,
    plugins: [leaveOutServerCommands, ...mainBundle.plugins],
  });
  // The binary: a few lines that tune V8 before a bundle is parsed and pick which (src/bin.ts).
  // bin.ts starts with its own `#!/usr/bin/env node`; esbuild keeps it as the first line.
  await build({ ...common, entryPoints: [join(here, 'src', 'bin.ts')], outfile, plugins: [bundlesAtRunTime] });
} catch {
  process.exit(1); // esbuild has printed the errors
}

if (missing.size > 0) {
  console.error('build: these npm packages are imported by bundled workspace code but are not dependencies of @plantwire/cli,');
  console.error('so `node dist/plantwire.js` could not load them:');
  for (const [name, { importer, version }] of missing) console.error(`  ${name}  (imported by ${importer})`);
  const add = [...missing].sort(([a], [b]) => a.localeCompare(b)).map(([name, { version }]) => (version ? `${name}@${version}` : name)).join(' ');
  console.error(`fix: pnpm --filter @plantwire/cli add ${add}`);
  // A bundle that cannot start must not be mistaken for a good one.
  rmSync(outdir, { recursive: true, force: true });
  process.exit(1);
}
console.log(`build: ${relative(process.cwd(), outfile)} + ${basename(mainFile)} + ${basename(headlessFile)} (${Date.now() - started} ms)`);
