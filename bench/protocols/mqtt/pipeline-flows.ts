/**
 * The pipeline `mqtt-in → json → change → switch → mqtt-out` as each system's own flow file. Both
 * read text from `bench/in/+` at QoS 0, parse it, set `payload.stage`, pass `payload.value ≥ 0`
 * (every message the load client sends) and publish the object as JSON to `bench/out` at QoS 0.
 */

export const IN_FILTER = 'bench/in/+';
export const PUBLISH_TOPIC = 'bench/in/1';
export const OUT_TOPIC = 'bench/out';

/** Variants of the Plantwire pipeline (the store-and-forward benchmark's durability cost). */
export interface PipelineOptions {
  /** QoS of mqtt-in's subscription and mqtt-out's publishes (default 0). */
  readonly qos?: 0 | 1;
  /** mqtt-out's store-and-forward buffer on or off (default: the node's default). */
  readonly buffer?: boolean;
  /** When mqtt-in acknowledges a QoS 1 message (default: the node's default). */
  readonly acknowledge?: 'after-delivery' | 'on-receipt';
}

/**
 * A Plantwire flow document. Two connection entries to the same broker: mqtt-in's backpressure
 * holds its connection's read gate, which would also hold the acknowledgements of publishes on
 * that connection (see MqttBrokerClient), so reading and publishing use one each.
 */
export function plantwireDocument(options: PipelineOptions = {}): unknown {
  const qos = options.qos ?? 0;
  // At QoS 0 the benchmark's document stays as it always was; the durability variants add settings.
  const inExtra = options.acknowledge ? { acknowledge: options.acknowledge } : {};
  const outExtra = options.buffer === undefined ? {} : { buffer: { enabled: options.buffer } };
  return {
    version: 1,
    name: 'bench: mqtt-in → json → change → switch → mqtt-out',
    connections: [
      { id: 'bench-in', type: 'mqtt-broker', config: { url: '${BENCH_MQTT_URL}', clientId: 'plantwire-bench-in', keepalive: 60 } },
      { id: 'bench-out', type: 'mqtt-broker', config: { url: '${BENCH_MQTT_URL}', clientId: 'plantwire-bench-out', keepalive: 60 } },
    ],
    nodes: [
      { id: 'in', type: 'mqtt-in', config: { broker: 'bench-in', topic: IN_FILTER, qos, payloadFormat: 'text', ...inExtra } },
      { id: 'parse', type: 'json', config: { action: 'parse' } },
      { id: 'stamp', type: 'change', config: { rules: [{ op: 'set', path: 'payload.stage', value: 'pipeline' }] } },
      { id: 'route', type: 'switch', config: { property: 'payload.value', rules: [{ op: 'gte', value: 0, port: 'case1' }] } },
      { id: 'out', type: 'mqtt-out', config: { broker: 'bench-out', topic: OUT_TOPIC, qos, retain: false, ...outExtra } },
    ],
    wires: [
      { from: { node: 'in', port: 'out' }, to: { node: 'parse', port: 'in' } },
      { from: { node: 'parse', port: 'out' }, to: { node: 'stamp', port: 'in' } },
      { from: { node: 'stamp', port: 'out' }, to: { node: 'route', port: 'in' } },
      { from: { node: 'route', port: 'case1' }, to: { node: 'out', port: 'in' } },
    ],
  };
}

/** The same pipeline as a Node-RED 5 flows.json, with one mqtt-broker config node (Node-RED's usual shape). */
export function nodeRedFlows(port: number): unknown[] {
  return [
    { id: 'bench-tab', type: 'tab', label: 'bench', disabled: false },
    {
      id: 'bench-broker',
      type: 'mqtt-broker',
      name: 'bench',
      broker: '127.0.0.1',
      port: String(port),
      clientid: 'node-red-bench',
      autoConnect: true,
      usetls: false,
      protocolVersion: '4',
      keepalive: '60',
      cleansession: true,
      autoUnsubscribe: true,
      birthTopic: '',
      closeTopic: '',
      willTopic: '',
      sessionExpiry: '',
    },
    { id: 'in', type: 'mqtt in', z: 'bench-tab', name: '', topic: IN_FILTER, qos: '0', datatype: 'utf8', broker: 'bench-broker', nl: false, rap: true, rh: 0, inputs: 0, wires: [['parse']] },
    { id: 'parse', type: 'json', z: 'bench-tab', name: '', property: 'payload', action: 'obj', pretty: false, wires: [['stamp']] },
    { id: 'stamp', type: 'change', z: 'bench-tab', name: '', rules: [{ t: 'set', p: 'payload.stage', pt: 'msg', to: 'pipeline', tot: 'str' }], wires: [['route']] },
    { id: 'route', type: 'switch', z: 'bench-tab', name: '', property: 'payload.value', propertyType: 'msg', rules: [{ t: 'gte', v: '0', vt: 'num' }], checkall: 'true', repair: false, outputs: 1, wires: [['out']] },
    { id: 'out', type: 'mqtt out', z: 'bench-tab', name: '', topic: OUT_TOPIC, qos: '0', retain: 'false', respTopic: '', contentType: '', userProps: '', correl: '', expiry: '', broker: 'bench-broker', wires: [] },
  ];
}

