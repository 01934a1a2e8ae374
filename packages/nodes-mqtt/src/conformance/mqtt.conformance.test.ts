/**
 * The shared source/sink conformance suite for mqtt-out → broker → mqtt-in, against the simulated
 * plant's broker (aedes) and Debian's mosquitto. Delivery is `every`: QoS 1 on one topic from one
 * publisher keeps order, so each of the N values arrives exactly once, in order.
 */
import type { Message } from '@plantwire/node-sdk';
import { startPlant, type Plant } from '@plantwire/sim';
import { describeSourceSinkConformance, type ConformanceContext, type ConformancePeer, type TcpAddress } from '@plantwire/testing/conformance';
import { mqttConnections, mqttNodes } from '../index.js';
import { outsideClient } from '../test-support/harness.js';
import { startMosquitto, type Mosquitto } from '../test-support/mosquitto.js';

const TOPIC = 'conformance/values';

/** mqtt-out and mqtt-in on two connection entries (a reader holding its read gate must not stall the writer). */
function document(address: TcpAddress) {
  const url = `mqtt://${address.host}:${address.port}`;
  return {
    version: 1,
    connections: [
      { id: 'writer', type: 'mqtt-broker', config: { url } },
      { id: 'reader', type: 'mqtt-broker', config: { url } },
    ],
    nodes: [
      // The suite checks the plain contract (a value the sink cannot write is an error, never sent
      // later); store-and-forward replays such values, and is tested in mqtt-out.store-forward.test.ts.
      { id: 'sink', type: 'mqtt-out', config: { broker: 'writer', topic: TOPIC, qos: 1, buffer: { enabled: false } } },
      { id: 'source', type: 'mqtt-in', config: { broker: 'reader', topic: TOPIC, qos: 1, payloadFormat: 'json' } },
    ],
    wires: [],
  };
}

const decode = (msg: Message): number | undefined => (msg.topic === TOPIC && typeof msg.payload === 'number' ? msg.payload : undefined);

/** A device publishing text that is not JSON on the source's topic. */
async function publishGarbage(ctx: ConformanceContext): Promise<void> {
  const device = await outsideClient(`mqtt://${ctx.peerAddress.host}:${ctx.peerAddress.port}`);
  try {
    await device.publishAsync(TOPIC, '{"value": 4', { qos: 1 });
  } finally {
    await device.endAsync();
  }
}

function mqttSpec(name: string, peer: ConformancePeer) {
  return {
    name,
    nodeTypes: mqttNodes,
    connectionTypes: mqttConnections,
    peer,
    document,
    sink: 'sink',
    source: 'source',
    encode: (seq: number) => ({ payload: seq }),
    decode,
    delivery: 'every' as const,
    count: 200,
    malformed: {
      description: 'a publish that is not JSON on a json topic',
      produce: publishGarbage,
      error: { nodeId: 'source', code: 'DECODE_FAILED', message: /topic "conformance\/values" is not valid JSON/ },
    },
    closeWithinMs: 2000,
  };
}

let plant: Plant | undefined;
describeSourceSinkConformance(
  mqttSpec('mqtt-out → aedes (simulated plant) → mqtt-in', {
    async start() {
      plant = await startPlant({ ports: { mqtt: 0 }, servers: ['mqtt'] });
      const url = new URL(plant.endpoints.mqtt);
      return { host: url.hostname, port: Number(url.port) };
    },
    restart: () => plant!.faults.restart('mqtt'),
    stop: async () => plant?.stop(),
  }),
);

let mosquitto: Mosquitto | undefined;
describeSourceSinkConformance(
  mqttSpec('mqtt-out → mosquitto → mqtt-in', {
    async start() {
      mosquitto = await startMosquitto();
      return { host: '127.0.0.1', port: mosquitto.port };
    },
    restart: () => mosquitto!.restart(),
    stop: async () => mosquitto?.stop(),
  }),
);
