import { createServer, type Server, type Socket } from 'node:net';
import type { Aedes } from 'aedes';
import { ConnectionGate, gateControls, type ReadControl, type StallableServer } from './connection-gate.js';
import type { PlantLog } from './plant-log.js';
import type { ModelTag, TagModel } from './tag-model.js';

/** The embedded MQTT broker and the plant's MQTT publishers. */
export interface MqttBroker extends StallableServer {
  readonly host: string;
  readonly port: number;
  /** Freeze every connection (nothing read, nothing sent) and stop publishing plant values. */
  stall(): void;
  /** Drop every client, close the broker (retained messages are lost), start a fresh one on the same port. */
  restart(): Promise<void>;
}

/** What the broker needs from the plant. */
export interface MqttBrokerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly model: TagModel;
  readonly log: PlantLog;
  readonly now: () => number;
}

/**
 * Start an aedes broker (MQTT 3.1.1; aedes 1.2.0 refuses MQTT 5 clients, STACK.md G10) on a
 * 127.0.0.1 listener, and publish every tag with an `mqtt` binding as JSON
 * `{"value": …, "unit": …, "timestamp": "<ISO>"}` every `mqtt.periodMs` (default the tag's period).
 *
 * @example
 * const broker = await startMqttBroker({ host: '127.0.0.1', port: 0, model, log, now: Date.now });
 * // mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { protocolVersion: 4 })
 */
export async function startMqttBroker(options: MqttBrokerOptions): Promise<MqttBroker> {
  const { Aedes: AedesClass } = await import('aedes');
  const { model, log } = options;
  const gate = new ConnectionGate();
  const published = model.tags.filter((t) => t.spec.mqtt);
  const timers: Array<ReturnType<typeof setInterval>> = [];
  let broker: Aedes | undefined;
  let server: Server | undefined;
  let port = options.port;

  const publish = (tag: ModelTag): void => {
    const binding = tag.spec.mqtt;
    if (!broker || !binding || gate.stalled) return; // a hung broker publishes nothing
    const payload = JSON.stringify({ value: model.value(tag.path), ...(tag.spec.unit ? { unit: tag.spec.unit } : {}), timestamp: new Date(options.now()).toISOString() });
    broker.publish({ cmd: 'publish', topic: binding.topic, payload: Buffer.from(payload), qos: 0, retain: binding.retain, dup: false }, (err) => {
      if (err) log({ level: 'warn', message: 'mqtt publish failed', device: 'mqtt', topic: binding.topic, error: err.message });
    });
  };

  const start = async (): Promise<void> => {
    const b = await AedesClass.createBroker();
    b.on('clientError', (client, err) => log({ level: 'debug', message: 'mqtt client error', device: 'mqtt', clientId: client.id, error: err.message }));
    b.on('connectionError', (_client, err) => log({ level: 'debug', message: 'mqtt connection error', device: 'mqtt', error: err.message }));
    const s = createServer((socket: Socket) => {
      // aedes reads on 'readable', which socket.pause() does not stop; its Client has its own
      // pause()/resume() (lib/client.js), missing from its typings.
      const client = b.handle(socket) as unknown as Partial<ReadControl>;
      const { pause, resume } = client;
      if (typeof pause !== 'function' || typeof resume !== 'function') {
        log({ level: 'warn', message: 'aedes client has no pause()/resume(): silence("mqtt") cannot hold this connection', device: 'mqtt' });
        gate.track(socket);
        return;
      }
      gate.track(socket, { pause: () => pause.call(client), resume: () => resume.call(client) });
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', (err) => reject(new Error(`MQTT broker could not listen on ${options.host}:${port}: ${err.message}`, { cause: err })));
      s.listen({ host: options.host, port }, () => resolve());
    });
    s.on('error', (err) => log({ level: 'error', message: 'mqtt listener error', device: 'mqtt', error: err.message }));
    const address = s.address();
    if (address && typeof address === 'object') port = address.port;
    broker = b;
    server = s;
    for (const tag of published) publish(tag);
  };

  const stop = async (): Promise<void> => {
    const b = broker;
    const s = server;
    broker = undefined;
    server = undefined;
    gate.destroyAll();
    await Promise.all([
      s ? new Promise<void>((resolve) => s.close(() => resolve())) : undefined,
      b ? new Promise<void>((resolve) => b.close(() => resolve())) : undefined,
    ]);
  };

  await start();
  const periods = new Map<number, ModelTag[]>();
  for (const tag of published) {
    const period = tag.spec.mqtt?.periodMs ?? tag.periodMs;
    periods.set(period, [...(periods.get(period) ?? []), tag]);
  }
  for (const [period, tags] of periods) {
    timers.push(setInterval(() => tags.forEach(publish), period));
  }

  return {
    host: options.host,
    get port() {
      return port;
    },
    ...gateControls(gate, stop, start),
    async close() {
      timers.forEach(clearInterval);
      await stop();
    },
  };
}
