/**
 * The shared source/sink conformance suite for opcua-write → OPC UA server → opcua-subscribe,
 * against the simulated plant's server, with opcua-read wired after the write (write-then-read
 * acknowledgement: each value the server accepted is read back, in order).
 *
 * Delivery is `latest`, paced in lockstep: the server samples the Setpoint every 100 ms (its
 * minimumSamplingInterval), so a value overwritten within one sample is never seen by a
 * subscription; writing the next value only once the subscription reported the previous one makes
 * every value arrive, in order. The peer counts its own clients: the server's CurrentSessionCount,
 * read by an observer session. After a restart exactly one subscription must be live on the server.
 */
import { join } from 'node:path';
import type { Message, TagValue } from '@plantwire/node-sdk';
import { describeSourceSinkConformance, type TcpAddress } from '@plantwire/testing/conformance';
import { expect } from 'vitest';
import { opcuaConnections, opcuaNodes } from '../index.js';
import type { OpcuaEndpointClient } from '../opcua-endpoint/opcua-endpoint-client.js';
import { connectEndpoint, startOpcuaPlant } from '../opcua-test-support.js';

const SETPOINT = 'ns=1;s=Line1.Machine1.Setpoint';
/** Server_ServerDiagnostics_ServerDiagnosticsSummary_CurrentSessionCount and …CurrentSubscriptionCount (OPC UA Part 5). */
const CURRENT_SESSION_COUNT = 'ns=0;i=2277';
const CURRENT_SUBSCRIPTION_COUNT = 'ns=0;i=2285';
/** Values are seq / 4: exact in a Double, and within the Setpoint's 0…150 for the suite's few hundred values. */
const SCALE = 4;

let env: Awaited<ReturnType<typeof startOpcuaPlant>> | undefined;
/** A session of the test's own, subscribing to nothing: it reads what the server counts. */
let observer: OpcuaEndpointClient | undefined;

const runtimeDir = () => join(env!.dir, 'runtime');
// The observer shares the runtime connection's PKI folder: one client key pair generated, not two.
const connectObserver = async () => {
  observer = (await connectEndpoint({ endpointUrl: env!.plant.endpoints.opcua }, { dataDir: join(runtimeDir(), 'connections', 'plant-opcua') })).client;
};
const serverCount = async (nodeId: string): Promise<number> => Number((await observer!.read([nodeId]))[0]!.value.value);

const seqOf = (value: unknown) => (typeof value === 'number' && value > 0 ? Math.round(value * SCALE) : undefined);
const seqOfTag = (msg: Message) => {
  const tag = msg.payload as TagValue | undefined;
  return tag?.quality === 'good' ? seqOf(tag.value) : undefined;
};

describeSourceSinkConformance({
  name: 'opcua-write → simulated OPC UA server → opcua-subscribe (+ opcua-read)',
  nodeTypes: opcuaNodes,
  connectionTypes: opcuaConnections,
  // One data directory for every flow of the file: the client key pair is generated once.
  runOptions: () => ({ dataDir: runtimeDir() }),
  peer: {
    async start() {
      env = await startOpcuaPlant();
      // Below every value the suite writes (0 is the blank state, never a value of the suite).
      env.plant.write('Line1/Machine1/Setpoint', 0);
      await connectObserver();
      const url = new URL(env.plant.endpoints.opcua.replace(/^opc\.tcp:/, 'http:'));
      return { host: url.hostname, port: Number(url.port) };
    },
    async restart() {
      await env!.plant.faults.restart('opcua');
      // The observer's session died with the server too.
      await observer?.dispose();
      await connectObserver();
    },
    async stop() {
      await observer?.dispose();
      await env?.close();
    },
    // The observer's own session is not one of the flow's.
    clients: async () => (await serverCount(CURRENT_SESSION_COUNT)) - 1,
  },
  document: (address: TcpAddress) => ({
    version: 1,
    connections: [{ id: 'plant-opcua', type: 'opcua-endpoint', config: { endpointUrl: `opc.tcp://${address.host}:${address.port}/UA/Plant` } }],
    nodes: [
      { id: 'sink', type: 'opcua-write', config: { endpoint: 'plant-opcua', nodeId: SETPOINT } },
      { id: 'readback', type: 'opcua-read', config: { endpoint: 'plant-opcua', nodeIds: [SETPOINT] } },
      { id: 'source', type: 'opcua-subscribe', config: { endpoint: 'plant-opcua', publishingIntervalMs: 50, items: [{ nodeId: SETPOINT, name: 'setpoint', samplingIntervalMs: 100 }] } },
    ],
    wires: [{ from: { node: 'sink', port: 'out' }, to: { node: 'readback', port: 'in' } }],
  }),
  sink: 'sink',
  source: 'source',
  encode: (seq) => ({ payload: seq / SCALE }),
  decode: (msg) => (msg.topic === 'setpoint' ? seqOfTag(msg) : undefined),
  ackNode: 'readback',
  sinkAck: seqOfTag,
  delivery: 'latest',
  pace: 'lockstep',
  count: 15,
  malformed: {
    description: 'a value the server refuses (BadOutOfRange)',
    produce: ({ flow }) => void flow.inject('sink', { payload: 999 }),
    error: { nodeId: 'sink', code: 'WRITE_REFUSED', message: /refused to write 999 to "ns=1;s=Line1\.Machine1\.Setpoint": BadOutOfRange/ },
  },
  closeWithinMs: 2000,
  restart: {
    allowedErrorCodes: ['NOT_CONNECTED'],
    async check() {
      // Exactly one live subscription on the server: the new session's, none left from the old one and no duplicate.
      expect(await serverCount(CURRENT_SUBSCRIPTION_COUNT)).toBe(1);
    },
  },
  setupTimeoutMs: 60_000,
  caseTimeoutMs: 30_000,
});
