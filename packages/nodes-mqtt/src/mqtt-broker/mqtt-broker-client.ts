import type { IClientSubscribeOptions, ISubscriptionGrant, MqttClient } from 'mqtt';

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

  constructor(mqtt: MqttClient, protocolVersion: 4 | 5, url: string) {
    this.mqtt = mqtt;
    this.protocolVersion = protocolVersion;
    this.url = url;
    // Every mqtt-in node on this connection adds a 'message' listener.
    mqtt.setMaxListeners(0);
    mqtt.handleMessage = (_packet, done) => {
      if (this.holders.size === 0) done();
      else this.waiting.push(() => done());
    };
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
