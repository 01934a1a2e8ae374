/**
 * Values the interop tests pin with `plant.force()` so what an outside tool reads is exact, not a
 * moving signal. Floats are exactly representable in float32 and have at most 6 significant
 * digits (mbpoll prints floats with `%g`). Setpoints (Setpoint, Enable) are not forced: the
 * tests write them.
 */
import type { Plant } from '../start-plant.js';

/** Tag path → the value {@link forceTags} pins it to. */
export const FORCED_TAGS = {
  'Line1/Machine1/Temperature': 66.25,
  'Line1/Machine1/PartCount': 123_456,
  'Line1/Machine1/State': 'Running',
  'Line1/Machine1/Pressure': -1.25,
  'Line1/Machine1/Speed': 1500,
  'Line1/Machine1/Vibration': 2.5,
  'Line1/Machine1/Running': true,
  'Line1/Machine1/GuardClosed': false,
  // Above Machine2's alarm limit (90): its Alarm discrete input is on, Machine1's is off.
  'Line1/Machine2/Temperature': 91.5,
  // Above 2³¹: a signed 32-bit reading of it is negative; both words are non-zero, so word order shows.
  'Line1/Machine2/PartCount': 4_000_000_000,
  'Line1/Machine2/State': 'Fault',
  'Line1/Machine2/Pressure': 3.5,
  'Line1/Machine2/Speed': 900,
  'Line1/Machine2/Vibration': 0.75,
  'Line1/Machine2/Running': false,
  'Line1/Machine2/GuardClosed': true,
} as const satisfies Record<string, number | boolean | string>;

/** Pin every tag of {@link FORCED_TAGS}. */
export function forceTags(plant: Plant): void {
  for (const [path, value] of Object.entries(FORCED_TAGS)) plant.force(path, value);
}

/** An enum tag's register value: the index of its current value in the scenario's `values`. */
export function enumIndex(plant: Plant, path: string): number {
  const [line, machine, name] = path.split('/');
  const tag = plant.scenario.lines.find((l) => l.name === line)?.machines.find((m) => m.name === machine)?.tags.find((t) => t.name === name);
  if (tag?.type !== 'enum') throw new Error(`${path} is not an enum tag of the scenario`);
  return (tag.values ?? []).indexOf(String(plant.tags()[path]));
}
