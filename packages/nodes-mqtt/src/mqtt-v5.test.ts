/** MQTT 5 features and interop with Debian's mosquitto (2.0.11) and its command-line clients. */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { flowDoc, outsideClient, run, whenAllConnected, whenSubscribed } from './test-support/harness.js';
import { runClient, startMosquitto, type Mosquitto } from './test-support/mosquitto.js';

let broker: Mosquitto;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  broker = await startMosquitto();
});
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
afterAll(async () => {
  await broker.stop();
});

const v5 = (extra: Record<string, unknown> = {}) => ({ url: broker.url, protocolVersion: 5, ...extra });

describe('MQTT 5 against mosquitto', () => {
  it('a shared subscription splits the load between mqtt-in nodes in two runtimes, each message once', async () => {
    const filter = '$share/edge/load/#';
    const flows = await Promise.all(
      ['rt-a', 'rt-b'].map(async (name) => {
        const flow = await run(
          flowDoc(
            [{ id: name, config: v5({ clientId: `plantwire-test-${name}` }) }],
            [
              { id: 'in', type: 'mqtt-in', config: { broker: name, topic: filter, qos: 1, payloadFormat: 'text' } },
              { id: 'probe', type: 'broker-probe', config: { broker: name } },
            ],
          ),
        );
        cleanups.push(() => flow.stop());
        await whenSubscribed(name, filter);
        return flow;
      }),
    );
    const pub = await outsideClient(broker.url, { protocolVersion: 5 });
    cleanups.push(() => pub.endAsync(true));
    const total = 40;
    for (let i = 0; i < total; i++) await pub.publishAsync(`load/m${i % 3}`, String(i), { qos: 1 });
    await vi.waitFor(() => expect(flows[0]!.sent('in').length + flows[1]!.sent('in').length).toBe(total), { timeout: 5000, interval: 10 });
    const [a, b] = flows.map((f) => f.sent('in').map((m) => Number(m.payload)));
    expect(a!.length).toBeGreaterThan(0);
    expect(b!.length).toBeGreaterThan(0);
    expect([...a!, ...b!].sort((x, y) => x - y)).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it('mqtt-out sends user properties, content type and message expiry; mqtt-in passes them on as msg.properties', async () => {
    const flow = await run(
      flowDoc(
        [{ id: 'v5', config: v5() }],
        [
          {
            id: 'out',
            type: 'mqtt-out',
            config: { broker: 'v5', topic: 'props/x', qos: 1, contentType: 'application/json', messageExpiryInterval: 300, userProperties: { site: 'A' } },
          },
          { id: 'in', type: 'mqtt-in', config: { broker: 'v5', topic: 'props/#', qos: 1 } },
          { id: 'probe', type: 'broker-probe', config: { broker: 'v5' } },
        ],
      ),
    );
    cleanups.push(() => flow.stop());
    await whenSubscribed('v5', 'props/#');
    flow.inject('out', { payload: { t: 1 }, properties: { userProperties: { line: '1', site: 'from-msg' }, correlationData: 'req-7', responseTopic: 'props/reply' } });
    const msg = await flow.next('in');
    expect(msg.payload).toEqual({ t: 1 });
    const properties = msg['properties'] as Record<string, unknown>;
    expect(properties).toMatchObject({ contentType: 'application/json', userProperties: { site: 'A', line: '1' }, responseTopic: 'props/reply' });
    expect(Buffer.from(properties['correlationData'] as Uint8Array).toString()).toBe('req-7');
    // The broker forwards the remaining lifetime: at most what was set, and more than 0 this soon.
    expect(properties['messageExpiryInterval']).toBeGreaterThan(290);
    expect(properties['messageExpiryInterval']).toBeLessThanOrEqual(300);
  });

  it('interop: mosquitto_pub → mqtt-in, and mqtt-out → mosquitto_sub -V 5 (with a user property)', async () => {
    const flow = await run(
      flowDoc(
        [{ id: 'cli', config: v5() }],
        [
          { id: 'in', type: 'mqtt-in', config: { broker: 'cli', topic: 'interop/in', payloadFormat: 'json' } },
          { id: 'out', type: 'mqtt-out', config: { broker: 'cli', topic: 'interop/out', qos: 1, retain: true, userProperties: { src: 'plantwire' } } },
          { id: 'probe', type: 'broker-probe', config: { broker: 'cli' } },
        ],
      ),
    );
    cleanups.push(() => flow.stop());
    await whenSubscribed('cli', 'interop/in');
    await runClient('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.port), '-V', '5', '-q', '1', '-t', 'interop/in', '-m', '{"temp":21.5}']);
    expect(await flow.next('in')).toMatchObject({ topic: 'interop/in', payload: { temp: 21.5 }, qos: 1 });

    flow.inject('out', { payload: { temp: 22 } });
    await flow.waitFor(() => flow.metrics()['out']!.in === 1 && flow.metrics()['out']!.queueDepth === 0 && flow.errors.length === 0);
    // Retained, so the CLI subscriber started after the publish gets it; -C 1 exits after one message.
    const line = await runClient('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(broker.port), '-V', '5', '-t', 'interop/out', '-C', '1', '-W', '5', '-F', '%t %p %P']);
    expect(line.trim()).toBe('interop/out {"temp":22} src:plantwire');
  });
});

describe('QoS 2 and refusals (MQTT 5, mosquitto)', () => {
  it('QoS 2: mqtt-out completes on PUBCOMP and mqtt-in delivers each message exactly once with qos 2', async () => {
    const { complete } = await import('@plantwire/nodes-core');
    const flow = await run(
      flowDoc(
        [{ id: 'q2', config: v5() }],
        [
          { id: 'out', type: 'mqtt-out', config: { broker: 'q2', topic: 'q2/x', qos: 2 } },
          { id: 'in', type: 'mqtt-in', config: { broker: 'q2', topic: 'q2/x', qos: 2, payloadFormat: 'text' } },
          { id: 'done', type: 'complete', config: { nodes: ['out'] } },
          { id: 'probe', type: 'broker-probe', config: { broker: 'q2' } },
        ],
      ),
      { extra: [complete] },
    );
    cleanups.push(() => flow.stop());
    await whenSubscribed('q2', 'q2/x');
    for (let i = 0; i < 10; i++) flow.inject('out', { payload: String(i) });
    expect((await flow.take('done', 10)).map((m) => m.payload)).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
    const got = await flow.take('in', 10);
    expect(got.map((m) => m.payload)).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
    expect(got.every((m) => m['qos'] === 2)).toBe(true);
    expect(flow.errors).toEqual([]);
  });

  it('a publish the broker\'s ACL denies is PUBLISH_REFUSED with the reason code; the next one still goes out', async () => {
    // mosquitto grants a denied subscription (it filters at delivery), so only the publish side can be refused here.
    const guarded = await startMosquitto({ acl: 'topic readwrite open/#\n' });
    cleanups.push(() => guarded.stop());
    const flow = await run(flowDoc([{ id: 'acl', config: { url: guarded.url, protocolVersion: 5 } }], [{ id: 'out', type: 'mqtt-out', config: { broker: 'acl', qos: 1 } }]));
    cleanups.push(() => flow.stop());
    await whenAllConnected(flow);
    flow.inject('out', { topic: 'secret/x', payload: 1 });
    flow.inject('out', { topic: 'open/x', payload: 2 });
    await flow.waitFor(() => flow.metrics()['out']!.in === 2 && flow.metrics()['out']!.queueDepth === 0 && flow.errors.length === 1, { timeoutMs: 5000 });
    expect(flow.errors[0]).toMatchObject({ nodeId: 'out', code: 'PUBLISH_REFUSED', message: expect.stringMatching(/"secret\/x".*reason code 135/) });
    expect(flow.runtime.connections()[0]).toMatchObject({ state: 'connected' });
  });
});
