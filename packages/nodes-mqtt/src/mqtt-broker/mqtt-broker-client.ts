import type { DeliveryOutcome } from '@plantwire/node-sdk';
import type { IClientSubscribeOptions, IPublishPacket, ISubscriptionGrant, MqttClient } from 'mqtt';

/** A PUBACK mqtt.js wants to send, kept back (see {@link MqttBrokerClient.take}). */
interface DeferredAck {
  readonly messageId: number;
  /** The PUBLISH it answers (undefined for an untracked one queued behind tracked ones). */
  readonly publish: IPublishPacket | undefined;
  /** Nodes that took the message and have not settled it yet. */
  takers: number;
  /** The PUBACK packet, once mqtt.js has made it. */
  packet: AckPacket | undefined;
  /** Some taker's message was dropped: never acknowledge it on this connection, so the broker redelivers it. */
  withheld: boolean;
}

interface AckPacket {
  readonly cmd: string;
  readonly messageId?: number;
}

type SendPacket = (packet: AckPacket, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

type Callback = (err?: Error) => void;
/** mqtt.js 5's own records of what it has not finished sending (see {@link MqttBrokerClient.failPending}). */
interface PendingInternals {
  outgoing?: Record<string, { cmd?: string; cb?: Callback } | undefined>;
  queue?: Array<{ packet?: { cmd?: string }; cb?: Callback }>;
}

/** mqtt.js's `customHandleAcks(topic, message, packet, done)`: `done(null, 0)` lets it emit and acknowledge the PUBLISH. */
type CustomHandleAcks = (topic: string, message: Buffer, packet: IPublishPacket, done: (err: Error | null, reasonCode: number) => void) => void;

/** The read gate's owner from the client's creation until the nodes using the connection are attached ({@link MqttBrokerClient.attached}). */
const ATTACHING = Object.freeze({ reason: 'the nodes of a new connection are not attached yet' });

/**
 * The client an `mqtt-broker` connection hands to its nodes: the mqtt.js client plus what several
 * nodes sharing one connection need: reference-counted subscriptions, and a read gate for
 * backpressure.
 *
 * Backpressure: mqtt.js hands every received PUBLISH to `handleMessage(packet, done)` and neither
 * acknowledges it (PUBACK/PUBREC) nor parses the next packet until `done` is called. While any
 * node {@link hold}s the gate, `done` is kept back, so mqtt.js stops reading the socket and the
 * broker and the TCP window hold the data instead of our memory. The price: nothing else on this
 * connection is read while it is held either (PUBACKs of our own publishes, PINGRESP), so a flow
 * that republishes what it reads should publish through a second connection entry.
 *
 * Acknowledgement after delivery: an mqtt-in node {@link take}s a QoS 1 PUBLISH while mqtt.js
 * emits it, and settles it once the flow has handled it. Reading goes on meanwhile (holding
 * `done` would serialise the connection to one message at a time); what waits is the PUBACK
 * packet itself: mqtt.js's `_sendPacket` is wrapped so a PUBACK of a taken message is kept (its
 * callback called at once) and sent when every node that took it has settled it. PUBACKs leave in
 * the order the PUBLISHes arrived (MQTT 3.1.1 §4.6, MQTT 5 §4.6), so an untracked PUBACK behind a
 * kept one waits too. A message some node dropped is never acknowledged on this connection: the
 * broker redelivers it after a reconnect when the session persists (`cleanStart: false`). When
 * the connection closes, every kept PUBACK is forgotten for the same reason.
 */
export class MqttBrokerClient {
  /** The mqtt.js client, connected with `reconnectPeriod: 0` (the runtime owns reconnects). */
  readonly mqtt: MqttClient;
  /** 4 (MQTT 3.1.1) or 5. */
  readonly protocolVersion: 4 | 5;
  /** The broker URL, for error messages. */
  readonly url: string;

  private readonly holders = new Set<object>();
  private waiting: Array<() => void> = [];
  private readonly subscribers = new Map<string, Set<object>>();
  private readonly granted = new Set<string>();
  /** Kept PUBACKs, in the order their PUBLISHes arrived; `ackHead` is the first still waiting. */
  private acks: DeferredAck[] = [];
  private ackHead = 0;
  /** The taken entries among `acks`, by message id. */
  private readonly ackById = new Map<number, DeferredAck>();
  declare private readonly sendPacket: SendPacket;
  /** PUBACKs withheld because a message was dropped (redelivered after the next reconnect). */
  withheld = 0;
  /** Ids of QoS 1 messages read while no node subscribed anything: their PUBACKs are withheld. */
  private readonly orphans = new Set<number>();

  /**
   * Wrap `mqtt`, which must be fresh from `mqtt.connect()` (nothing read yet): the read gate is
   * held from the first byte until {@link attached}. A persistent session's broker sends what it
   * kept for the session (unacknowledged and queued QoS 1/2 messages) right behind the CONNACK,
   * before any node could have attached its 'message' listener to this client; read then, they
   * would be acknowledged to nobody (lost) or taken for orphans (withheld, holding the broker's
   * in-flight window until the next reconnect).
   */
  constructor(mqtt: MqttClient, protocolVersion: 4 | 5, url: string) {
    this.mqtt = mqtt;
    this.protocolVersion = protocolVersion;
    this.url = url;
    // Every mqtt-in node on this connection adds a 'message' listener.
    mqtt.setMaxListeners(0);
    this.holders.add(ATTACHING);
    // mqtt.js asks `customHandleAcks` before it emits a QoS 1 or 2 PUBLISH and acknowledges it, so
    // keeping its callback back while the gate is held keeps both back; the next packet is not
    // parsed meanwhile. (mqtt.js takes the option only for MQTT 5 at construction, but reads it
    // from `options` for every PUBLISH, so it is set there for both versions.) A QoS 0 PUBLISH is
    // emitted before mqtt.js asks anything: one arriving in that moment may be missed, as QoS 0 allows.
    const handleAcks: CustomHandleAcks = (_topic, _message, _packet, done) => {
      if (this.holders.size === 0) done(null, 0);
      else this.waiting.push(() => done(null, 0));
    };
    (mqtt.options as { customHandleAcks?: CustomHandleAcks }).customHandleAcks = handleAcks;
    mqtt.handleMessage = (packet, done) => {
      // Read after the last subscriber left (a stop, a closing node): no node will ever see it, so
      // it must not be acknowledged; the broker redelivers it in the next session.
      if (this.subscribers.size === 0 && packet.cmd === 'publish' && packet.qos === 1 && packet.messageId !== undefined) this.orphans.add(packet.messageId);
      if (this.holders.size === 0) done();
      else this.waiting.push(() => done());
    };
    // mqtt.js 5 has no public hook between "handled" and "PUBACK sent"; `_sendPacket` is where every packet leaves.
    const internals = mqtt as unknown as { _sendPacket: SendPacket };
    const send: SendPacket = internals._sendPacket.bind(mqtt);
    this.sendPacket = send;
    internals._sendPacket = (packet, cb, ...rest) => {
      if (packet.cmd !== 'puback' || packet.messageId === undefined || (this.ackHead === this.acks.length && !this.orphans.has(packet.messageId))) {
        send(packet, cb, ...rest);
        return;
      }
      const orphan = this.orphans.delete(packet.messageId);
      const entry = orphan ? undefined : this.ackById.get(packet.messageId);
      if (entry !== undefined && entry.packet === undefined) entry.packet = packet;
      else this.acks.push({ messageId: packet.messageId, publish: undefined, takers: 0, packet, withheld: orphan });
      // Let mqtt.js read the next packet now; the PUBACK itself goes out in `flushAcks`.
      cb?.();
      this.flushAcks();
    };
    // A new connection gets a new client: what this one kept is redelivered by the broker (persistent session) or lost with the session.
    mqtt.on('close', () => {
      for (let i = this.ackHead; i < this.acks.length; i++) this.acks[i]!.takers = -1;
      this.acks = [];
      this.ackHead = 0;
      this.ackById.clear();
      this.orphans.clear();
      // Packets read but kept back behind the gate: never handed out now (the broker sends them again).
      this.waiting = [];
      this.failPending();
    });
  }

  /**
   * The nodes using this connection are attached (their `onConnected` listeners ran): open the
   * read gate held since the client was created. Idempotent.
   */
  attached(): void {
    this.release(ATTACHING);
  }

  /**
   * Fail every publish still waiting for the broker, as the link closed. With `cleanStart: false`
   * mqtt.js keeps a QoS 1/2 publish for a resend on its own reconnect and never calls back; the
   * runtime does not reconnect a client (it makes a new one), so without this the publish would
   * neither resolve nor fail, and mqtt-out's slot (and the message) with it. The error has no
   * reason code, so mqtt-out reports NOT_CONNECTED and store-and-forward buffers the message.
   */
  private failPending(): void {
    const internals = this.mqtt as unknown as PendingInternals;
    const err = new Error(`the connection to ${this.url} closed before the broker acknowledged the publish`);
    const outgoing = internals.outgoing ?? {};
    for (const id of Object.keys(outgoing)) {
      const entry = outgoing[id];
      // Publishes only (QoS 2 past PUBREC waits as 'pubrel'); a pending SUBSCRIBE is its node's business.
      if (entry?.cb === undefined || (entry.cmd !== 'publish' && entry.cmd !== 'pubrel')) continue;
      delete outgoing[id];
      entry.cb(err);
    }
    // QoS 0 publishes made while offline wait in `queue` for mqtt.js's own reconnect.
    const queued = internals.queue ?? [];
    const failed = queued.filter((entry) => entry.packet?.cmd === 'publish');
    if (failed.length !== 0) internals.queue = queued.filter((entry) => entry.packet?.cmd !== 'publish');
    for (const entry of failed) entry.cb?.(err);
  }

  /**
   * Take a QoS 1 PUBLISH that mqtt.js is emitting now (call from a 'message' listener): its PUBACK
   * waits until the returned function has been called by every node that took it. Settle with the
   * runtime's outcome: 'dropped' withholds the PUBACK for good on this connection (the broker
   * redelivers after a reconnect with a persistent session). Undefined for QoS 0 and 2 (mqtt.js
   * answers QoS 2 with PUBREC before it emits the message, so there is nothing left to defer).
   */
  take(publish: IPublishPacket): ((outcome: DeliveryOutcome) => void) | undefined {
    if (publish.qos !== 1 || publish.messageId === undefined || !this.mqtt.connected) return undefined;
    let entry = this.ackById.get(publish.messageId);
    if (entry === undefined || entry.publish !== publish) {
      entry = { messageId: publish.messageId, publish, takers: 0, packet: undefined, withheld: false };
      this.ackById.set(publish.messageId, entry);
      this.acks.push(entry);
    }
    entry.takers++;
    const taken = entry;
    let settled = false;
    return (outcome) => {
      // Once per taker; an entry of a closed connection is gone (takers -1).
      if (settled || taken.takers <= 0) return;
      settled = true;
      if (outcome === 'dropped') taken.withheld = true;
      taken.takers--;
      this.flushAcks();
    };
  }

  /** PUBACKs waiting to be sent (tests, metrics). */
  get pendingAcks(): number {
    return this.acks.length - this.ackHead;
  }

  /** Send the kept PUBACKs whose messages every taker has settled, in arrival order, up to the first that still waits. */
  private flushAcks(): void {
    const acks = this.acks;
    while (this.ackHead < acks.length) {
      const entry = acks[this.ackHead]!;
      if (entry.takers !== 0 || entry.packet === undefined) break;
      acks[this.ackHead++] = undefined as unknown as DeferredAck;
      if (entry.publish !== undefined && this.ackById.get(entry.messageId) === entry) this.ackById.delete(entry.messageId);
      if (entry.withheld) this.withheld++;
      else this.sendPacket(entry.packet);
    }
    if (this.ackHead === acks.length) {
      this.acks = [];
      this.ackHead = 0;
    } else if (this.ackHead > 1024 && this.ackHead * 2 > acks.length) {
      this.acks = acks.slice(this.ackHead);
      this.ackHead = 0;
    }
  }

  /** True while some node holds the read gate. */
  get paused(): boolean {
    return this.holders.size !== 0;
  }

  /** Stop reading from the broker until every holder has released (idempotent per owner). */
  hold(owner: object): void {
    this.holders.add(owner);
  }

  /** Drop `owner`'s hold; reading resumes when no holder is left. */
  release(owner: object): void {
    if (!this.holders.delete(owner) || this.holders.size !== 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const done of waiting) done();
  }

  /**
   * Subscribe `filter` for `owner` and resolve with the broker's grant (a granted QoS ≥ 128 means
   * refused). Several owners may subscribe the same filter; it is unsubscribed when the last one
   * leaves ({@link unsubscribe}).
   */
  async subscribe(filter: string, options: IClientSubscribeOptions, owner: object): Promise<ISubscriptionGrant | undefined> {
    let owners = this.subscribers.get(filter);
    if (!owners) this.subscribers.set(filter, (owners = new Set()));
    owners.add(owner);
    const grants = await this.mqtt.subscribeAsync(filter, options);
    if (grants[0] && grants[0].qos < 128) this.granted.add(filter);
    return grants[0];
  }

  /** True once the broker granted a subscription of `filter` on this client (and until it is unsubscribed). */
  isSubscribed(filter: string): boolean {
    return this.granted.has(filter);
  }

  /** Forget `owner`'s subscription of `filter`; unsubscribe at the broker when no owner is left. Never throws. */
  unsubscribe(filter: string, owner: object): void {
    const owners = this.subscribers.get(filter);
    if (!owners?.delete(owner) || owners.size !== 0) return;
    this.subscribers.delete(filter);
    this.granted.delete(filter);
    // Fire and forget: the node is closing, and a dead link must not hold its close up.
    if (this.mqtt.connected) this.mqtt.unsubscribe(filter, () => undefined);
  }
}
