import { connectionRef, defineNode, NodeError, storeAndForwardConfig, type ConnectionClient, type Message } from '@plantwire/node-sdk';
import type { IClientPublishOptions } from 'mqtt';
import * as z from 'zod';
import { mqttBroker } from '../mqtt-broker/mqtt-broker.connection.js';
import { encodePayload } from '../shared/payload.js';
import { topicNameProblem } from '../shared/topic.js';

type PublishProperties = NonNullable<IClientPublishOptions['properties']>;

const configSchema = z.object({
  broker: connectionRef(mqttBroker, { title: 'Broker' }),
  topic: z
    .string()
    .optional()
    .superRefine((topic, ctx) => {
      const problem = topic === undefined || topic === '' ? undefined : topicNameProblem(topic);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({ title: 'Topic', topic: 'name', description: 'When set, it wins over msg.topic; when empty, msg.topic is used.', examples: ['plant/line1/temperature'] }),
  qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional().meta({ title: 'QoS', description: 'When set, it wins over msg.qos. Default (neither set): 0.' }),
  retain: z.boolean().optional().meta({ title: 'Retain', description: 'When set, it wins over msg.retain. Default (neither set): false.' }),
  contentType: z.string().optional().meta({ title: 'Content type (MQTT 5)', examples: ['application/json'] }),
  messageExpiryInterval: z.int().min(0).max(4294967295).optional().meta({ title: 'Message expiry (s, MQTT 5)', unit: 's' }),
  responseTopic: z
    .string()
    .optional()
    .superRefine((topic, ctx) => {
      const problem = topic === undefined ? undefined : topicNameProblem(topic);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({ title: 'Response topic (MQTT 5)', topic: 'name' }),
  correlationData: z.string().optional().meta({ title: 'Correlation data (MQTT 5)', description: 'Sent as UTF-8 bytes.' }),
  userProperties: z.record(z.string(), z.string()).optional().meta({ title: 'User properties (MQTT 5)', description: 'Merged with msg.properties.userProperties; these win on a clash.' }),
  buffer: storeAndForwardConfig({ enabled: true }),
});

type Config = z.output<typeof configSchema>;

/**
 * `mqtt-out`: publish each message. Topic, QoS and retain come from the node's config when set
 * there ("config wins"), else from `msg.topic`, `msg.qos`, `msg.retain` (defaults QoS 0, no retain).
 * The payload: Buffers raw, strings as UTF-8, objects and arrays as JSON, null/undefined empty, other
 * values with `String()`. MQTT 5 properties (contentType, messageExpiryInterval, responseTopic,
 * correlationData, userProperties) come from the config, else from `msg.properties`; on an MQTT
 * 3.1.1 connection they are not sent.
 *
 * `onInput` resolves when the broker acknowledged (PUBACK for QoS 1, PUBCOMP for QoS 2; written for
 * QoS 0), so a `complete` node fires on the acknowledgement. Up to 32 publishes are in flight at
 * once; the runtime keeps results in input order.
 *
 * Store-and-forward (`buffer`, on by default): while the broker connection is down, or when a
 * publish is cut mid-flight, the message goes to a queue on disk and `onInput` resolves once it is
 * written; the backlog is published in order when the connection is back, marked `historical`.
 * With `buffer.enabled: false` each such message is a NOT_CONNECTED error instead.
 */
export const mqttOut = defineNode({
  type: 'mqtt-out',
  version: 1,
  category: 'sink',
  summary: 'Publish messages to an MQTT broker; done when the broker acknowledged.',
  description: [
    'Publishes each message; a message is done when the broker acknowledged it (PUBACK for QoS 1, PUBCOMP for QoS 2, written for QoS 0).',
    '',
    '**Store and forward** (`buffer`, on by default): while the broker connection is down, or when a publish is cut mid-flight, the message is written to a queue on disk in the runtime\'s data directory and counts as done once written. When the connection is back the backlog is published in order, at most `buffer.replayRatePerSecond`, beside live messages, with `historical: true` and `bufferedAt`. Budget, overflow policy, age limit and flushing are in `buffer`; the badge and the metrics show the backlog. With `buffer.enabled: false` each message is a NOT_CONNECTED error while the connection is down. See [store and forward](../store-and-forward.md).',
  ].join('\n'),
  icon: 'broker',
  inputs: { in: 'Messages to publish (payload; topic, qos, retain, properties when the config leaves them open).' },
  config: configSchema,
  concurrency: 32,
  storeAndForward: (config) => config.buffer,
  async onInput(msg, ctx) {
    const { config } = ctx;
    const client = ctx.connection<ConnectionClient<typeof mqttBroker>>(config.broker).requireClient();
    const topic = config.topic ? config.topic : msg.topic;
    if (typeof topic !== 'string' || topic === '') {
      throw new NodeError('INPUT_INVALID', 'mqtt-out: no topic to publish to: the node\'s topic is empty and msg.topic is not a non-empty string', {
        details: { field: 'topic', connection: config.broker },
      });
    }
    const topicProblem = topicNameProblem(topic);
    if (topicProblem) throw new NodeError('INPUT_INVALID', `mqtt-out: msg.topic: ${topicProblem}`, { details: { field: 'topic', topic } });
    const qos = config.qos ?? qosOf(msg);
    const retain = config.retain ?? retainOf(msg);
    let payload: Buffer | string;
    try {
      payload = encodePayload(msg.payload);
    } catch (err) {
      throw new NodeError('ENCODE_FAILED', `mqtt-out: msg.payload for topic "${topic}" cannot be encoded as JSON: ${(err as Error).message}`, { cause: err });
    }
    const options: IClientPublishOptions = { qos, retain };
    if (client.protocolVersion === 5) {
      const properties = propertiesOf(config, msg);
      if (properties) options.properties = properties;
    }
    // The link closed a moment ago and the runtime has not been told yet: mqtt.js would keep the
    // publish for a reconnect of its own that never comes.
    if (!client.mqtt.connected) {
      throw new NodeError('NOT_CONNECTED', `mqtt-out: publishing to "${topic}" on connection "${config.broker}" failed: the connection closed`, {
        details: { topic, connection: config.broker, qos },
      });
    }
    try {
      await client.mqtt.publishAsync(topic, payload, options);
    } catch (err) {
      const e = err as Error & { code?: unknown };
      const refused = typeof e.code === 'number';
      throw new NodeError(
        refused ? 'PUBLISH_REFUSED' : 'NOT_CONNECTED',
        refused
          ? `mqtt-out: the broker refused the publish to "${topic}": ${e.message} (reason code ${String(e.code)})`
          : `mqtt-out: publishing to "${topic}" on connection "${config.broker}" failed: ${e.message}`,
        { cause: err, details: { topic, connection: config.broker, qos } },
      );
    }
    return undefined;
  },
});

function qosOf(msg: Message): 0 | 1 | 2 {
  const qos = msg['qos'];
  if (qos === undefined) return 0;
  if (qos === 0 || qos === 1 || qos === 2) return qos;
  throw new NodeError('INPUT_INVALID', `mqtt-out: msg.qos must be 0, 1 or 2, not ${JSON.stringify(qos)}`, { details: { field: 'qos' } });
}

function retainOf(msg: Message): boolean {
  const retain = msg['retain'];
  if (retain === undefined) return false;
  if (typeof retain === 'boolean') return retain;
  throw new NodeError('INPUT_INVALID', `mqtt-out: msg.retain must be a boolean, not ${JSON.stringify(retain)}`, { details: { field: 'retain' } });
}

/** The MQTT 5 publish properties: config fields win, msg.properties fills in (only the five a publisher may set). */
function propertiesOf(config: Config, msg: Message): PublishProperties | undefined {
  const fromMsg = (typeof msg['properties'] === 'object' && msg['properties'] !== null ? msg['properties'] : {}) as Record<string, unknown>;
  const properties: PublishProperties = {};
  const contentType = config.contentType ?? fromMsg['contentType'];
  if (typeof contentType === 'string') properties.contentType = contentType;
  const expiry = config.messageExpiryInterval ?? fromMsg['messageExpiryInterval'];
  if (typeof expiry === 'number' && Number.isInteger(expiry) && expiry >= 0) properties.messageExpiryInterval = expiry;
  const responseTopic = config.responseTopic ?? fromMsg['responseTopic'];
  if (typeof responseTopic === 'string' && topicNameProblem(responseTopic) === undefined) properties.responseTopic = responseTopic;
  const correlation = config.correlationData ?? fromMsg['correlationData'];
  if (typeof correlation === 'string') properties.correlationData = Buffer.from(correlation);
  else if (Buffer.isBuffer(correlation)) properties.correlationData = correlation;
  const msgUser = fromMsg['userProperties'];
  const user = { ...(typeof msgUser === 'object' && msgUser !== null ? (msgUser as Record<string, string | string[]>) : {}), ...config.userProperties };
  if (Object.keys(user).length !== 0) properties.userProperties = user;
  return Object.keys(properties).length === 0 ? undefined : properties;
}
