import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
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
  });
});
