/**
 * The `mqtt-broker` connection over TLS (mqtts://, wss://) and WebSockets (ws://) against
 * Debian's mosquitto 2.0, with a CA and certificates made by openssl at test time. Independent
 * peers: mosquitto terminates TLS and WebSockets, mosquitto_pub/mosquitto_sub check what our nodes
 * send and receive from outside.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flowDoc, run, whenSubscribed } from '../test-support/harness.js';
import { runClient, startMosquitto, type Mosquitto } from '../test-support/mosquitto.js';
import { createTestPki, type TestPki } from './test-pki.js';

let pki: TestPki;
let broker: Mosquitto;
/** Listener URLs, by what they speak. */
let mqtts: string;
let mqttsClientCert: string;
let ws: string;
let wss: string;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  pki = await createTestPki();
  const tls = { ca: pki.ca.cert, cert: pki.server.cert, key: pki.server.key };
  broker = await startMosquitto({
    listeners: [{ tls }, { tls: { ...tls, requireCertificate: true } }, { protocol: 'websockets' }, { protocol: 'websockets', tls }],
  });
  [mqtts, mqttsClientCert, ws, wss] = broker.listeners.map((l) => l.url) as [string, string, string, string];
});
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
afterAll(async () => {
  await broker?.stop();
  await pki?.remove();
});

/** mqtt-out → broker → mqtt-in on one connection entry, plus the probe that tells when the subscription is granted. */
function roundTripDoc(id: string, config: Record<string, unknown>, topic: string) {
  return flowDoc(
    [{ id, config }],
    [
      { id: 'out', type: 'mqtt-out', config: { broker: id, topic, qos: 1 } },
      { id: 'in', type: 'mqtt-in', config: { broker: id, topic, qos: 1, payloadFormat: 'json' } },
      { id: 'probe', type: 'broker-probe', config: { broker: id } },
    ],
  );
}

async function roundTrip(id: string, config: Record<string, unknown>, topic: string, credentials?: Record<string, Record<string, unknown>>) {
  const flow = await run(roundTripDoc(id, config, topic), credentials ? { credentials } : {});
  cleanups.push(() => flow.stop());
  await whenSubscribed(id, topic);
  flow.inject('out', { payload: { via: id, n: 1 } });
  expect(await flow.next('in', { timeoutMs: 5000 })).toMatchObject({ topic, payload: { via: id, n: 1 }, qos: 1 });
  expect(flow.errors).toEqual([]);
  return flow;
}

describe('mqtt-broker over TLS (mqtts://) against mosquitto', () => {
  it('round trip with the CA given as a file path, verification on by default; mosquitto_pub --cafile reaches our mqtt-in', async () => {
    const flow = await roundTrip('tls-file', { url: mqtts, ca: join(pki.dir, 'ca.crt') }, 'tls/file');
    // An independent TLS client (libmosquitto + OpenSSL) publishing to the same listener.
    const port = new URL(mqtts).port;
    await runClient('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '--cafile', join(pki.dir, 'ca.crt'), '-q', '1', '-t', 'tls/file', '-m', '{"via":"cli"}']);
    expect((await flow.next('in', { timeoutMs: 5000 })).payload).toEqual({ via: 'cli' });
  });

  it('without the CA, or trusting an unrelated CA: refused, the connection events and the badge name the certificate problem, retries back off, nothing crashes', async () => {
    const doc = flowDoc(
      [
        { id: 'no-ca', config: { url: mqtts } },
        { id: 'wrong-ca', config: { url: mqtts, ca: pki.otherCa.cert } },
      ],
      [
        { id: 'in-no-ca', type: 'mqtt-in', config: { broker: 'no-ca', topic: 'tls/refused' } },
        { id: 'in-wrong-ca', type: 'mqtt-in', config: { broker: 'wrong-ca', topic: 'tls/refused' } },
      ],
    );
    const flow = await run(doc);
    cleanups.push(() => flow.stop());
    const waits = (id: string) => flow.connectionEvents.filter((e) => e.id === id && e.state === 'waiting');
    await flow.waitFor(() => waits('no-ca').length >= 3 && waits('wrong-ca').length >= 3, { timeoutMs: 5000 });
    for (const id of ['no-ca', 'wrong-ca']) {
      const list = waits(id);
      // The server certificate chains to a CA the client does not trust: OpenSSL's words, and what to set.
      for (const w of list) {
        expect(w.reason).toMatch(/^could not connect to the MQTT broker at mqtts:\/\/127\.0\.0\.1:\d+: self-signed certificate in certificate chain: the broker's certificate is not trusted; set "ca"/);
      }
      expect(list.slice(0, 3).map((w) => w.attempt)).toEqual([1, 2, 3]);
      expect(list.every((w) => typeof w.nextRetryMs === 'number')).toBe(true);
      // Retries go on, so the latest badge may already be the next attempt's yellow "connecting".
      const red = flow.statuses.filter((s) => s.nodeId === `in-${id}` && s.status?.fill === 'red').map((s) => s.status);
      expect(red.length).toBeGreaterThan(0);
      for (const badge of red) expect(badge).toMatchObject({ shape: 'ring', text: expect.stringMatching(/certificate is not trusted; set "ca"/) });
    }
    expect(flow.runtime.connections().map((c) => c.state)).not.toContain('connected');
    // The documented escape hatch for a test broker: verification off connects without the CA.
    const report = await flow.runtime.testConnection({ id: 'insecure', type: 'mqtt-broker', config: { url: mqtts, rejectUnauthorized: false } });
    expect(report).toMatchObject({ ok: true, message: expect.stringMatching(/^connected to mqtts:/) });
  });

  it('client certificates: require_certificate refuses a client without one; the certificate plus its key (a credential, PEM text) connect and round-trip', async () => {
    const refused = await run(flowDoc([{ id: 'cert-missing', config: { url: mqttsClientCert, ca: pki.ca.cert } }], [{ id: 'in', type: 'mqtt-in', config: { broker: 'cert-missing', topic: 'tls/cert' } }]));
    cleanups.push(() => refused.stop());
    await refused.waitFor(() => refused.connectionEvents.filter((e) => e.state === 'waiting').length >= 2, { timeoutMs: 5000 });
    // mosquitto's TLS 1.3 alert, without OpenSSL's source path, and what to configure. (The broker
    // closes right after the alert; a reset racing it could turn one attempt into ECONNRESET.)
    const reasons = refused.connectionEvents.filter((e) => e.state === 'waiting').map((e) => e.reason);
    expect(reasons).toContain(
      `could not connect to the MQTT broker at ${mqttsClientCert}: TLS: tlsv13 alert certificate required; the broker requires a client certificate: set "cert" and the "key" credential`,
    );

    const flow = await roundTrip('cert-given', { url: mqttsClientCert, ca: pki.ca.cert, cert: pki.client.cert }, 'tls/cert', { 'cert-given': { key: pki.client.key } });
    // The key is a credential: it never shows in what the runtime reports or in the running document.
    expect(JSON.stringify([flow.connectionEvents, flow.runtime.document])).not.toContain('PRIVATE KEY');
  });
});

describe('mqtt-broker over WebSockets against mosquitto', () => {
  it('ws:// round trip; mosquitto_pub over plain TCP reaches our mqtt-in on the websockets listener, and mosquitto_sub gets what mqtt-out sends', async () => {
    const flow = await roundTrip('ws', { url: ws }, 'ws/x');
    await runClient('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.port), '-q', '1', '-t', 'ws/x', '-m', '{"via":"tcp"}']);
    expect((await flow.next('in', { timeoutMs: 5000 })).payload).toEqual({ via: 'tcp' });
    // Retained, so a subscriber that starts afterwards gets it; its echo on our mqtt-in says the broker has it.
    flow.inject('out', { payload: { kept: true }, retain: true });
    expect(await flow.next('in', { timeoutMs: 5000 })).toMatchObject({ payload: { kept: true } });
    const line = await runClient('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(broker.port), '-t', 'ws/x', '-C', '1', '-W', '5']);
    expect(JSON.parse(line)).toEqual({ kept: true });
  });

  it('wss:// round trip with the CA as PEM text; without it the certificate problem is named', async () => {
    const flow = await roundTrip('wss', { url: wss, ca: pki.ca.cert }, 'wss/x');
    const report = await flow.runtime.testConnection({ id: 'wss-no-ca', type: 'mqtt-broker', config: { url: wss } });
    expect(report).toMatchObject({ ok: false, message: expect.stringMatching(/^could not connect to the MQTT broker at wss:.*certificate is not trusted; set "ca"/) });
  });
});
