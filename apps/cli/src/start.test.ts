import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { jsonLine, killStillRunning, repoRoot, runToExit, spawnCli, type CliProcess } from './spawn-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'plantwire-start-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const running: CliProcess[] = [];
afterEach(() => killStillRunning(running));

/** A debug line of line-monitor's `print` node for `topic` with a good value. */
const uns = (topic: string) => (line: string) => {
  const entry = jsonLine(line) as { node?: string; value?: { topic?: string; payload?: { quality?: string } } } | undefined;
  return entry?.node === 'print' && entry.value?.topic === topic && entry.value.payload?.quality === 'good';
};

describe('plantwire start', () => {
  it('runs the plant, the server and line-monitor wired to the plant on free ports, then stops both on SIGTERM with exit 0', async () => {
    const dataDir = join(tmp, 'data');
    const cli = spawnCli(['start', '--port', '0', '--mqtt-port', '0', '--modbus-port', '0', '--opcua-port', '0', '--data-dir', dataDir]);
    running.push(cli);

    const ready = jsonLine(await cli.line('stderr', (l) => jsonLine(l)?.['message'] === 'plant running', 30_000))!;
    expect((ready['endpoints'] as { mqtt: string }).mqtt).not.toBe('mqtt://127.0.0.1:1883');
    const editorLine = await cli.line('stdout', (l) => l.startsWith('Plantwire editor: '), 30_000);
    const url = /^Plantwire editor: (http:\/\/127\.0\.0\.1:\d+)$/.exec(editorLine)?.[1];
    expect(url).toBeDefined();
    const started = jsonLine(await cli.line('stderr', (l) => jsonLine(l)?.['message'] === 'running', 30_000))!;
    expect(started).toMatchObject({ file: 'examples/line-monitor.flow.json', nodes: 14, auth: 'off' });
    // Values from OPC UA and from Modbus, so both endpoints were substituted with the plant's ports.
    await cli.line('stdout', uns('springfield/packaging/line1/machine1/temperature'), 30_000);
    await cli.line('stdout', uns('springfield/packaging/line1/machine2/temperature'), 30_000);

    // The server holds the demo flow as its document; the plant's ports are not written into it.
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const flows = (await (await fetch(`${url}/api/flows`)).json()) as { document: { env: Record<string, string>; nodes: unknown[] } };
    expect(flows.document.nodes).toHaveLength(14);
    expect(flows.document.env['MQTT_URL']).toBe('mqtt://127.0.0.1:1883');
    expect(readFileSync(join(dataDir, 'flows.json'), 'utf8')).toContain('"MQTT_URL": "mqtt://127.0.0.1:1883"');
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.stderr.some((l) => jsonLine(l)?.['message'] === 'simulated plant stopped')).toBe(true);
    expect(cli.stderr.some((l) => jsonLine(l)?.['message'] === 'runtime stopped')).toBe(true);
    // Nothing escaped the runtime's containment.
    expect(cli.stderr.filter((l) => /uncaught|unhandled/.test(l))).toEqual([]);
  }, 60_000);

  it('refuses a non-loopback interface without a password (exit 2), and --no-sim starts no plant', async () => {
    const refused = await runToExit(['start', '--no-sim', '--host', '0.0.0.0', '--port', '0', '--data-dir', join(tmp, 'refused')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.join('\n')).toMatch(/refusing to listen on 0\.0\.0\.0 without authentication/);
  }, 30_000);
});

describe('the editor plantwire start serves', () => {
  it('is apps/editor/dist from the source file and from the bundle chunks alike', async () => {
    const { editorDirFrom } = await import('./start-command.js');
    const expected = join(repoRoot, 'apps', 'editor', 'dist');
    expect(editorDirFrom(join(repoRoot, 'apps', 'cli', 'src', 'start-command.ts'))).toBe(expected);
    expect(editorDirFrom(join(repoRoot, 'apps', 'cli', 'dist', 'chunks', 'start-command-X.js'))).toBe(expected);
    expect(editorDirFrom(join(repoRoot, 'apps', 'cli', 'dist', 'plantwire.js'))).toBe(expected);
  });
});
