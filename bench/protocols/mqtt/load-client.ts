/**
 * The MQTT load client of the pipeline benchmark, run as its own process (bundled with esbuild) so
 * its publish loop and its receive timestamps share the event loop with nothing else. One process
 * publishes and subscribes, so send and receive times come from the same clock.
 *
 * argv[2] is a {@link LoadRequest} as JSON. stdout carries one line per event:
 * `LOAD-READY`, `LOAD-PHASE <name>` when a phase starts publishing, `LOAD-RESULT <PhaseResult JSON>`
 * when it has drained, `LOAD-ERROR <message JSON>` on failure. Everything is bounded in time.
 */
import { connect, type MqttClient } from 'mqtt';
import type { Socket } from 'node:net';
import { LOAD_ERROR, LOAD_PHASE, LOAD_READY, LOAD_RESULT, type LoadRequest } from './load-protocol.js';
import { summarise, type PhaseResult } from './stats.js';

/** Wall-clock ms with µs: the same figure in the payload and at the receiver. */
const now = (): number => performance.timeOrigin + performance.now();
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Bytes queued in the publisher's socket above which the flat-out loop yields to the event loop. */
const HIGH_WATER = 256 * 1024;

async function open(url: string, clientId: string): Promise<MqttClient> {
  const client = connect(url, { clientId, clean: true, reconnectPeriod: 0, protocolVersion: 4, keepalive: 60 });
  // mqtt.js does not turn Nagle off; on loopback Nagle + delayed ACK dominates latency at low rates.
  (client.stream as unknown as Socket).setNoDelay?.(true);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
    client.once('close', () => reject(new Error(`${clientId}: connection to ${url} closed before CONNACK`)));
  });
  client.on('error', (err) => say(`${LOAD_ERROR}${JSON.stringify(`${clientId}: ${err.message}`)}`));
  return client;
}

interface Receiving {
  run: number;
  seen: Uint8Array;
  latencies: Float64Array;
  received: number;
  lastReceiveMs: number;
  stale: number;
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as LoadRequest;
  const tag = `${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  const publisher = await open(request.url, `bench-pub-${tag}`);
  const subscriber = await open(request.url, `bench-sub-${tag}`);

  // run -1 = probes. Phase runs are numbered from 0; a late message of an earlier run is only counted as stale.
  let current: Receiving = { run: -1, seen: new Uint8Array(0), latencies: new Float64Array(0), received: 0, lastReceiveMs: 0, stale: 0 };
  let probesBack = 0;
  subscriber.on('message', (_topic, payload) => {
    const t = now();
    let msg: { run?: unknown; seq?: unknown; t?: unknown };
    try {
      msg = JSON.parse(payload.toString('utf8')) as typeof msg;
    } catch {
      return;
    }
    if (msg.run === -1) {
      probesBack++;
      return;
    }
    const r = current;
    if (msg.run !== r.run || typeof msg.seq !== 'number' || typeof msg.t !== 'number') {
      r.stale++;
      return;
    }
    if (msg.seq < 0 || msg.seq >= r.seen.length || r.seen[msg.seq] === 1) return;
    r.seen[msg.seq] = 1;
    r.latencies[r.received++] = t - msg.t;
    r.lastReceiveMs = t;
  });
  const qos = request.qos ?? 0;
  await subscriber.subscribeAsync(request.subscribeTopic, { qos });

  const publish = (run: number, seq: number): void => {
    // value ≥ 0, so every message passes the pipeline's switch.
    publisher.publish(request.publishTopic, `{"run":${run},"seq":${seq},"t":${now().toFixed(3)},"value":${seq % 100}}`, { qos });
  };

  // Ready when a probe came back through the system (its subscriptions are in place).
  const readyBy = now() + request.readyTimeoutMs;
  for (let i = 0; probesBack === 0; i++) {
    if (now() > readyBy) throw new Error(`no probe came back on "${request.subscribeTopic}" within ${request.readyTimeoutMs} ms`);
    publish(-1, i);
    await sleep(50);
  }
  await sleep(200); // let the remaining probes pass
  say(LOAD_READY);

  const socket = publisher.stream as unknown as Socket;
  for (const [run, phase] of request.phases.entries()) {
    const r: Receiving = { run, seen: new Uint8Array(phase.count), latencies: new Float64Array(phase.count), received: 0, lastReceiveMs: 0, stale: 0 };
    current = r;
    say(`${LOAD_PHASE}${phase.name}`);
    let sent = 0;
    const firstSendMs = now();
    let lastSendMs = firstSendMs;
    await new Promise<void>((done) => {
      const stopAt = firstSendMs + phase.maxSendMs;
      const tick = (): void => {
        const t = now();
        if (t >= stopAt) return done();
        if (phase.rate === undefined) {
          // Flat out: as much as the socket takes, yielding so the subscriber can read.
          while (sent < phase.count && socket.writableLength < HIGH_WATER) {
            for (let k = 0; k < 100 && sent < phase.count; k++) publish(run, sent++);
          }
          lastSendMs = now();
          if (sent >= phase.count) done();
          // Over the high-water mark a write returned false, so 'drain' comes once the broker read it.
          else if (socket.writableLength >= HIGH_WATER) socket.once('drain', tick);
          else setImmediate(tick);
          return;
        }
        // Paced: catch up to where the clock says we should be (bursts of about rate/1000 per tick).
        const due = Math.min(phase.count, Math.floor(((t - firstSendMs) * phase.rate) / 1000) + 1);
        while (sent < due) publish(run, sent++);
        lastSendMs = now();
        if (sent < phase.count) setTimeout(tick, 1);
        else done();
      };
      tick();
    });
    // Drain: all in, or quiet for drainIdleMs, or drainMaxMs.
    const drainUntil = now() + phase.drainMaxMs;
    let lastCount = -1;
    let quietSince = now();
    while (r.received < sent && now() < drainUntil) {
      if (r.received !== lastCount) {
        lastCount = r.received;
        quietSince = now();
      } else if (now() - quietSince >= phase.drainIdleMs) break;
      await sleep(20);
    }
    const result: PhaseResult = summarise({
      name: phase.name,
      rate: phase.rate,
      planned: phase.count,
      sent,
      firstSendMs,
      lastSendMs,
      lastReceiveMs: r.lastReceiveMs || firstSendMs,
      endMs: now(),
      latencies: r.latencies.subarray(0, r.received),
    });
    say(`${LOAD_RESULT}${JSON.stringify(result)}`);
  }
  publisher.end(true);
  subscriber.end(true);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    say(`${LOAD_ERROR}${JSON.stringify(err instanceof Error ? err.message : String(err))}`);
    process.exit(1);
  },
);
