import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { jsonLine, killStillRunning, spawnCli, type CliProcess } from './spawn-cli.js';

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
  it('runs the plant and line-monitor wired to it on free ports, then stops both on SIGTERM with exit 0', async () => {
    const cli = spawnCli(['start', '--mqtt-port', '0', '--modbus-port', '0', '--opcua-port', '0', '--data-dir', join(tmp, 'data')]);
    running.push(cli);

    const ready = jsonLine(await cli.line('stderr', (l) => jsonLine(l)?.['message'] === 'plant running', 30_000))!;
    expect((ready['endpoints'] as { mqtt: string }).mqtt).not.toBe('mqtt://127.0.0.1:1883');
    const started = jsonLine(await cli.line('stderr', (l) => jsonLine(l)?.['message'] === 'running', 30_000))!;
    expect(started).toMatchObject({ file: 'examples/line-monitor.flow.json', nodes: 14 });
    // Values from OPC UA and from Modbus, so both endpoints were substituted with the plant's ports.
    await cli.line('stdout', uns('springfield/packaging/line1/machine1/temperature'), 30_000);
    await cli.line('stdout', uns('springfield/packaging/line1/machine2/temperature'), 30_000);

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.stderr.some((l) => jsonLine(l)?.['message'] === 'simulated plant stopped')).toBe(true);
    // Nothing escaped the runtime's containment.
    expect(cli.stderr.filter((l) => /uncaught|unhandled/.test(l))).toEqual([]);
  }, 60_000);
});
