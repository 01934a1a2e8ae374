/**
 * The shared source/sink conformance suite for modbus-write → device → modbus-read, against the
 * simulated plant's PLC and a pymodbus 3.0 TCP server process.
 *
 * Delivery is `latest`: modbus-read polls (every 20 ms, `changes` output), so values written
 * between two polls are overwritten on the device before anyone reads them. What the source reports
 * must be strictly increasing and end with the last value written; that no write was lost is proven
 * by the sink, which passes each message on only once the device acknowledged it (all N, in order).
 */
import { fileURLToPath } from 'node:url';
import type { Message, TagValue } from '@plantwire/node-sdk';
import { startPlant, type Plant } from '@plantwire/sim';
import { describeSourceSinkConformance, type ConformancePeer, type SourceSinkConformanceSpec, type TcpAddress } from '@plantwire/testing/conformance';
import { modbusConnections, modbusNodes } from '../index.js';
import { startPymodbusServer, type PymodbusServer } from '../test-support.js';

/** How a device stores the value: the tag both nodes use, a tag the device refuses writes to, and how `seq` maps to a value. */
interface DeviceProfile {
  readonly setpoint: Record<string, unknown>;
  readonly refused: Record<string, unknown>;
  readonly wordOrder: 'ABCD' | 'CDAB';
  /** The value written for `seq` (exact in the tag's type). */
  readonly scale: number;
  readonly refusedMessage: RegExp;
}

function modbusSpec(name: string, peer: ConformancePeer, profile: DeviceProfile): SourceSinkConformanceSpec {
  const valueOf = (seq: number) => seq / profile.scale;
  // 0 is a device's blank state (pymodbus forgets its registers on a restart; the PLC starts at
  // the 0 written below), never a value of the suite: its values start at 1.
  const seqOf = (value: unknown) => (typeof value === 'number' && value > 0 ? Math.round(value * profile.scale) : undefined);
  return {
    name,
    nodeTypes: modbusNodes,
    connectionTypes: modbusConnections,
    peer,
    document: (address: TcpAddress) => ({
      version: 1,
      connections: [{ id: 'plc', type: 'modbus-device', config: { host: address.host, port: address.port, unitId: 1, timeoutMs: 500, wordOrder: profile.wordOrder } }],
      nodes: [
        { id: 'sink', type: 'modbus-write', config: { device: 'plc', tags: [{ name: 'Setpoint', ...profile.setpoint }, { name: 'Locked', ...profile.refused }] } },
        { id: 'source', type: 'modbus-read', config: { device: 'plc', intervalMs: 20, output: 'changes', tags: [{ name: 'Setpoint', ...profile.setpoint }] } },
      ],
      wires: [],
    }),
    sink: 'sink',
    source: 'source',
    encode: (seq) => ({ topic: 'Setpoint', payload: valueOf(seq) }),
    // A bad-quality sample (link down) carries no value of the test.
    decode: (msg: Message) => {
      const tag = msg.payload as TagValue | undefined;
      return msg.topic === 'Setpoint' && tag?.quality === 'good' ? seqOf(tag.value) : undefined;
    },
    sinkAck: (msg: Message) => (msg.topic === 'Setpoint' ? seqOf(msg.payload) : undefined),
    delivery: 'latest',
    count: 100,
    malformed: {
      description: 'a write the device answers with exception 2',
      produce: ({ flow }) => void flow.inject('sink', { topic: 'Locked', payload: 1 }),
      error: { nodeId: 'sink', code: 'DEVICE_EXCEPTION', message: profile.refusedMessage },
    },
    closeWithinMs: 2000,
    restart: { allowedErrorCodes: ['NOT_CONNECTED'] },
  };
}

let plant: Plant | undefined;
describeSourceSinkConformance(
  modbusSpec(
    'modbus-write → simulated PLC → modbus-read',
    {
      async start() {
        plant = await startPlant({ ports: { modbus: 0 }, servers: ['modbus'] });
        // Below every value the suite writes, so a value left from before is never taken for a new one.
        plant.write('Line1/Machine1/Setpoint', 0);
        return { host: plant.endpoints.modbus.host, port: plant.endpoints.modbus.port };
      },
      restart: () => plant!.faults.restart('modbus'),
      stop: async () => plant?.stop(),
    },
    {
      // Line1/Machine1/Setpoint (float32 CDAB, 0…150); Temperature is read-only: exception 2.
      setpoint: { address: 10, type: 'float32' },
      refused: { address: 0, type: 'float32' },
      wordOrder: 'CDAB',
      scale: 8,
      refusedMessage: /unit 1, tag "Locked" \(holding 0–1\) failed: .*exception 02 \(illegal data address\)/,
    },
  ),
);

let pymodbus: PymodbusServer | undefined;
describeSourceSinkConformance(
  modbusSpec(
    'modbus-write → pymodbus TCP server → modbus-read',
    {
      async start() {
        pymodbus = await startPymodbusServer(fileURLToPath(new URL('./pymodbus-conformance-server.py', import.meta.url)));
        return { host: '127.0.0.1', port: pymodbus.port };
      },
      restart: () => pymodbus!.restart(),
      stop: async () => pymodbus?.stop(),
    },
    {
      // The server has 100 registers per table: address 500 answers exception 2.
      setpoint: { address: 10, type: 'uint16' },
      refused: { address: 500, type: 'uint16' },
      wordOrder: 'ABCD',
      scale: 1,
      refusedMessage: /unit 1, tag "Locked" \(holding 500\) failed: .*exception 02 \(illegal data address\)/,
    },
  ),
);
