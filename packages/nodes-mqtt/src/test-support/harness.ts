/** Shared pieces of this package's tests: node types, a document builder, an outside MQTT client. */
import { connectionRef, defineNode, type AnyNodeType, type ConnectionClient } from '@plantwire/node-sdk';
import { runFlow, type FlowUnderTest } from '@plantwire/testing';
import type { ConnectionEvent } from '@plantwire/runtime';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import * as z from 'zod';
import { mqttConnections, mqttNodes, mqttBroker } from '../index.js';
import type { MqttBrokerClient } from '../mqtt-broker/mqtt-broker-client.js';

/** Every client a `broker-probe` node saw connect, by connection id, in order. */
export const probedClients = new Map<string, MqttBrokerClient[]>();

/** A node that only watches a connection: the tests' way to reach the shared client. */
export const brokerProbe = defineNode({
  type: 'broker-probe',
  version: 1,
  category: 'source',
  summary: 'Records every client of a connection (tests only).',
  outputs: { out: 'Nothing.' },
  config: z.object({ broker: connectionRef(mqttBroker) }),
  setup(ctx) {
    ctx.connection<ConnectionClient<typeof mqttBroker>>(ctx.config.broker).onConnected((client) => {
      const list = probedClients.get(ctx.config.broker) ?? [];
      list.push(client);
      probedClients.set(ctx.config.broker, list);
    });
  },
});

/** Node types for the tests' flows: the MQTT nodes, the probe, and any extra. */
export function nodeTypes(...extra: AnyNodeType[]): AnyNodeType[] {
  return [...mqttNodes, brokerProbe, ...extra];
}

type NodeSpec = { id: string; type: string; config?: Record<string, unknown>; queue?: { capacity?: number; overflow?: string } };

/** A flow document with the given connections, nodes and `[from, to]` wires (ports out → in). */
export function flowDoc(connections: Array<{ id: string; config: Record<string, unknown> }>, nodes: NodeSpec[], wires: Array<[string, string]> = []) {
  return {
    version: 1,
    connections: connections.map((c) => ({ id: c.id, type: 'mqtt-broker', config: c.config })),
    nodes,
    wires: wires.map(([from, to]) => ({ from: { node: from, port: 'out' }, to: { node: to, port: 'in' } })),
  };
}

/** Run a document with the MQTT connection types and a short reconnect backoff; records `connection` events. */
export async function run(
  document: unknown,
  options: { extra?: AnyNodeType[]; credentials?: Record<string, Record<string, unknown>>; dataDir?: string } = {},
): Promise<FlowUnderTest & { connectionEvents: ConnectionEvent[] }> {
  const flow = await runFlow(document, {
    nodeTypes: nodeTypes(...(options.extra ?? [])),
    connectionTypes: mqttConnections,
    connectionBackoff: { initialMs: 20, maxMs: 200 },
    connectTimeoutMs: 3000,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  const connectionEvents: ConnectionEvent[] = [...flow.runtime.connections()];
  flow.runtime.on('connection', (e) => connectionEvents.push(e));
  return Object.assign(flow, { connectionEvents });
}

/** Wait until every connection of the flow is connected. */
export function whenAllConnected(flow: FlowUnderTest, timeoutMs = 5000): Promise<void> {
  return flow.waitFor(() => flow.runtime.connections().every((c) => c.state === 'connected'), { timeoutMs });
}

/** An outside MQTT client (publisher or subscriber), with mqtt.js's own reconnect off. */
export function outsideClient(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  return connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, ...options });
}

/** Collect what `client` receives on `filter` (subscribed before this resolves). */
export async function collect(client: MqttClient, filter: string): Promise<Array<{ topic: string; payload: string; retain: boolean; properties: unknown }>> {
  const got: Array<{ topic: string; payload: string; retain: boolean; properties: unknown }> = [];
  client.on('message', (topic, payload, packet) => got.push({ topic, payload: payload.toString(), retain: packet.retain, properties: packet.properties }));
  await client.subscribeAsync(filter, { qos: 1 });
  return got;
}

/** The latest client a probe saw for `connectionId`. */
export function latestClient(connectionId: string): MqttBrokerClient | undefined {
  return probedClients.get(connectionId)?.at(-1);
}

/** Resolve once the latest client of `connectionId` holds a granted subscription of `filter` (polled; the broker's SUBACK has no runtime event). */
export async function whenSubscribed(connectionId: string, filter: string, timeoutMs = 5000): Promise<MqttBrokerClient> {
  const { vi } = await import('vitest');
  return vi.waitFor(
    () => {
      const client = latestClient(connectionId);
      if (!client?.isSubscribed(filter) || !client.mqtt.connected) throw new Error(`no granted subscription of "${filter}" on connection "${connectionId}" yet`);
      return client;
    },
    { timeout: timeoutMs, interval: 10 },
  );
}
