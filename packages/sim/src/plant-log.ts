/** One structured log line of the simulated plant (faults, writes, server errors). */
export interface PlantLogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  /** The device the line is about, e.g. `modbus-unit-1`. */
  readonly device?: string;
  readonly [field: string]: unknown;
}

/** Where plant log lines go; the CLI prints them as JSON lines. Default: nowhere. */
export type PlantLog = (entry: PlantLogEntry) => void;
