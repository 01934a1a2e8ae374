import { connectionRef, defineNode, NodeError, type ConnectionClient, type DeliveryOutcome, type MessageInit } from '@plantwire/node-sdk';
import type { IClientSubscribeOptions, IPublishPacket } from 'mqtt';
import * as z from 'zod';
import { mqttBroker } from '../mqtt-broker/mqtt-broker.connection.js';
import type { MqttBrokerClient } from '../mqtt-broker/mqtt-broker-client.js';
import { decodePayload } from '../shared/payload.js';
import { parseFilter, topicFilterProblem, topicMatches } from '../shared/topic.js';

const configSchema = z.object({
  broker: connectionRef(mqttBroker, { title: 'Broker' }),
  topic: z
    .string()
    .superRefine((filter, ctx) => {
      const problem = topicFilterProblem(filter);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({
      title: 'Topic filter',
      topic: 'filter',
      description: '"+" matches one level, "#" the rest. "$share/<group>/<filter>" shares the load with other subscribers of the group (MQTT 5 brokers; mosquitto also for 3.1.1).',
      examples: ['plant/+/temperature', 'plant/#', '$share/edge/plant/#'],
    }),
  qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1).meta({ title: 'QoS', description: 'The maximum QoS the broker delivers with. QoS 1 and 2 lose nothing under backpressure.' }),
  payloadFormat: z
    .enum(['auto', 'json', 'text', 'bytes'])
    .default('auto')
    .meta({ title: 'Payload', description: 'auto: JSON if it parses, else text. json: a payload that is not JSON is a DECODE_FAILED error. text: UTF-8. bytes: a Buffer.' }),
  ignoreRetained: z.boolean().default(false).meta({ title: 'Ignore retained', description: 'Drop messages the broker replays from its retained store (msg.retain true).' }),
  retainHandling: z
    .union([z.literal(0), z.literal(1), z.literal(2)])
    .default(0)
    .meta({ title: 'Retain handling (MQTT 5)', description: '0: send retained messages on every subscribe; 1: only on a new subscription; 2: never.' }),
  acknowledge: z
    .enum(['after-delivery', 'on-receipt'])
    .default('after-delivery')
    .meta({
      title: 'Acknowledge',
      description:
        'When a QoS 1 message is acknowledged (PUBACK) to the broker. after-delivery: once the flow has handled it (every branch finished, or a store-and-forward sink has it on disk), so a crash or restart before that gets it redelivered (at least once, with "Clean start" off on the connection). on-receipt: as soon as it is read (faster, lost if the runtime stops before handling it). QoS 2 is acknowledged on receipt by the MQTT library in both cases.',
    }),
});

/** A message waiting to be emitted again, with the acknowledgement it settles (none for QoS 0, 2 or on-receipt). */
interface Refused {
  readonly msg: MessageInit;
  readonly settle: ((outcome: DeliveryOutcome) => void) | undefined;
}

interface State {
  /** Identity of this node towards the shared client (its holds and subscriptions). */
  readonly owner: object;
  client: MqttBrokerClient | undefined;
  listener: ((topic: string, payload: Buffer, packet: IPublishPacket) => void) | undefined;
  /** Messages refused by `emit`, emitted again in order once the flow drains. */
  readonly refused: Refused[];
}

/**
 * `mqtt-in`: one message per MQTT publish on a topic filter, `{topic, payload, qos, retain,
 * properties?}` (`properties` only for MQTT 5 publishes that carry some: userProperties,
 * contentType, responseTopic, correlationData, messageExpiryInterval…).
 *
 * Subscribes in `onConnected`, so it resubscribes after every reconnect. Under backpressure (the
 * flow cannot keep up: `emit` refuses) it holds the connection's read gate: mqtt.js stops reading and
 * acknowledging, and the broker and TCP hold the rest, so memory stays bounded and, at QoS 1 and 2,
 * nothing is lost; the refused message is emitted again when the flow drains. A payload that is not
 * valid for `payloadFormat: json` is a DECODE_FAILED error naming the topic; the flow keeps running.
 *
 * With `acknowledge: after-delivery` (default) a QoS 1 message is emitted tracked, and its PUBACK
 * is kept back by the shared client until the runtime reports it settled (see
 * docs/delivery-guarantees.md): at-least-once from the broker through the flow.
 */
export const mqttIn = defineNode({
  type: 'mqtt-in',
  version: 1,
  category: 'source',
  summary: 'Subscribe to an MQTT topic filter; one message per publish.',
  icon: 'broker',
  outputs: { out: 'One message per publish: {topic, payload, qos, retain, properties?}.' },
  config: configSchema,
  setup(ctx): State {
    const { config } = ctx;
    const state: State = { owner: {}, client: undefined, listener: undefined, refused: [] };
    const { filter } = parseFilter(config.topic);
    const broker = ctx.connection<ConnectionClient<typeof mqttBroker>>(config.broker);
    // Refused messages, emitted again in order once the flow drains (at most one per hold in practice).
    const refused = state.refused;
    const emit = (r: Refused): boolean => (r.settle === undefined ? ctx.emit(r.msg) : ctx.emit(r.msg, undefined, r.settle));

    const flush = (): void => {
      while (refused.length !== 0) {
        if (!emit(refused[0]!)) {
          ctx.onDrain(flush);
          return;
        }
        refused.shift();
      }
      state.client?.release(state.owner);
    };

    const onMessage = (client: MqttBrokerClient) => (topic: string, bytes: Buffer, packet: IPublishPacket) => {
      if (!topicMatches(filter, topic)) return;
      if (config.ignoreRetained && packet.retain) return;
      const decoded = decodePayload(bytes, config.payloadFormat);
      if (!decoded.ok) {
        ctx.error(
          new NodeError('DECODE_FAILED', `mqtt-in: the payload on topic "${topic}" is not valid JSON (${decoded.reason}); the message was dropped`, {
            details: { topic, connection: config.broker, bytes: bytes.length },
          }),
        );
        return;
      }
      const msg: MessageInit = {
        topic,
        payload: decoded.value,
        qos: packet.qos,
        retain: packet.retain,
        ...(packet.properties && Object.keys(packet.properties).length !== 0 ? { properties: packet.properties } : {}),
      };
      // Taken now, while mqtt.js emits the packet: its PUBACK waits for the flow from here on.
      const pending: Refused = { msg, settle: config.acknowledge === 'after-delivery' ? client.take(packet) : undefined };
      if (refused.length !== 0) {
        // Still behind (e.g. a reconnect brought a new client while refused messages wait): keep
        // order, and hold this client too so the backlog cannot grow.
        refused.push(pending);
        client.hold(state.owner);
        return;
      }
      if (!emit(pending)) {
        // mqtt.js calls handleMessage for this packet right after this listener returns: holding
        // the gate now keeps its acknowledgement and every later packet unread until the drain.
        refused.push(pending);
        client.hold(state.owner);
        ctx.onDrain(flush);
      }
    };

    broker.onConnected(async (client) => {
      if (state.client && state.listener) state.client.mqtt.off('message', state.listener);
      state.client = client;
      state.listener = onMessage(client);
      client.mqtt.on('message', state.listener);
      const options: IClientSubscribeOptions = { qos: config.qos };
      if (client.protocolVersion === 5) options.rh = config.ignoreRetained ? 2 : config.retainHandling;
      let grant;
      try {
        grant = await client.subscribe(config.topic, options, state.owner);
      } catch (err) {
        throw new NodeError('SUBSCRIBE_REFUSED', `mqtt-in: subscribing to "${config.topic}" on connection "${config.broker}" failed: ${(err as Error).message}`, {
          cause: err,
          details: { topic: config.topic, connection: config.broker },
        });
      }
      if (grant && grant.qos >= 128) {
        throw new NodeError('SUBSCRIBE_REFUSED', `mqtt-in: the broker refused the subscription to "${config.topic}" on connection "${config.broker}" (reason code ${grant.qos})`, {
          details: { topic: config.topic, connection: config.broker, reasonCode: grant.qos },
        });
      }
    });
    return state;
  },
  close(ctx, state) {
    // Never emitted: not acknowledged on this connection, so the broker redelivers them after a reconnect (persistent session).
    for (const r of state.refused.splice(0)) r.settle?.('dropped');
    const client = state.client;
    if (!client) return;
    if (state.listener) client.mqtt.off('message', state.listener);
    client.release(state.owner);
    client.unsubscribe(ctx.config.topic, state.owner);
  },
});
