import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runToExit } from './spawn-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'plantwire-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `FILE:LINE:COL  severity  CODE  node <id>  <path>  message` */
const ISSUE_LINE = /^(?<file>[^:]+):(?<line>\d+):(?<col>\d+) {2}(?<severity>error|warning) {2}(?<code>[A-Z_]+) {2}(?<node>node \S+|-) {2}(?<path>\$\S*) {2}(?<message>.+)$/;

function issues(stdout: readonly string[]) {
  return stdout.flatMap((l) => {
    const m = ISSUE_LINE.exec(l);
    return m ? [m.groups!] : [];
  });
}

describe('plantwire validate', () => {
  it('accepts the demo flow with exit 0 and a one-line summary', async () => {
    const { code, stdout } = await runToExit(['validate', 'examples/demo.flow.json']);
    expect(stdout).toEqual(['examples/demo.flow.json: OK (5 nodes, 4 wires, 0 warnings)']);
    expect(code).toBe(0);
  });

  it('lists every problem of the broken example with place, node id and JSON path, and exits 1', async () => {
    const { code, stdout } = await runToExit(['validate', 'examples/broken.flow.json']);
    const found = issues(stdout).map((i) => `${i.severity} ${i.code} ${i.node} ${i.path}`);
    expect(found.sort()).toEqual(
      [
        'error UNKNOWN_NODE_TYPE node alarm $.nodes[0].type',
        'error ENV_MISSING node deadband $.nodes[1].config.band',
        'error CONFIG_INVALID node scale $.nodes[3].config.inMax',
        'error CONFIG_INVALID node sensor $.nodes[4].config.rules',
        'error CONFIG_INVALID node tick $.nodes[5].config.intervalMs',
        'error WIRE_DANGLING node deadband $.wires[0].to.node',
        'warning CYCLE node deadband $.wires[1]',
        'error PORT_UNKNOWN node print $.wires[2].from.port',
        'error PORT_UNKNOWN node print $.wires[5].to.port',
      ].sort(),
    );
    // positions point into the file: the unknown type is on the "type" key of the alarm node
    const unknownType = issues(stdout).find((i) => i.code === 'UNKNOWN_NODE_TYPE')!;
    expect({ line: unknownType.line, col: unknownType.col }).toEqual({ line: '8', col: '7' });
    expect(stdout.at(-1)).toBe('examples/broken.flow.json: invalid (8 errors, 1 warning)');
    expect(code).toBe(1);
  });

  it('reports invalid JSON with its line and column and exits 1', async () => {
    const file = join(tmp, 'truncated.flow.json');
    writeFileSync(file, '{\n  "version": 1,\n  "nodes": [\n');
    const { code, stdout } = await runToExit(['validate', file]);
    expect(stdout[0]).toMatch(new RegExp(`^${file}:4:1 {2}error {2}INVALID_JSON {2}- {2}\\$ {2}invalid JSON at line 4, column 1: `));
    expect(code).toBe(1);
  });

  it('exits 0 on warnings alone and still prints them', async () => {
    const file = join(tmp, 'loop.flow.json');
    const set = (value: number) => ({ rules: [{ op: 'set', path: 'payload', value }] });
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        nodes: [
          { id: 'a', type: 'change', config: set(1) },
          { id: 'b', type: 'change', config: set(2) },
        ],
        wires: [
          { from: { node: 'a', port: 'out' }, to: { node: 'b', port: 'in' } },
          { from: { node: 'b', port: 'out' }, to: { node: 'a', port: 'in' } },
        ],
      }),
    );
    const { code, stdout } = await runToExit(['validate', file]);
    expect(issues(stdout).map((i) => `${i.severity} ${i.code}`)).toEqual(['warning CYCLE']);
    expect(stdout.at(-1)).toBe(`${file}: OK (2 nodes, 2 wires, 1 warning)`);
    expect(code).toBe(0);
  });

  it('exits 2 with a clear message when the file cannot be read', async () => {
    const { code, stdout, stderr } = await runToExit(['validate', 'examples/no-such.flow.json']);
    expect(stderr).toContain('plantwire: cannot read examples/no-such.flow.json: no such file');
    expect(stdout).toEqual([]);
    expect(code).toBe(2);
  });
});

describe('plantwire usage', () => {
  it('prints help and the version with exit 0', async () => {
    const [main, run, version] = await Promise.all([runToExit(['--help']), runToExit(['run', '--help']), runToExit(['--version'])]);
    expect(main.stdout.join('\n')).toMatch(/Usage:\n {2}plantwire <command> \[options\]/);
    expect(main.stdout.join('\n')).toContain('Exit codes:');
    expect(main.code).toBe(0);
    expect(run.stdout.join('\n')).toContain('--metrics-port N');
    expect(run.code).toBe(0);
    expect(version.stdout).toEqual([expect.stringMatching(/^\d+\.\d+\.\d+$/)]);
    expect(version.code).toBe(0);
  });

  it('rejects an unknown command, an unknown option and a bad option value with exit 2', async () => {
    const [command, option, port, none] = await Promise.all([
      runToExit(['deploy', 'x.json']),
      runToExit(['validate', '--strict', 'examples/demo.flow.json']),
      runToExit(['run', 'examples/demo.flow.json', '--metrics-port', '99999']),
      runToExit([]),
    ]);
    expect(command.stderr[0]).toBe('plantwire: usage: unknown command "deploy"; commands: validate, run, sim, start, hash-password');
    expect(command.code).toBe(2);
    expect(option.stderr[0]).toMatch(/unknown option --strict/);
    expect(option.code).toBe(2);
    expect(port.stderr[0]).toMatch(/--metrics-port must be a port number/);
    expect(port.code).toBe(2);
    expect(none.code).toBe(2);
  });
});
