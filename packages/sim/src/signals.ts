import type { SignalSpec } from './scenario.js';

/**
 * Where a signal is sampled: the plant time of the sample (already quantised to the tag's period),
 * the sample's index (which noise draw to use) and the tag's noise seed.
 */
export interface SampleContext {
  /** Plant time of the sample, in milliseconds since the plant started. */
  readonly tMs: number;
  /** `floor(time / periodMs)`: consecutive samples differ by one. */
  readonly sample: number;
  /** Seed of this tag's noise, from {@link tagSeed}. */
  readonly seed: number;
}

/**
 * The sample a plant time falls in, for a tag that changes every `periodMs`. Values are
 * piecewise constant: every read within one period sees the same sample.
 *
 * @example
 * sampleAt(1234, 100) // { sample: 12, tMs: 1200 }
 */
export function sampleAt(timeMs: number, periodMs: number): { sample: number; tMs: number } {
  const sample = Math.floor(Math.max(0, timeMs) / periodMs);
  return { sample, tMs: sample * periodMs };
}

// murmur3's finaliser: a cheap 32-bit mix with full avalanche, enough for test noise.
function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A counter-based PRNG: a uniform number in [0, 1) that depends only on its arguments. Noise built
 * on it is reproducible at any plant time, whatever order or rate the samples are read in, which a
 * sequential generator cannot give when Modbus, OPC UA and MQTT read the same tag independently.
 *
 * @example
 * randomAt(42, 0, 7) === randomAt(42, 0, 7) // true
 */
export function randomAt(seed: number, stream: number, index: number): number {
  const h = mix32(mix32(mix32(seed) ^ Math.imul(stream + 1, 0x9e3779b9)) ^ mix32(index + 0x632be5ab));
  return h / 0x1_0000_0000;
}

/**
 * A tag's noise seed: the scenario seed mixed with the tag's path, so two tags with the same signal
 * do not move in lockstep.
 *
 * @example
 * tagSeed(42, 'Line1/Machine1/Temperature')
 */
export function tagSeed(seed: number, path: string): number {
  let h = mix32(seed);
  for (let i = 0; i < path.length; i++) h = mix32(h ^ path.charCodeAt(i));
  return h;
}

/**
 * The value of a signal, or of a list of signals summed (e.g. sine + noise), at one sample.
 * Pure: the same spec and context always give the same number.
 *
 * @example
 * evaluateSignal([{ kind: 'sine', offset: 65, amplitude: 8, periodS: 60, phaseDeg: 0 }, { kind: 'noise', amplitude: 0.3 }],
 *   { tMs: 15_000, sample: 150, seed: 7 }) // ≈ 73 ± 0.3
 */
export function evaluateSignal(spec: SignalSpec | readonly SignalSpec[], ctx: SampleContext): number {
  if (!isList(spec)) return evaluateOne(spec, ctx, 0);
  let sum = 0;
  spec.forEach((part, i) => {
    sum += evaluateOne(part, ctx, i);
  });
  return sum;
}

function isList(spec: SignalSpec | readonly SignalSpec[]): spec is readonly SignalSpec[] {
  return Array.isArray(spec);
}

function evaluateOne(spec: SignalSpec, ctx: SampleContext, stream: number): number {
  const tS = ctx.tMs / 1000;
  switch (spec.kind) {
    case 'constant':
      return spec.value;
    case 'sine':
      return spec.offset + spec.amplitude * Math.sin((2 * Math.PI * tS) / spec.periodS + (spec.phaseDeg * Math.PI) / 180);
    case 'ramp': {
      const span = spec.to - spec.from;
      if (spec.shape === 'triangle') {
        const phase = (tS % (2 * spec.periodS)) / spec.periodS; // 0..2: up, then down
        return spec.from + span * (phase <= 1 ? phase : 2 - phase);
      }
      return spec.from + (span * (tS % spec.periodS)) / spec.periodS;
    }
    case 'noise':
      return spec.amplitude * (2 * randomAt(ctx.seed, stream, ctx.sample) - 1);
    case 'counter':
      return (spec.start + Math.floor(spec.ratePerS * tS + 1e-9)) % spec.wrapAt;
    case 'step': {
      const index = Math.floor(tS / spec.holdS + 1e-9) % spec.levels.length;
      return spec.levels[index] ?? 0;
    }
  }
}
