import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runToExit } from './spawn-cli.js';

describe('the esbuild bundle', () => {
  it('builds and runs with plain node: workspace packages bundled, npm dependencies resolvable', async () => {
    const build = spawnSync(process.execPath, [join(repoRoot, 'apps/cli/build.mjs')], { cwd: repoRoot, encoding: 'utf8' });
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    const bundle = ['--enable-source-maps', join(repoRoot, 'apps/cli/dist/plantwire.js')];
    const { code, stdout } = await runToExit(['validate', 'examples/demo.flow.json', 'examples/line-monitor.flow.json'], { entry: bundle });
    // line-monitor uses the MQTT, OPC UA and Modbus nodes and connections: they are in the bundle too.
    expect(stdout).toEqual(['examples/demo.flow.json: OK (5 nodes, 4 wires, 0 warnings)', 'examples/line-monitor.flow.json: OK (14 nodes, 13 wires, 0 warnings)']);
    expect(code).toBe(0);

    // What the binary loads before it runs a command: itself, the bundle it imports (both bundles
    // are followed here), and whatever they import statically. The web server's npm packages must not be among them (they
    // cost an edge box ~20 MB of RSS); the server loads them with import() when it starts. Nor
    // must the built-ins a flow may never need (build.mjs loads them on first use).
    const loaded = new Map<string, string[]>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      const text = readFileSync(file, 'utf8');
      const specifiers = [...text.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w$*{},\s]+from\s*)?["']([^"']+)["']/g)].map((m) => m[1]!);
      // The binary's dynamic imports, of the bundle a command needs, load at start as well.
      if (file.endsWith('plantwire.js')) specifiers.push(...[...text.matchAll(/import\(["'](\.[^"']+)["']\)/g)].map((m) => m[1]!));
      loaded.set(file, specifiers);
      for (const spec of specifiers) if (spec.startsWith('.')) visit(join(dirname(file), spec));
    };
    visit(join(repoRoot, 'apps/cli/dist/plantwire.js'));
    const npmImports = [...loaded.values()].flat().filter((spec) => !spec.startsWith('.') && !spec.startsWith('node:'));
    expect(loaded.get(join(repoRoot, 'apps/cli/dist/plantwire.js'))).toEqual(['node:v8', './plantwire-headless.js', './plantwire-main.js']);
    expect(loaded.get(join(repoRoot, 'apps/cli/dist/plantwire-headless.js'))).toContain('node:worker_threads');
    expect(npmImports.filter((spec) => /^(express|socket\.io)(\/|$)/.test(spec))).toEqual([]);
    const builtins = [...loaded.values()].flat().filter((spec) => spec.startsWith('node:'));
    expect(builtins.filter((spec) => /^node:(crypto|zlib|http|net|os)$/.test(spec))).toEqual([]);
    // zod is imported as a namespace (`import * as z`), so only what Plantwire uses is bundled: not
    // its schema compiler (z.compile) nor its JSON Schema importer, ~70 KB every start would parse.
    const main = readFileSync(join(repoRoot, 'apps/cli/dist/plantwire-main.js'), 'utf8');
    expect(main).not.toMatch(/ZodCompileAsyncError|fromJSONSchema/);
    // `run` and `validate` (above) load the headless bundle, without the editor's server and the
    // simulated plant; the other commands load the main bundle, which has them.
    const headless = readFileSync(join(repoRoot, 'apps/cli/dist/plantwire-headless.js'), 'utf8');
    for (const name of ['function createPlantwireServer(', 'function startSimulatedPlant(']) {
      expect(main).toContain(name);
      expect(headless).not.toContain(name);
    }
    const startHelp = await runToExit(['start', '--help'], { entry: bundle });
    expect(startHelp.stdout[0]).toMatch(/^Usage: plantwire start/);
    expect(startHelp.code).toBe(0);
  });
});
