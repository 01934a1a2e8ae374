import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineConnection, type ConnectionContext } from '@plantwire/node-sdk';
import type { IClientOptions, MqttClient } from 'mqtt';
import * as z from 'zod';
import { topicNameProblem } from '../shared/topic.js';
import { MqttBrokerClient } from './mqtt-broker-client.js';

const qosSchema = z.union([z.literal(0), z.literal(1), z.literal(2)]);

const topicName = z.string().superRefine((topic, ctx) => {
  const problem = topicNameProblem(topic);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A message the client publishes on its own: the will (by the broker, when the link dies) or the birth (on every connect). */
const announcementSchema = z.object({
  topic: topicName.meta({ title: 'Topic', topic: 'name' }),
  payload: z.string().default('').meta({ title: 'Payload', description: 'Sent as UTF-8 text.' }),
  qos: qosSchema.default(0).meta({ title: 'QoS' }),
  retain: z.boolean().default(false).meta({ title: 'Retain' }),
});

const pem = (title: string, description: string) =>
  z.string().min(1).optional().meta({ title, description: `${description} PEM text (starting with "-----BEGIN") or the path of a PEM file.`, multiline: true });

const configSchema = z
  .object({
    url: z
      .string()
      .regex(/^(mqtts?|wss?):\/\/[^/\s]+/, 'expected a broker URL such as "mqtt://broker:1883", "mqtts://broker:8883", "ws://broker/mqtt" or "wss://broker/mqtt"')
      .meta({ title: 'Broker URL', examples: ['mqtt://127.0.0.1:1883', 'mqtts://broker.example:8883', 'wss://broker.example/mqtt'] }),
    clientId: z
      .string()
      .min(1)
      .max(65535)
      .optional()
      .meta({
        title: 'Client id',
        description:
          'Default: generated once per connection entry ("plantwire-" and 12 hex digits) and kept in the runtime\'s data directory, so it is stable across reconnects and restarts.',
      }),
    protocolVersion: z
      .union([z.literal(4), z.literal(5)])
      .default(4)
      .meta({ title: 'Protocol version', description: '4 = MQTT 3.1.1 (every broker), 5 = MQTT 5 (shared subscriptions, properties, session expiry).' }),
    username: z.string().optional().meta({ title: 'Username' }),
    keepalive: z.int().min(0).max(65535).default(60).meta({ title: 'Keep-alive (s)', unit: 's', description: '0 turns keep-alive off.' }),
    cleanStart: z
      .boolean()
      .default(true)
      .meta({ title: 'Clean start', description: 'Start a new session on every connect (MQTT 3.1.1: clean session). Off keeps the broker\'s session (and queued QoS 1/2 messages) across reconnects.' }),
    sessionExpiryInterval: z
      .int()
      .min(0)
      .max(4294967295)
      .optional()
      .meta({ title: 'Session expiry (s)', unit: 's', description: 'MQTT 5: how long the broker keeps the session after a disconnect.' }),
    will: announcementSchema.optional().meta({ title: 'Will', description: 'Published by the broker when this client disappears without disconnecting.' }),
    birth: announcementSchema.optional().meta({ title: 'Birth message', description: 'Published by this client after every (re)connect.' }),
    ca: pem('CA certificate', 'Trusted CA for mqtts:// and wss://.'),
    cert: pem('Client certificate', 'For brokers that require client certificates (the key is a credential).'),
    rejectUnauthorized: z
      .boolean()
      .default(true)
      .meta({ title: 'Verify the broker\'s certificate', description: 'Turn off only for a test broker with a self-signed certificate you have not added as CA.' }),
  })
  .superRefine((config, ctx) => {
    if (config.protocolVersion !== 5 && config.sessionExpiryInterval !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['sessionExpiryInterval'], message: 'sessionExpiryInterval is an MQTT 5 feature; set protocolVersion to 5' });
    }
    // Certificates mean TLS. Over mqtt:// or ws:// a CA would be ignored, and with a client
    // certificate and key mqtt.js quietly switches the connection to TLS on the same port: either
    // way the entry would not do what it says.
    if (/^(mqtt|ws):/.test(config.url)) {
      const secure = config.url.startsWith('ws:') ? 'wss://' : 'mqtts://';
      for (const field of ['ca', 'cert'] as const) {
        if (config[field] === undefined) continue;
        ctx.addIssue({ code: 'custom', path: [field], message: `${field} is for TLS connections, but the URL is ${config.url.split(':')[0]}://; use ${secure} or remove ${field}` });
      }
    }
  });

const credentialsSchema = z.object({
  password: z.string().optional().meta({ title: 'Password' }),
  key: z.string().min(1).optional().meta({ title: 'Client private key', multiline: true, description: 'PEM text or the path of a PEM file, for client certificates.' }),
});

/** The config of an `mqtt-broker` connection entry, after parsing. */
export type MqttBrokerConfig = z.output<typeof configSchema>;
type Ctx = ConnectionContext<MqttBrokerConfig, z.output<typeof credentialsSchema>>;

/**
 * The `mqtt-broker` connection type: one mqtt.js 5 client per connection entry, shared by every
 * mqtt-in and mqtt-out node that references it. mqtt.js's own reconnect is off
 * (`reconnectPeriod: 0`); when the link drops, `ctx.lost()` hands reconnection to the runtime,
 * which backs off and calls `connect` again (mqtt-in nodes resubscribe in `onConnected`).
 *
 * `connect` resolves on CONNACK and rejects with the broker's reason (for example
 * `Connection refused: Not authorized (reason code 5)`), so bad credentials show on the nodes'
 * badges and retries back off. The birth message is published after every connect.
 */
export const mqttBroker = defineConnection({
  type: 'mqtt-broker',
  version: 1,
  summary: 'An MQTT broker (MQTT 3.1.1 or 5, over TCP, TLS or WebSocket).',
  icon: 'broker',
  config: configSchema,
  credentials: credentialsSchema,
  connect: openClient,
  async disconnect(client, ctx) {
    await closeClient(client.mqtt, ctx);
  },
  async test(ctx) {
    const started = performance.now();
    try {
      const client = await openClient(ctx, { birth: false });
      await closeClient(client.mqtt, ctx);
      return { ok: true, message: `connected to ${ctx.config.url} (MQTT ${client.protocolVersion === 5 ? '5' : '3.1.1'}) in ${Math.round(performance.now() - started)} ms` };
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
  },
});

async function openClient(ctx: Ctx, options: { birth?: boolean } = {}): Promise<MqttBrokerClient> {
  const { config } = ctx;
  // Loaded on first connect: a runtime whose flow uses no broker never pays for mqtt.js at start-up.
  const { connect: mqttConnect } = await import('mqtt');
  const mqtt = mqttConnect(config.url, await clientOptions(ctx));
  // mqtt.js leaves Nagle on. A publish is one small write, so Nagle holds it back until the
  // previous segment is acknowledged, and with the peer's delayed ACK that is up to 40 ms on
  // loopback (the p99 of the MQTT pipeline benchmark at 5k-20k msg/s). A TCP or TLS socket exists
  // from here on; WebSocket streams have no such switch.
  (mqtt.stream as { setNoDelay?: (noDelay: boolean) => unknown } | undefined)?.setNoDelay?.(true);
  // Before the first byte is read: the client holds its read gate until the nodes are attached (see below).
  const client = new MqttBrokerClient(mqtt, config.protocolVersion, config.url);
  try {
    await whenConnected(mqtt, ctx);
  } catch (err) {
    mqtt.end(true);
    throw err;
  }
  let lastError: Error | undefined;
  const onError = (err: Error) => {
    lastError = err;
    ctx.log.warn(`MQTT client error: ${err.message}`, { url: config.url });
  };
  mqtt.on('error', onError);
  mqtt.on('disconnect', (packet) => {
    // An MQTT 5 broker says why it hangs up (session taken over, server shutting down…).
    const code = packet.reasonCode ?? 0;
    lastError = new Error(`the broker sent DISCONNECT with reason code ${code}${packet.properties?.reasonString ? ` (${packet.properties.reasonString})` : ''}`);
  });
  const lost = () => ctx.lost(new Error(`the connection to ${config.url} was lost${lastError ? `: ${lastError.message}` : ''}`));
  mqtt.on('close', lost);
  mqtt.on('offline', lost);
  // Only our own listeners: mqtt.js keeps its state (`connected`) with listeners of its own.
  detachers.set(mqtt, () => {
    mqtt.off('close', lost);
    mqtt.off('offline', lost);
    mqtt.off('error', onError);
  });
  if (config.birth && options.birth !== false) {
    const { topic, payload, qos, retain } = config.birth;
    mqtt.publish(topic, payload, { qos, retain }, (err) => {
      if (err) ctx.log.warn(`could not publish the birth message to "${topic}": ${err.message}`, { url: config.url });
    });
  }
  // The runtime runs the nodes' onConnected listeners (mqtt-in attaches its 'message' listener and
  // subscribes) in the same run of microtasks in which this promise resolves, before any timer or
  // I/O callback (connection-supervisor.ts, `connect`). So on the next macrotask every node is
  // attached, and what the broker sent behind the CONNACK can be read.
  setImmediate(() => client.attached());
  return client;
}

/** Resolve on CONNACK; reject with the broker's reason, a socket error, or when the runtime aborts. */
function whenConnected(mqtt: MqttClient, ctx: Ctx): Promise<void> {
  const url = ctx.config.url;
  return new Promise<void>((resolve, reject) => {
    let lastError: Error | undefined;
    const done = (err?: Error) => {
      mqtt.off('connect', onConnect);
      mqtt.off('error', onError);
      mqtt.off('close', onClose);
      ctx.signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onConnect = () => done();
    const onError = (err: Error & { code?: unknown }) => {
      // A refused CONNACK carries the broker's reason code; a socket error its errno name.
      lastError = err;
      const code = typeof err.code === 'number' ? ` (reason code ${err.code})` : '';
      done(new Error(`could not connect to the MQTT broker at ${url}: ${tlsProblem(err) ?? err.message}${code}`, { cause: err }));
    };
    const onClose = () =>
      done(lastError ?? new Error(`could not connect to the MQTT broker at ${url}: the connection closed before the broker answered (CONNACK)`));
    const onAbort = () => done(new Error(`connecting to the MQTT broker at ${url} was aborted`));
    if (ctx.signal.aborted) return onAbort();
    mqtt.on('connect', onConnect);
    mqtt.on('error', onError);
    mqtt.on('close', onClose);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Node's certificate-verification codes that mean "the broker's certificate is not trusted": set the CA. */
const UNTRUSTED = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT']);

/**
 * A TLS failure in words a badge can show. OpenSSL's own messages carry the library's source
 * path and a trailing newline ("…:ssl3_read_bytes:tlsv13 alert certificate required:../deps/…"),
 * so keep only its reason; an untrusted broker certificate gets the hint of what to configure.
 */
function tlsProblem(err: Error & { code?: unknown; reason?: unknown }): string | undefined {
  if (typeof err.code !== 'string') return undefined;
  if (UNTRUSTED.has(err.code)) return `${err.message}: the broker's certificate is not trusted; set "ca" to the CA that signed it`;
  if (err.code.startsWith('ERR_SSL_') && typeof err.reason === 'string') {
    const hint = err.code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' ? '; the broker requires a client certificate: set "cert" and the "key" credential' : '';
    return `TLS: ${err.reason}${hint}`;
  }
  return undefined;
}

const noLog = (): void => undefined;

async function clientOptions(ctx: Ctx): Promise<IClientOptions> {
  const { config, credentials } = ctx;
  const options: IClientOptions = {
    clientId: await clientIdOf(ctx),
    protocolVersion: config.protocolVersion,
    keepalive: config.keepalive,
    clean: config.cleanStart,
    // The runtime owns reconnects (backoff with jitter, statuses); mqtt.js must not retry by itself.
    reconnectPeriod: 0,
    connectTimeout: 30_000,
    rejectUnauthorized: config.rejectUnauthorized,
  };
  // mqtt.js calls its `debug` logger several times per packet; even switched off, that was ~5% of
  // the CPU of an MQTT pipeline at 25k msg/s. DEBUG=mqttjs* still gets mqtt.js's own logger.
  if (!/mqttjs/.test(process.env['DEBUG'] ?? '')) options.log = noLog;
  if (config.username !== undefined) options.username = config.username;
  if (credentials.password !== undefined) options.password = credentials.password;
  if (config.protocolVersion === 5 && config.sessionExpiryInterval !== undefined) {
    options.properties = { sessionExpiryInterval: config.sessionExpiryInterval };
  }
  if (config.will) options.will = { topic: config.will.topic, payload: Buffer.from(config.will.payload), qos: config.will.qos, retain: config.will.retain };
  if (config.ca) options.ca = await pemOf(config.ca, 'ca');
  if (config.cert) options.cert = await pemOf(config.cert, 'cert');
  if (credentials.key) options.key = await pemOf(credentials.key, 'key');
  return options;
}

async function pemOf(value: string, field: string): Promise<string> {
  if (value.includes('-----BEGIN')) return value;
  try {
    return await readFile(value, 'utf8');
  } catch (err) {
    throw new Error(`${field}: could not read the PEM file "${value}": ${(err as Error).message}`, { cause: err });
  }
}

// Without a data directory the generated id lives as long as the process, per connection entry.
const generatedIds = new Map<string, string>();

async function clientIdOf(ctx: Ctx): Promise<string> {
  if (ctx.config.clientId) return ctx.config.clientId;
  // 22 characters: within the 23 that every MQTT 3.1.1 broker must accept.
  const generate = () => `plantwire-${randomBytes(6).toString('hex')}`;
  if (ctx.dataDir === undefined) {
    let id = generatedIds.get(ctx.id);
    if (id === undefined) generatedIds.set(ctx.id, (id = generate()));
    return id;
  }
  const file = join(ctx.dataDir, 'client-id');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored !== '') return stored;
  } catch {
    // No id stored yet: make one below.
  }
  const id = generate();
  await mkdir(ctx.dataDir, { recursive: true });
  await writeFile(file, `${id}\n`);
  return id;
}

/** Removes the listeners `openClient` added, so a deliberate close is not reported as a loss. */
const detachers = new WeakMap<MqttClient, () => void>();

/** Close gracefully (DISCONNECT, so the broker does not publish the will) when the link is up; else, or after 2 s, force it. */
async function closeClient(mqtt: MqttClient, ctx: Ctx): Promise<void> {
  detachers.get(mqtt)?.();
  detachers.delete(mqtt);
  // Keep an error listener: an EventEmitter 'error' without one would throw.
  mqtt.on('error', () => undefined);
  if (!mqtt.connected) {
    await mqtt.endAsync(true);
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const forced = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      ctx.log.warn(`the broker at ${ctx.config.url} did not take the DISCONNECT within 2 s; closing the socket`);
      mqtt.end(true, () => resolve());
    }, 2000);
  });
  try {
    await Promise.race([mqtt.endAsync(false), forced]);
  } finally {
    clearTimeout(timer);
  }
}
