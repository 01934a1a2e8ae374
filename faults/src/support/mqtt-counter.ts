import mqtt, { type MqttClient } from 'mqtt';

/** What a {@link publishAtRate} run did. */
export interface PublishResult {
  /** Messages handed to the socket (QoS 0) or acknowledged by the broker (QoS 1). */
  readonly sent: number;
  /** Publishes that failed (QoS 1: no PUBACK, an error). */
  readonly failed: number;
  readonly durationMs: number;
}

/** Options of {@link publishAtRate}. */
export interface PublishOptions {
  readonly topic: string;
  readonly qos: 0 | 1;
  readonly ratePerS: number;
  readonly durationMs: number;
  /** Payload bytes beside the sequence number (default none). */
  readonly padding?: number;
}

/**
 * Publish `{"seq": n}` (n = 0, 1, 2…) at `ratePerS` for `durationMs`, in 10 ms slices, from a
 * client of its own; bounded in count (`ratePerS × durationMs`) and time. Resolves when every
 * publish is written (QoS 0) or acknowledged (QoS 1), at most 30 s after the last one.
 */
export async function publishAtRate(url: string, options: PublishOptions): Promise<PublishResult> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, clean: true, reconnectPeriod: 0 });
  const total = Math.round((options.ratePerS * options.durationMs) / 1000);
  const pad = options.padding ? 'x'.repeat(options.padding) : undefined;
  let issued = 0;
  let sent = 0;
  let failed = 0;
  let settle: (() => void) | undefined;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const done = (err?: Error) => {
    if (err) failed++;
    else sent++;
    if (sent + failed === total) settle?.();
  };
  const started = Date.now();
  await new Promise<void>((resolve) => {
    const slice = () => {
      const due = Math.min(total, Math.floor(((Date.now() - started) * options.ratePerS) / 1000));
      while (issued < due) {
        const payload = JSON.stringify(pad ? { seq: issued, pad } : { seq: issued });
        issued++;
        client.publish(options.topic, payload, { qos: options.qos }, (err) => done(err ?? undefined));
      }
      if (issued >= total) resolve();
      else setTimeout(slice, 10);
    };
    slice();
  });
  if (total === 0) settle?.();
  const timer = setTimeout(() => settle?.(), 30_000);
  await settled;
  clearTimeout(timer);
  const durationMs = Date.now() - started;
  await client.endAsync();
  return { sent, failed: failed + (total - sent - failed), durationMs };
}

/** A subscriber that records the `seq` of every `{"seq": n}` payload it receives. */
export interface CountingSubscriber {
  readonly client: MqttClient;
  /** Distinct sequence numbers received. */
  readonly seen: ReadonlySet<number>;
  /** Messages received, duplicates included. */
  readonly received: number;
  /** `{"seq": n}` messages received again after the first time. */
  readonly repeated: number;
  close(): Promise<void>;
}

/** Subscribe to `topic` at `qos` and count what arrives (options for a persistent session: `clientId`, `clean: false`). */
export async function countingSubscriber(url: string, topic: string, qos: 0 | 1, options: { clientId?: string; clean?: boolean } = {}): Promise<CountingSubscriber> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, clean: options.clean ?? true, reconnectPeriod: 500, ...(options.clientId ? { clientId: options.clientId } : {}) });
  const seen = new Set<number>();
  let received = 0;
  let repeated = 0;
  client.on('message', (_topic, payload) => {
    received++;
    const seq = seqOf(payload.toString('utf8'));
    if (seq === undefined) return;
    if (seen.has(seq)) repeated++;
    else seen.add(seq);
  });
  await client.subscribeAsync(topic, { qos });
  return {
    client,
    seen,
    get received() {
      return received;
    },
    get repeated() {
      return repeated;
    },
    close: () => client.endAsync(),
  };
}

/** The `seq` of a `{"seq": n}` value (text or parsed), or undefined. */
export function seqOf(value: unknown): number | undefined {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  const seq = typeof v === 'object' && v !== null ? (v as { seq?: unknown }).seq : undefined;
  return typeof seq === 'number' ? seq : undefined;
}

/** A QoS 1 publisher that keeps going across broker outages (see {@link startSteadyPublisher}). */
export interface SteadyPublisher {
  /** Sequence numbers the broker acknowledged (PUBACK). */
  readonly acked: ReadonlySet<number>;
  /** Publishes issued so far. */
  readonly issued: number;
  /** Stop publishing, wait (at most 15 s) for outstanding acknowledgements, disconnect. */
  stop(): Promise<void>;
}

/**
 * Publish `{"seq": n}` at QoS 1 every `1000 / ratePerS` ms while connected (nothing is queued while
 * the broker is down), at most `maxCount` messages; mqtt.js reconnects every 250 ms and resends
 * what was in flight. Only acknowledged messages count as sent.
 */
export async function startSteadyPublisher(url: string, topic: string, ratePerS: number, maxCount = 20_000): Promise<SteadyPublisher> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, clean: false, clientId: `faults-pub-${process.pid}-${Date.now()}`, reconnectPeriod: 250 });
  const acked = new Set<number>();
  let issued = 0;
  let outstanding = 0;
  /** Called when the last outstanding publish is answered (set while `stop` waits). */
  let onSettled: (() => void) | undefined;
  const timer = setInterval(() => {
    if (!client.connected || issued >= maxCount) return;
    const seq = issued++;
    outstanding++;
    client.publish(topic, JSON.stringify({ seq }), { qos: 1 }, (err) => {
      outstanding--;
      if (!err) acked.add(seq);
      if (outstanding === 0) onSettled?.();
    });
  }, 1000 / ratePerS);
  return {
    acked,
    get issued() {
      return issued;
    },
    async stop() {
      clearInterval(timer);
      if (outstanding > 0) {
        // The last PUBACK (or error) ends the wait; a broker that never answers, the 15 s bound.
        let bound: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((resolve) => {
          onSettled = resolve;
          bound = setTimeout(resolve, 15_000);
        });
        clearTimeout(bound);
      }
      await client.endAsync();
    },
  };
}
