import type { AnyConnectionType, AnyNodeType, Message, MessageInit } from '@plantwire/node-sdk';
import type { ConnectionEvent } from '@plantwire/runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runFlow, type FlowUnderTest, type RunFlowOptions } from '../run-flow.js';
import { startTcpProxy, type TcpAddress, type TcpProxy } from './tcp-proxy.js';

/**
 * How values written by the sink must come out of the source:
 * - `every`: each value exactly once, in write order (a broker with QoS ≥ 1);
 * - `latest`: the source samples the peer's state (Modbus polling, OPC UA sampling), so values
 *   written between two samples may be overwritten: what arrives is strictly increasing and the
 *   last value written arrives. Loss on the write side is still caught by the sink's
 *   acknowledgements ({@link SourceSinkConformanceSpec.sinkAck}).
 */
export type ConformanceDelivery = 'every' | 'latest';

/** A device, broker or server the flow talks to, started and restarted by the suite. */
export interface ConformancePeer {
  /** Start the peer; resolve with where it listens. Called once, in `beforeAll`. */
  start(): Promise<TcpAddress>;
  /** Cut every client (a crash or a restart of the device) and listen again on the same address; resolve when it accepts clients again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /**
   * How many connections (sessions) of the flow the peer sees open right now. Without it the suite
   * puts a {@link TcpProxy} between the flow and the peer and counts its connections instead.
   */
  clients?(): Promise<number>;
}

/** What the suite hands to the spec's hooks. */
export interface ConformanceContext {
  readonly flow: FlowUnderTest;
  /** Where the flow connects: the suite's TCP proxy, or the peer itself when the peer counts its own clients. */
  readonly address: TcpAddress;
  /** Where the peer itself listens (for an outside client that is not part of the flow). */
  readonly peerAddress: TcpAddress;
}

/** The protocol-specific half of the conformance suite; see {@link describeSourceSinkConformance}. */
export interface SourceSinkConformanceSpec {
  /** The describe title, e.g. `mqtt-in/mqtt-out against mosquitto`. */
  readonly name: string;
  readonly nodeTypes: readonly AnyNodeType[];
  readonly connectionTypes: readonly AnyConnectionType[];
  /**
   * More runFlow options (dataDir, env, connectTimeoutMs), or a function giving them when a flow
   * starts (after the peer started). The reconnect backoff defaults to 20 … 200 ms.
   */
  readonly runOptions?: Partial<RunFlowOptions> | (() => Partial<RunFlowOptions>);
  readonly peer: ConformancePeer;
  /** The flow document: the sink node writes to the peer at `address`, the source node reads it back. */
  document(address: TcpAddress): unknown;
  /** Node id of the sink (values are injected into its first input). */
  readonly sink: string;
  /** Node id of the source. */
  readonly source: string;
  /** The message that makes the sink write value number `seq` (1, 2, 3…, increasing over the whole suite). */
  encode(seq: number): MessageInit;
  /** The `seq` a source message carries; undefined for a message that carries none (e.g. a bad-quality sample while the link is down). */
  decode(msg: Message): number | undefined;
  /**
   * For a sink with an output port that passes each message on once the peer acknowledged it: the
   * `seq` of an acknowledgement (a message of {@link ackNode}). The suite then checks that every
   * value written was acknowledged, in order, and that a refused input was not passed on.
   */
  sinkAck?(msg: Message): number | undefined;
  /** The node whose first output carries the acknowledgements: the sink (default), or a node wired after it (write-then-read). */
  readonly ackNode?: string;
  readonly delivery: ConformanceDelivery;
  /**
   * `burst` (default): inject all N values, then wait. `lockstep`: write a value and wait for it at
   * the source before the next (for sources that sample slower than the sink writes).
   */
  readonly pace?: 'burst' | 'lockstep';
  /** N, the number of values of the "N in order" case. */
  readonly count: number;
  /** Bad input for the flow, and the node error it must cause. */
  readonly malformed: {
    /** What is wrong, for the test title (e.g. `invalid JSON on the topic`). */
    readonly description: string;
    /** Produce it: publish garbage to the peer, inject a value the device refuses… */
    produce(ctx: ConformanceContext): Promise<void> | void;
    /** The error the flow must report: the node, the catalogue code, and a message naming where (topic, tag, node id) and why. */
    readonly error: { readonly nodeId: string; readonly code: string; readonly message: RegExp };
  };
  /** How long `stop()` may take with traffic in flight. */
  readonly closeWithinMs: number;
  /** The device restart case. */
  readonly restart?: {
    /** Error codes the flow may report while the peer is down (default NOT_CONNECTED). */
    readonly allowedErrorCodes?: readonly string[];
    /** Protocol-specific checks once values flow again (e.g. OPC UA: exactly one live subscription). */
    check?(ctx: ConformanceContext): Promise<void>;
  };
  /** Bound of `beforeAll` (peer start). Default 20 s. */
  readonly setupTimeoutMs?: number;
  /** Bound of each case. Default 20 s. */
  readonly caseTimeoutMs?: number;
  /** How long to wait for one probe value before writing the next while waiting for the path to carry values. Default 500 ms. */
  readonly probeMs?: number;
}

const WAIT_MS = 10_000;

/** TCP sockets this process holds: a stopped flow must give back every one it opened. */
function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

/**
 * Register the shared conformance cases for one source/sink pair against one peer (vitest
 * `describe`/`it`). The suite starts the peer once, runs a fresh flow per case, and checks:
 *
 * - **open/close**: the connections come up and the nodes show it; `stop()` resolves with a clean
 *   report, every connection goes idle, the peer sees no client left, and no TCP socket is left;
 * - **N in order**: N values written through the sink come out of the source in order, none lost
 *   or duplicated (under the spec's {@link ConformanceDelivery});
 * - **device restart**: the peer restarts mid-stream; the connection goes down and up again (runtime
 *   supervision, red then green badge on the source), values flow again, nothing goes backwards;
 * - **malformed input**: the expected node error names where and why, nothing of it leaves a node,
 *   and a following good value still arrives;
 * - **close within timeout**: `stop()` with values in flight resolves within the bound and the
 *   peer sees the client disconnect (every connection closed from the client side).
 *
 * Values are numbered by one counter for the whole suite, so a value left on the peer by an
 * earlier case is always older (smaller) than the ones a case writes.
 *
 * @example
 * describeSourceSinkConformance({
 *   name: 'mqtt-in/mqtt-out against aedes', nodeTypes: mqttNodes, connectionTypes: mqttConnections,
 *   peer, document: (a) => doc(`mqtt://${a.host}:${a.port}`), sink: 'sink', source: 'source',
 *   encode: (seq) => ({ payload: seq }), decode: (m) => m.payload as number,
 *   delivery: 'every', count: 200, closeWithinMs: 2000, malformed: { … },
 * });
 */
export function describeSourceSinkConformance(spec: SourceSinkConformanceSpec): void {
  describe(`source/sink conformance: ${spec.name}`, () => {
    let peerAddress: TcpAddress;
    let proxy: TcpProxy | undefined;
    let address: TcpAddress;
    let seq = 0;
    let flow: FlowUnderTest | undefined;
    const caseTimeout = spec.caseTimeoutMs ?? 20_000;
    const probeMs = spec.probeMs ?? 500;
    const ackNode = spec.ackNode ?? spec.sink;

    beforeAll(async () => {
      peerAddress = await spec.peer.start();
      if (!spec.peer.clients) proxy = await startTcpProxy(peerAddress);
      address = proxy ? { host: proxy.host, port: proxy.port } : peerAddress;
    }, spec.setupTimeoutMs ?? 20_000);

    // A failed case must not leave its flow running into the next one.
    afterEach(async () => {
      await flow?.stop();
      flow = undefined;
    });

    afterAll(async () => {
      await proxy?.close();
      await spec.peer.stop();
    }, 20_000);

    const ctxOf = (f: FlowUnderTest): ConformanceContext => ({ flow: f, address, peerAddress });
    const peerClients = (): Promise<number> => (spec.peer.clients ? spec.peer.clients() : Promise.resolve(proxy!.openCount()));

    /** `flow.waitFor`, failing with what was awaited. */
    async function until(f: FlowUnderTest, what: string, condition: () => boolean, timeoutMs = WAIT_MS): Promise<void> {
      try {
        await f.waitFor(condition, { timeoutMs });
      } catch (err) {
        throw new Error(`${spec.name}: waited ${timeoutMs} ms for ${what}: ${(err as Error).message}`, { cause: err });
      }
    }

    async function start(): Promise<FlowUnderTest> {
      const f = await runFlow(spec.document(address), {
        nodeTypes: spec.nodeTypes,
        connectionTypes: spec.connectionTypes,
        connectionBackoff: { initialMs: 20, maxMs: 200 },
        ...(typeof spec.runOptions === 'function' ? spec.runOptions() : spec.runOptions),
      });
      flow = f;
      await until(f, 'every connection to be connected', () => f.runtime.connections().length > 0 && f.runtime.connections().every((c) => c.state === 'connected'));
      return f;
    }

    async function stop(f: FlowUnderTest) {
      const report = await f.stop();
      flow = undefined;
      return report;
    }

    /** The seqs the source sent since its message number `from` (messages that carry none left out). */
    const valuesSince = (f: FlowUnderTest, from: number): number[] =>
      f
        .sent(spec.source)
        .slice(from)
        .map((m) => spec.decode(m))
        .filter((v): v is number => v !== undefined);

    const write = (f: FlowUnderTest, value: number) => {
      expect(f.inject(spec.sink, spec.encode(value)), `the sink "${spec.sink}" refused value ${value} (queue full)`).toBe(true);
    };

    const arrived = (f: FlowUnderTest, from: number, value: number, timeoutMs: number) =>
      until(f, `value ${value} at "${spec.source}"`, () => valuesSince(f, from).some((v) => v >= value), timeoutMs);

    /**
     * Wait until the path sink → peer → source carries values: write a fresh value, wait a little
     * for it, write the next… (a subscription may be granted a moment after the connection is up).
     */
    async function whenFlowing(f: FlowUnderTest, timeoutMs = WAIT_MS): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      const from = f.sent(spec.source).length;
      for (;;) {
        const value = ++seq;
        write(f, value);
        try {
          await arrived(f, from, value, probeMs);
          return;
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`no value written through "${spec.sink}" reached "${spec.source}" within ${timeoutMs} ms`, { cause: err });
        }
      }
    }

    /** Write `count` fresh values (burst or lockstep); resolve with them once the last one arrived. */
    async function writeValues(f: FlowUnderTest, count: number, pace = spec.pace ?? 'burst'): Promise<number[]> {
      const from = f.sent(spec.source).length;
      const values = Array.from({ length: count }, () => ++seq);
      if (pace === 'lockstep') {
        for (const v of values) {
          write(f, v);
          await arrived(f, from, v, WAIT_MS);
        }
      } else {
        for (const v of values) write(f, v);
        await arrived(f, from, values.at(-1)!, WAIT_MS);
      }
      return values;
    }

    /** Check what the source delivered of `written` (given as read since message `from`). */
    function expectDelivered(observed: readonly number[], written: readonly number[]) {
      const ours = observed.filter((v) => v >= written[0]!);
      if (spec.delivery === 'every') {
        expect(ours, 'every value exactly once, in write order').toEqual(written);
      } else {
        for (let i = 1; i < ours.length; i++) expect(ours[i]!, `value after ${ours[i - 1]} (observed: ${ours.join(', ')})`).toBeGreaterThan(ours[i - 1]!);
        expect(ours.at(-1), 'the last value written arrives').toBe(written.at(-1));
        expect(ours.every((v) => written.includes(v)), 'only values that were written').toBe(true);
      }
    }

    function expectAcks(f: FlowUnderTest, ackFrom: number, written: readonly number[]) {
      if (!spec.sinkAck) return;
      const acks = f
        .sent(ackNode)
        .slice(ackFrom)
        .map((m) => spec.sinkAck!(m));
      expect(acks.filter((a) => a !== undefined && a >= written[0]!), 'the sink acknowledged every value, in order').toEqual(written);
    }

    const statusesOf = (f: FlowUnderTest, nodeId: string, from = 0) => f.statuses.slice(from).filter((s) => s.nodeId === nodeId);

    it('open/close: connects and shows it; stop() is clean and leaves no connection or socket behind', async () => {
      const socketsBefore = tcpSockets();
      const f = await start();
      await until(f, 'a green badge on the sink and the source', () => [spec.sink, spec.source].every((id) => statusesOf(f, id).some((s) => s.status?.fill === 'green')));
      expect(await peerClients(), 'the peer sees the flow connected').toBeGreaterThan(0);
      const report = await stop(f);
      expect(report).toMatchObject({ drained: true, remaining: 0 });
      expect(f.runtime.connections().every((c) => c.state === 'idle'), `connections after stop: ${JSON.stringify(f.runtime.connections())}`).toBe(true);
      await vi.waitFor(async () => expect(await peerClients(), 'clients the peer still sees').toBe(0), { timeout: WAIT_MS, interval: 20 });
      await vi.waitFor(() => expect(tcpSockets(), 'TCP sockets open in this process').toBe(socketsBefore), { timeout: WAIT_MS, interval: 20 });
      expect(f.errors).toEqual([]);
    }, caseTimeout);

    it(`N in order: ${spec.count} values written through the sink arrive at the source in order (${spec.delivery}, ${spec.pace ?? 'burst'})`, async () => {
      const f = await start();
      await whenFlowing(f);
      const from = f.sent(spec.source).length;
      const ackFrom = f.sent(ackNode).length;
      const written = await writeValues(f, spec.count);
      // The sink may still pass on acknowledgements after the source saw the last value.
      if (spec.sinkAck) await until(f, `the sink's acknowledgement of ${written.at(-1)}`, () => f.sent(ackNode).slice(ackFrom).some((m) => spec.sinkAck!(m) === written.at(-1)));
      expectDelivered(valuesSince(f, from), written);
      expectAcks(f, ackFrom, written);
      expect(f.errors).toEqual([]);
      await stop(f);
    }, caseTimeout);

    it('device restart: the peer restarts mid-stream; the runtime reconnects and values flow again, never backwards', async () => {
      const f = await start();
      await whenFlowing(f);
      const from = f.sent(spec.source).length;
      const statusFrom = f.statuses.length;
      const errorsFrom = f.errors.length;
      const events: ConnectionEvent[] = [];
      const off = f.runtime.on('connection', (e) => events.push(e));
      try {
        // Mid-stream: N values are queued and on their way when the peer goes down (those the
        // sink cannot write any more are NOT_CONNECTED errors; nothing of them may come back later).
        for (let i = 0; i < spec.count; i++) write(f, ++seq);
        await spec.peer.restart();
        await until(f, 'a connection to go down after the restart', () => events.some((e) => e.state !== 'connected'));
        const downAt = events.findIndex((e) => e.state !== 'connected');
        await until(f, 'every connection to be connected again', () => events.slice(downAt).some((e) => e.state === 'connected') && f.runtime.connections().every((c) => c.state === 'connected'));
        // The source's badge went red (down) and then green again.
        const badges = statusesOf(f, spec.source, statusFrom).map((s) => s.status?.fill);
        const redAt = badges.indexOf('red');
        expect(redAt, `source badges after the restart: ${badges.join(', ')}`).toBeGreaterThanOrEqual(0);
        await until(f, 'the source badge to turn green again', () => statusesOf(f, spec.source, statusFrom).slice(redAt).some((s) => s.status?.fill === 'green'));

        await whenFlowing(f);
        const afterFrom = f.sent(spec.source).length;
        const ackFrom = f.sent(ackNode).length;
        const written = await writeValues(f, Math.min(spec.count, 20));
        expectDelivered(valuesSince(f, afterFrom), written);
        if (spec.sinkAck) {
          await until(f, `the sink's acknowledgement of ${written.at(-1)}`, () => f.sent(ackNode).slice(ackFrom).some((m) => spec.sinkAck!(m) === written.at(-1)));
          expectAcks(f, ackFrom, written);
        }
        // Across the restart nothing went backwards; with `every` nothing came twice either. (A
        // sampling source may report the value it holds again after reconnecting: that is state, not a replay.)
        const all = valuesSince(f, from);
        for (let i = 1; i < all.length; i++) {
          if (spec.delivery === 'every') expect(all[i]!, `after ${all[i - 1]}`).toBeGreaterThan(all[i - 1]!);
          else expect(all[i]!, `after ${all[i - 1]}`).toBeGreaterThanOrEqual(all[i - 1]!);
        }
        const allowed = spec.restart?.allowedErrorCodes ?? ['NOT_CONNECTED'];
        const unexpected = f.errors.slice(errorsFrom).filter((e) => !allowed.includes(e.code));
        expect(unexpected, `errors other than ${allowed.join(', ')}`).toEqual([]);
        await spec.restart?.check?.(ctxOf(f));
      } finally {
        off();
      }
      await stop(f);
    }, caseTimeout);

    it(`malformed input (${spec.malformed.description}): a node error names where and why, nothing of it leaks, the flow keeps running`, async () => {
      const f = await start();
      await whenFlowing(f);
      const from = f.sent(spec.source).length;
      const ackFrom = f.sent(ackNode).length;
      const errorsFrom = f.errors.length;
      await spec.malformed.produce(ctxOf(f));
      const { nodeId, code, message } = spec.malformed.error;
      await until(f, `the ${spec.malformed.error.code} error`, () => f.errors.length > errorsFrom);
      const good = ++seq;
      write(f, good);
      await arrived(f, from, good, WAIT_MS);
      if (spec.sinkAck) await until(f, `the sink's acknowledgement of ${good}`, () => f.sent(ackNode).slice(ackFrom).some((m) => spec.sinkAck!(m) === good));

      const errors = f.errors.slice(errorsFrom);
      expect(errors, 'exactly the expected error').toHaveLength(1);
      expect(errors[0]).toMatchObject({ nodeId, code });
      expect(errors[0]!.message).toMatch(message);
      // Nothing of the bad input left the source or the sink: only the good value did.
      const sourceOut = f.sent(spec.source).slice(from);
      expect(sourceOut.map((m) => spec.decode(m)), 'what the source sent after the bad input').toEqual(sourceOut.map(() => expect.any(Number)));
      expect(valuesSince(f, from).every((v) => v <= good)).toBe(true);
      if (spec.sinkAck) expect(f.sent(ackNode).slice(ackFrom).map((m) => spec.sinkAck!(m)), 'what the sink passed on after the bad input').toEqual([good]);
      expect(f.runtime.connections().every((c) => c.state === 'connected')).toBe(true);
      await stop(f);
    }, caseTimeout);

    it(`close within timeout: stop() with values in flight resolves within ${spec.closeWithinMs} ms and the peer sees the client disconnect`, async () => {
      const proxyFrom = proxy?.connections.length ?? 0;
      const f = await start();
      await whenFlowing(f);
      const from = f.sent(spec.source).length;
      const inFlight = Array.from({ length: Math.max(spec.count, 50) }, () => ++seq);
      for (const v of inFlight) write(f, v);
      await arrived(f, from, inFlight[0]!, WAIT_MS);
      const started = performance.now();
      const report = await stop(f);
      const took = performance.now() - started;
      expect(took, `stop() took ${Math.round(took)} ms (report ${JSON.stringify(report)})`).toBeLessThanOrEqual(spec.closeWithinMs);
      await vi.waitFor(async () => expect(await peerClients(), 'clients the peer still sees').toBe(0), { timeout: spec.closeWithinMs, interval: 20 });
      if (proxy) {
        const ours = proxy.connections.slice(proxyFrom);
        expect(ours.length).toBeGreaterThan(0);
        expect(ours.map((c) => c.closedBy), 'who closed each connection of the flow').toEqual(ours.map(() => 'client'));
      }
    }, caseTimeout);
  });
}
