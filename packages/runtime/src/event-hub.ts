/**
 * A small typed event emitter. A listener that throws never breaks the emitter or the runtime:
 * the throw is handed to `onListenerError`. `count()` is a plain number read, so hot paths can skip
 * building an event nobody listens to.
 *
 * @example
 * const hub = new EventHub<{ tick: number }>((err) => console.error(err));
 * const off = hub.on('tick', (n) => console.log(n));
 * if (hub.count('tick') > 0) hub.emit('tick', 1);
 * off();
 */
export class EventHub<Events extends object> {
  private readonly listeners = new Map<keyof Events, Array<(payload: never) => void>>();
  private readonly counts = new Map<keyof Events, number>();

  constructor(private readonly onListenerError: (err: unknown, event: keyof Events) => void) {}

  /** Listeners currently subscribed to `event`. */
  count<E extends keyof Events>(event: E): number {
    return this.counts.get(event) ?? 0;
  }

  /** Subscribe; returns the unsubscribe function (safe to call twice). */
  on<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): () => void {
    // Copy on write so a listener that unsubscribes during an emit does not skip its neighbour.
    const next = [...(this.listeners.get(event) ?? []), listener as (payload: never) => void];
    this.listeners.set(event, next);
    this.counts.set(event, next.length);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const remaining = (this.listeners.get(event) ?? []).filter((l) => l !== listener);
      this.listeners.set(event, remaining);
      this.counts.set(event, remaining.length);
    };
  }

  /** Call every listener of `event` in subscription order. */
  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const list = this.listeners.get(event);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) {
      try {
        (list[i] as (payload: Events[E]) => void)(payload);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }
}
