import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { jsonLine, killStillRunning, runToExit, spawnCli, type CliProcess } from './spawn-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'plantwire-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const running: CliProcess[] = [];
afterEach(() => killStillRunning(running));

const logged = (message: string | RegExp) => (line: string) => {
  const entry = jsonLine(line);
  return typeof entry?.['message'] === 'string' && (typeof message === 'string' ? entry['message'] === message : message.test(entry['message']));
};

describe('plantwire run', () => {
  it('runs the demo: debug JSON lines on stdout, /health and /metrics, graceful stop on SIGTERM', async () => {
    const cli = spawnCli(['run', 'examples/demo.flow.json', '--metrics-port', '0']);
    running.push(cli);

    const listening = jsonLine(await cli.line('stderr', logged('metrics server listening')))!;
    expect(listening).toMatchObject({ level: 'info', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    const ready = jsonLine(await cli.line('stderr', logged('running')))!;
    expect(ready).toMatchObject({ level: 'info', file: 'examples/demo.flow.json', nodes: 5, metrics: listening['url'] });
    expect(typeof ready['time']).toBe('string');

    // The inject fires at once; the first value always passes the deadband filter.
    const debug = JSON.parse(await cli.line('stdout', (l) => l.startsWith('{')));
    expect(Object.keys(debug)).toEqual(['node', 'name', 'msgId', 'time', 'value']);
    expect(debug).toMatchObject({ node: 'print', name: 'temperature', msgId: expect.any(String) });
    expect(new Date(debug.time).toISOString()).toBe(debug.time);
    // 9000-18300 raw counts of 0-27648 scaled to 0-150 °C, one decimal
    expect(debug.value).toBeGreaterThanOrEqual(48.8);
    expect(debug.value).toBeLessThanOrEqual(99.3);
    expect(debug.value).toBe(Math.round(debug.value * 10) / 10);

    const health = await fetch(`${listening['url']}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', uptime: expect.any(Number), nodes: 5 });

    const metrics = await fetch(`${listening['url']}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    for (const name of ['messages_in_total', 'messages_out_total', 'errors_total', 'dropped_total', 'queue_depth', 'processing_seconds_total']) {
      expect(text).toContain(`# HELP plantwire_node_${name} `);
      expect(text).toMatch(new RegExp(`^# TYPE plantwire_node_${name} (counter|gauge)$`, 'm'));
    }
    // the debug node has printed at least one message, so it has taken at least one in
    const printIn = /^plantwire_node_messages_in_total\{node="print",type="debug"\} (\d+)$/m.exec(text);
    expect(Number(printIn?.[1])).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^plantwire_node_messages_out_total\{node="tick",type="inject"\} \d+$/m);

    cli.child.kill('SIGTERM');
    const stopped = jsonLine(await cli.line('stderr', logged(/^stopped: /)))!;
    expect(stopped).toMatchObject({ signal: 'SIGTERM', drained: expect.any(Boolean), remaining: expect.any(Number) });
    expect(await cli.exited).toBe(0);
    // nothing but debug lines on stdout, nothing but JSON lines on stderr
    expect(cli.stdout.filter((l) => l !== '').every((l) => jsonLine(l)?.['node'] === 'print')).toBe(true);
    expect(cli.stderr.filter((l) => l !== '').every((l) => jsonLine(l) !== undefined)).toBe(true);
  });

  it('as `pnpm plantwire run`: a SIGTERM sent to pnpm reaches the runtime, which stops cleanly and exits 0', async () => {
    // The root script `exec`s node: with a shell in between, pnpm would relay the signal to the
    // shell only, and the runtime would run on as an orphan holding our pipes (this test would hang).
    const pnpm = process.env['PLANTWIRE_PNPM'] ?? 'pnpm';
    const cli = spawnCli(['run', 'examples/demo.flow.json'], { launcher: [pnpm, '--silent', 'plantwire'] });
    running.push(cli);
    // pnpm, then tsx compiling the sources: the slowest start of these tests on a busy machine.
    await cli.line('stdout', (l) => l.startsWith('{"node":"print"'), 40_000);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.stderr.some(logged(/^stopped: /))).toBe(true);
  }, 60_000);

  it('stops on SIGINT too, with exit 0', async () => {
    const cli = spawnCli(['run', 'examples/demo.flow.json', '--log-level', 'warn']);
    running.push(cli);
    await cli.line('stdout', (l) => l.startsWith('{"node":"print"'));
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    // --log-level warn hides the info lines
    expect(cli.stderr.filter((l) => logged('running')(l))).toEqual([]);
  });

  it('keeps running a flow with nothing scheduled until a signal, and honours --data-dir', async () => {
    const file = join(tmp, 'once.flow.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        nodes: [
          { id: 'once', type: 'inject', config: { once: true, onceDelayMs: 0, payload: { type: 'json', value: { big: [1, 2] } } } },
          { id: 'out', type: 'debug', config: {} },
        ],
        wires: [{ from: { node: 'once', port: 'out' }, to: { node: 'out', port: 'in' } }],
      }),
    );
    const cli = spawnCli(['run', file, '--data-dir', join(tmp, 'data')]);
    running.push(cli);
    expect(JSON.parse(await cli.line('stdout', (l) => l.startsWith('{')))).toMatchObject({ node: 'out', name: null, value: { big: [1, 2] } });
    // After the one message nothing is scheduled; the process must still be there for the signal.
    await cli.line('stderr', logged('running'));
    cli.child.kill('SIGTERM');
    await cli.line('stderr', logged(/^stopped: /));
    expect(await cli.exited).toBe(0);
  });

  it('exits 3 when the data directory cannot be created', async () => {
    const file = join(tmp, 'blocker');
    writeFileSync(file, 'a file, not a directory');
    const { code, stderr } = await runToExit(['run', 'examples/demo.flow.json', '--data-dir', join(file, 'data')]);
    expect(stderr.join('\n')).toMatch(/cannot use data directory .*blocker\/data/);
    expect(code).toBe(3);
  });

  it('refuses an invalid flow: every problem on stderr, nothing started, exit 1', async () => {
    const { code, stdout, stderr } = await runToExit(['run', 'examples/broken.flow.json']);
    expect(stderr.filter((l) => l.startsWith('examples/broken.flow.json:'))).toHaveLength(9);
    expect(stderr.some(logged(/invalid; nothing was started/))).toBe(true);
    expect(stdout).toEqual([]);
    expect(code).toBe(1);
  });

  it('exits 3 when the metrics port is taken, before deploying anything', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as { port: number }).port;
      const { code, stdout, stderr } = await runToExit(['run', 'examples/demo.flow.json', '--metrics-port', String(port)]);
      expect(stderr.join('\n')).toMatch(new RegExp(`cannot serve metrics on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
      expect(stdout).toEqual([]);
      expect(code).toBe(3);
    } finally {
      blocker.close();
    }
  });
});
