import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import ModbusRTU from 'modbus-serial';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { jsonLine, killStillRunning, runToExit, spawnCli, type CliProcess } from './spawn-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'plantwire-sim-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const running: CliProcess[] = [];
afterEach(() => killStillRunning(running));

const logged = (message: string) => (line: string) => jsonLine(line)?.['message'] === message;

describe('plantwire sim', () => {
  it('starts the plant on free ports, prints the endpoints, serves MQTT and Modbus, stops on SIGTERM with exit 0', async () => {
    const cli = spawnCli(['sim', '--mqtt-port', '0', '--modbus-port', '0', '--opcua-port', '0', '--data-dir', join(tmp, 'data')]);
    running.push(cli);

    const ready = jsonLine(await cli.line('stderr', logged('plant running'), 30_000))!;
    const endpoints = ready['endpoints'] as { mqtt: string; modbus: { host: string; port: number; unitIds: number[] }; opcua: string };
    expect(endpoints.mqtt).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.modbus).toMatchObject({ host: '127.0.0.1', port: expect.any(Number), unitIds: [1, 2] });
    expect(endpoints.opcua).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+\/UA\/Plant$/);
    // The readable block names every endpoint, where the register map is, and the OPC UA node ids.
    await cli.line('stdout', (l) => l.startsWith('Stop with Ctrl-C'));
    const block = cli.stdout.join('\n');
    expect(block).toContain(`MQTT    ${endpoints.mqtt}`);
    expect(block).toContain(`Modbus  127.0.0.1:${endpoints.modbus.port}   unit ids 1, 2`);
    expect(block).toContain('register map: packages/sim/README.md#modbus-tcp-register-map-default-scenario');
    expect(block).toContain(`OPC UA  ${endpoints.opcua}`);
    expect(block).toContain('ns=1;s=Line1.Machine1.Temperature');

    // The servers are real: the meter publishes over MQTT, the PLC answers Modbus reads.
    const mqtt = await connectAsync(endpoints.mqtt, { protocolVersion: 4, reconnectPeriod: 0 });
    try {
      const message = new Promise<{ topic: string; payload: string }>((resolve) => mqtt.once('message', (topic, payload) => resolve({ topic, payload: payload.toString() })));
      await mqtt.subscribeAsync('springfield/#');
      const { topic, payload } = await message;
      expect(topic).toMatch(/^springfield\/packaging\/line1\/meter1\//);
      expect(JSON.parse(payload)).toMatchObject({ value: expect.any(Number) });
    } finally {
      await mqtt.endAsync();
    }
    const modbus = new ModbusRTU();
    try {
      await modbus.connectTCP(endpoints.modbus.host, { port: endpoints.modbus.port });
      modbus.setID(1);
      modbus.setTimeout(2_000);
      const setpoint = await modbus.readHoldingRegisters(10, 2); // float32 CDAB, initial 70
      const bytes = Buffer.alloc(4);
      bytes.writeUInt16BE(setpoint.data[1]!, 0);
      bytes.writeUInt16BE(setpoint.data[0]!, 2);
      expect(bytes.readFloatBE(0)).toBe(70);
    } finally {
      await new Promise<void>((resolve) => modbus.close(() => resolve()));
    }

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.stderr.some(logged('stopped'))).toBe(true);
  }, 40_000);

  it('exits 3 naming the port when the MQTT port is taken, and leaves nothing running', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const { code, stderr } = await runToExit(['sim', '--mqtt-port', String(taken), '--modbus-port', '0', '--opcua-port', '0']);
      expect(stderr.join('\n')).toContain(`plantwire: cannot start the simulated plant: MQTT broker could not listen on 127.0.0.1:${taken}`);
      expect(stderr.join('\n')).toContain('EADDRINUSE');
      expect(code).toBe(3);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 20_000);

  it('rejects a bad port number as a usage error (exit 2) and documents its options in --help', async () => {
    const { code, stderr } = await runToExit(['sim', '--opcua-port', '70000']);
    expect(stderr[0]).toBe('plantwire: usage: --opcua-port must be a port number 0-65535, got "70000"');
    expect(code).toBe(2);
    const help = await runToExit(['sim', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout[0]).toBe('Usage: plantwire sim [options]');
    for (const option of ['--scenario FILE', '--mqtt-port N', '--modbus-port N', '--opcua-port N', '--data-dir DIR']) expect(help.stdout.join('\n')).toContain(option);
  });
});
