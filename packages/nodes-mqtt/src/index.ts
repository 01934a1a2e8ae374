import type { AnyConnectionType, AnyNodeType } from '@plantwire/node-sdk';
import { mqttBroker } from './mqtt-broker/mqtt-broker.connection.js';
import { mqttIn } from './mqtt-in/mqtt-in.node.js';
import { mqttOut } from './mqtt-out/mqtt-out.node.js';

export { mqttBroker, mqttIn, mqttOut };
export { MqttBrokerClient } from './mqtt-broker/mqtt-broker-client.js';
export type { MqttBrokerConfig } from './mqtt-broker/mqtt-broker.connection.js';
export { decodePayload, encodePayload, type Decoded, type PayloadFormat } from './shared/payload.js';
export { parseFilter, topicFilterProblem, topicMatches, topicNameProblem, type ParsedFilter } from './shared/topic.js';

/** The MQTT node types, for handing to a runtime, the CLI and the docs generator. */
export const mqttNodes: readonly AnyNodeType[] = [mqttIn, mqttOut];

/** The MQTT connection types (`mqtt-broker`). */
export const mqttConnections: readonly AnyConnectionType[] = [mqttBroker];
