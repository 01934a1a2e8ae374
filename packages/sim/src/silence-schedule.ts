/**
 * A device of the simulated plant that faults can target: the MQTT broker, the whole Modbus PLC,
 * one Modbus unit behind it, or the OPC UA server.
 */
export type PlantDevice = 'mqtt' | 'modbus' | 'opcua' | `modbus-unit-${number}`;

/** Which silences are in force and until when; ends each one with a timer. */
export class SilenceSchedule {
  readonly #until = new Map<PlantDevice, { readonly untilMs: number; readonly timer: ReturnType<typeof setTimeout> }>();

  /**
   * @param onChange called with `true` when a device falls silent and `false` when it answers again
   *   (not again when an ongoing silence is only extended).
   */
  constructor(private readonly onChange: (device: PlantDevice, silent: boolean, untilMs: number) => void) {}

  /** Silence a device for `ms` from now; a silence already running is extended, never shortened. */
  silence(device: PlantDevice, ms: number): void {
    if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`silence(${device}, ms): ms must be a positive number of milliseconds; got ${ms}`);
    const now = Date.now();
    const current = this.#until.get(device);
    const untilMs = Math.max(now + ms, current?.untilMs ?? 0);
    if (current) clearTimeout(current.timer);
    const timer = setTimeout(() => this.resume(device), untilMs - now);
    this.#until.set(device, { untilMs, timer });
    if (!current) this.onChange(device, true, untilMs);
  }

  /** End a device's silence now (no-op when it is not silent). */
  resume(device: PlantDevice): void {
    const current = this.#until.get(device);
    if (!current) return;
    clearTimeout(current.timer);
    this.#until.delete(device);
    this.onChange(device, false, Date.now());
  }

  isSilent(device: PlantDevice): boolean {
    return this.#until.has(device);
  }

  /** Drop every silence and its timer without notifying (the plant is stopping). */
  clear(): void {
    for (const { timer } of this.#until.values()) clearTimeout(timer);
    this.#until.clear();
  }
}
