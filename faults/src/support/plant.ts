import { defaultScenario, startPlant, type Plant, type PlantServer } from '@plantwire/sim';

/**
 * The simulated plant of the default scenario without its scripted faults (the default silences
 * Modbus unit 1 at 30 s, which would land inside a long case), on fixed or ephemeral ports. Start
 * it again with the same `ports` and `dataDir` to bring a stopped device back on the same address.
 */
export function startQuietPlant(servers: readonly PlantServer[], options: { ports?: { mqtt?: number; modbus?: number; opcua?: number }; dataDir?: string } = {}): Promise<Plant> {
  return startPlant({
    scenario: { ...defaultScenario(), faults: [] },
    servers,
    ports: { mqtt: 0, modbus: 0, opcua: 0, ...options.ports },
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
}

/** The message tag values carry: `{value, quality, sourceTime, reason?}`. */
export interface TagValueLike {
  readonly value: unknown;
  readonly quality: 'good' | 'uncertain' | 'bad';
  readonly reason?: string;
}

/** Whether `v` looks like a TagValue. */
export function isTagValue(v: unknown): v is TagValueLike {
  return typeof v === 'object' && v !== null && 'quality' in v;
}
