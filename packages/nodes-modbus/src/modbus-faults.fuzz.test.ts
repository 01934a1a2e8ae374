// Fuzz: modbus-read (poll) and modbus-write against a Modbus TCP server of our own that answers
// wrongly on purpose: short frames, wrong function codes, every exception code, wrong transaction
// and unit ids, wrong byte counts and lengths, garbage, silence, a close, a frame split across
// TCP writes. Every value read is either right with quality good or bad with a reason; every
// write is acknowledged or a node error naming the node and the problem; nothing crashes or
// hangs; after each fault the device behaves again and good values come back. The fault order and
// garbage come from a fixed seed (FUZZ_SEED overrides), printed in every assertion message.
import type { Message, TagValue } from '@plantwire/node-sdk';
import { runFlow, type FlowUnderTest } from '@plantwire/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modbusConnections, modbusNodes } from './index.js';
import { MISBEHAVIOURS, startMisbehavingServer, type MisbehavingServer, type Misbehaviour } from './misbehaving-modbus-server.js';

const seed = Number(process.env['FUZZ_SEED'] ?? 20261206);

let server: MisbehavingServer;
let flow: FlowUnderTest;

beforeAll(async () => {
  server = await startMisbehavingServer();
  flow = await runFlow(
    {
      version: 1,
      connections: [{ id: 'plc', type: 'modbus-device', config: { host: '127.0.0.1', port: server.port, unitId: 1, timeoutMs: 150 } }],
      nodes: [
        {
          id: 'read',
          type: 'modbus-read',
          config: {
            device: 'plc',
            intervalMs: 30,
            output: 'poll',
            tags: [
              { name: 'Holding', address: 5, type: 'uint16' },
              { name: 'Input', area: 'input', address: 7, type: 'uint16' },
              { name: 'Coil', area: 'coil', address: 4 },
            ],
          },
        },
        { id: 'write', type: 'modbus-write', config: { device: 'plc', tags: [{ name: 'Setpoint', address: 10, type: 'uint16' }] } },
      ],
      wires: [],
    },
    { nodeTypes: modbusNodes, connectionTypes: modbusConnections, connectionBackoff: { initialMs: 10, maxMs: 100 }, connectTimeoutMs: 1_000 },
  );
});
afterAll(async () => {
  await flow?.stop();
  await server?.close();
});

/** What a correct device answers (see misbehaving-modbus-server.ts). */
const RIGHT: Readonly<Record<string, unknown>> = { Holding: 5, Input: 1007, Coil: true };

function checkPoll(msg: Message, where: string): 'good' | 'bad' {
  const payload = msg.payload as Record<string, TagValue>;
  let allGood = true;
  for (const [name, right] of Object.entries(RIGHT)) {
    const value = payload[name];
    expect(value, `${where}: tag ${name} missing`).toBeDefined();
    if (value!.quality === 'good') expect(value!.value, `${where}: tag ${name} good but wrong`).toBe(right);
    else {
      allGood = false;
      expect(value!.quality, where).toBe('bad');
      // A reason a person can act on, never a library's internals (e.g. a Buffer offset error).
      expect(value!.reason, `${where}: tag ${name}`).toMatch(/^(timeout: |not connected \(|exception [0-9A-F]{2} \(|malformed answer: |unit \d+ (skipped|not polled): )/);
    }
  }
  return allGood ? 'good' : 'bad';
}

/** Polls emitted after `from`, checked, waiting until `enough` of them. */
async function pollsAfter(from: number, enough: (outcomes: Array<'good' | 'bad'>) => boolean, where: string): Promise<Array<'good' | 'bad'>> {
  let outcomes: Array<'good' | 'bad'> = [];
  let failure: unknown;
  await flow
    .waitFor(
      () => {
        try {
          outcomes = flow.sent('read').slice(from).map((m, i) => checkPoll(m, `${where}, poll ${i}`));
        } catch (err) {
          failure ??= err;
          return true;
        }
        return enough(outcomes);
      },
      { timeoutMs: 10_000 },
    )
    .catch((err: Error) => {
      const last = flow.sent('read').slice(from).slice(-2).map((m) => JSON.stringify(m.payload));
      throw new Error(`${where}: polls did not settle (${outcomes.join(',')}); last: ${last.join(' ')}; statuses: ${flow.statuses.slice(-2).map((st) => JSON.stringify(st)).join(' ')}`, { cause: err });
    });
  if (failure) throw failure;
  return outcomes;
}

/** Inject one write and wait for its outcome: acknowledged (sent) or a node error. */
async function write(value: number, where: string): Promise<'ok' | { code: string; message: string }> {
  const sent = flow.sent('write').length;
  const errors = flow.errors.filter((e) => e.nodeId === 'write').length;
  expect(flow.inject('write', { topic: 'Setpoint', payload: value }), where).toBe(true);
  await flow.waitFor(() => flow.sent('write').length > sent || flow.errors.filter((e) => e.nodeId === 'write').length > errors, { timeoutMs: 10_000 }).catch((err: Error) => {
    throw new Error(`${where}: the write neither succeeded nor failed within 10 s; metrics ${JSON.stringify(flow.metrics()['write'])}`, { cause: err });
  });
  if (flow.sent('write').length > sent) return 'ok';
  const error = flow.errors.filter((e) => e.nodeId === 'write').at(-1)!;
  return { code: error.code, message: error.message };
}

describe('Modbus nodes against a misbehaving device', () => {
  it('every fault gives bad values with a reason or a node error, and the device recovers after each', { timeout: 100_000 }, async () => {
    await pollsAfter(0, (o) => o.includes('good'), `seed ${seed}, start`);
    // Every misbehaviour once in a seeded order, then seeded extra rounds with random garbage.
    const [order, extra] = fc.sample(
      fc.tuple(fc.shuffledSubarray([...MISBEHAVIOURS], { minLength: MISBEHAVIOURS.length }), fc.array(fc.tuple(fc.constantFrom(...MISBEHAVIOURS), fc.uint8Array({ minLength: 1, maxLength: 40 })), { minLength: 6, maxLength: 6 })),
      { seed, numRuns: 1 },
    )[0]!;
    // The ordered rounds' garbage is a header promising more bytes than follow: before the fix in
    // ModbusDeviceClient it left the connection timing out forever (a regression case for any seed).
    const rounds: Array<[Misbehaviour, Uint8Array]> = [...order.map((m): [Misbehaviour, Uint8Array] => [m, Uint8Array.from([0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x01, 0x03])]), ...extra];

    for (const [round, [mode, garbage]] of rounds.entries()) {
      const where = `seed ${seed}, round ${round} (${mode})`;
      server.garbage = Buffer.from(garbage);
      server.mode = mode;
      const from = flow.sent('read').length;
      const outcomes = await pollsAfter(from, (o) => o.length >= 3, where);
      if (mode === 'split') expect(outcomes.at(-1), `${where}: a split frame is still a good answer`).toBe('good');
      else if (mode !== 'wrong-unit') expect(outcomes.at(-1), `${where}: a fault must not read as good`).toBe('bad');

      const result = await write(round, where);
      if (mode === 'split') expect(result, where).toBe('ok');
      else if (result !== 'ok') {
        expect(['DEVICE_EXCEPTION', 'TIMEOUT', 'NOT_CONNECTED', 'NODE_FAILED'], `${where}: ${result.message}`).toContain(result.code);
        // The error event carries the node id; the message names the device, the tag and the cause
        // (or, while the link is down, the connection and why it went).
        expect(result.message, where).toMatch(/^(writing modbus-device "plc" \(127\.0\.0\.1:\d+\) unit 1, tag "Setpoint" \(holding 10\) failed: .+|connection "plc" \(modbus-device\) is not connected: .+)/);
      }

      server.mode = 'good';
      const back = flow.sent('read').length;
      await pollsAfter(back, (o) => o.at(-1) === 'good', `${where}, recovering`);
      expect(await write(1000 + round, `${where}, recovering`), `${where}: a write after recovery`).toBe('ok');
    }
  });
});
