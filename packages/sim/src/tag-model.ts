import { tagPath, type PlantScenario, type ScenarioTag } from './scenario.js';
import { evaluateSignal, sampleAt, tagSeed } from './signals.js';

/** A tag's current value as clients see it: numbers, booleans, and state names for enum tags. */
export type TagValue = number | boolean | string;

/** One tag of the plant with where it sits. */
export interface ModelTag {
  /** `Line/Machine/Tag`, the key of {@link TagModel.snapshot}. */
  readonly path: string;
  readonly line: string;
  readonly machine: string;
  readonly spec: ScenarioTag;
  readonly periodMs: number;
  /** True for setpoint tags: clients may write them. */
  readonly writable: boolean;
}

/** Why a write was refused. */
export type WriteRefusal = 'unknown-tag' | 'read-only' | 'type-mismatch' | 'out-of-range';

/** The outcome of {@link TagModel.write}. */
export type WriteResult = { readonly ok: true } | { readonly ok: false; readonly reason: WriteRefusal; readonly message: string };

/**
 * The plant's values: signals evaluated at the plant time, setpoints written by clients, alarms
 * derived from their source tags, and test overrides. Every protocol server reads and writes
 * through one model, so a setpoint written over Modbus is what OPC UA reads.
 */
export interface TagModel {
  readonly tags: readonly ModelTag[];
  /** The tag at a path, or undefined. */
  get(path: string): ModelTag | undefined;
  /** Current value (enum tags as their state name). */
  value(path: string): TagValue;
  /** Current value as a number: enum → state index, bool → 0/1. What a register holds before scaling. */
  numeric(path: string): number;
  /** The active message of an alarm tag, "" when inactive. */
  alarmMessage(path: string): string;
  /** Write a setpoint; numbers are accepted for bool tags as 0/1. */
  write(path: string, value: number | boolean): WriteResult;
  /** What {@link TagModel.write} would answer, without writing (for all-or-nothing multi-tag writes). */
  check(path: string, value: number | boolean): WriteResult;
  /** Pin any tag to a value until `force(path, undefined)`; for tests that need a value now (e.g. an alarm). */
  force(path: string, value: TagValue | undefined): void;
  /** Every tag's value, plus `<Alarm>Message` for alarm tags. */
  snapshot(): Record<string, TagValue>;
}

/**
 * Build the tag model of a scenario.
 *
 * @param clock plant time in milliseconds (0 at start); injected so tests control time.
 * @example
 * let now = 0;
 * const model = createTagModel(defaultScenario(), { clock: () => now });
 * now = 15_000;
 * model.value('Line1/Machine1/Temperature'); // ≈ 73
 */
export function createTagModel(scenario: PlantScenario, options: { clock: () => number }): TagModel {
  const tags: ModelTag[] = [];
  const byPath = new Map<string, ModelTag>();
  const seeds = new Map<string, number>();
  const setpoints = new Map<string, number | boolean>();
  const forced = new Map<string, TagValue>();

  for (const line of scenario.lines) {
    for (const machine of line.machines) {
      for (const spec of machine.tags) {
        const path = tagPath(line.name, machine.name, spec.name);
        const tag: ModelTag = { path, line: line.name, machine: machine.name, spec, periodMs: spec.periodMs ?? scenario.updateMs, writable: spec.setpoint !== undefined };
        tags.push(tag);
        byPath.set(path, tag);
        seeds.set(path, tagSeed(scenario.seed, path));
        if (spec.setpoint) setpoints.set(path, spec.setpoint.initial);
      }
    }
  }

  const need = (path: string): ModelTag => {
    const tag = byPath.get(path);
    if (!tag) throw new Error(`no tag "${path}" in the plant; known tags are Line/Machine/Tag paths such as ${tags[0]?.path ?? '(none)'}`);
    return tag;
  };

  // The raw number before type conversion: signal sum, stored setpoint, or alarm state.
  const raw = (tag: ModelTag): number => {
    const pinned = forced.get(tag.path);
    if (pinned !== undefined) return toNumber(tag, pinned);
    const { spec } = tag;
    if (spec.setpoint) return toNumber(tag, setpoints.get(tag.path) ?? spec.setpoint.initial);
    if (spec.alarm) return alarmActive(tag) ? 1 : 0;
    if (!spec.signal) return 0;
    const at = sampleAt(options.clock(), tag.periodMs);
    return evaluateSignal(spec.signal, { ...at, seed: seeds.get(tag.path) ?? 0 });
  };

  const alarmActive = (tag: ModelTag): boolean => {
    const alarm = tag.spec.alarm;
    if (!alarm) return false;
    const source = byPath.get(tagPath(tag.line, tag.machine, alarm.source));
    if (!source) return false;
    const v = numericOf(source);
    return (alarm.above !== undefined && v > alarm.above) || (alarm.below !== undefined && v < alarm.below);
  };

  const numericOf = (tag: ModelTag): number => {
    const { spec } = tag;
    let v = raw(tag);
    if (spec.min !== undefined) v = Math.max(spec.min, v);
    if (spec.max !== undefined) v = Math.min(spec.max, v);
    switch (spec.type) {
      case 'float':
        return v;
      case 'int':
        return Math.round(v);
      case 'uint':
        return Math.max(0, Math.round(v));
      case 'bool':
        return v >= 0.5 ? 1 : 0;
      case 'enum':
        return Math.min(Math.max(Math.round(v), 0), (spec.values?.length ?? 1) - 1);
    }
  };

  const valueOf = (tag: ModelTag): TagValue => {
    const n = numericOf(tag);
    if (tag.spec.type === 'bool') return n === 1;
    if (tag.spec.type === 'enum') return tag.spec.values?.[n] ?? String(n);
    return n;
  };

  const messageOf = (tag: ModelTag): string => {
    if (!tag.spec.alarm) return '';
    return numericOf(tag) === 1 ? tag.spec.alarm.message : '';
  };

  const check = (path: string, value: number | boolean): WriteResult => {
    const tag = byPath.get(path);
    if (!tag) return { ok: false, reason: 'unknown-tag', message: `no tag "${path}"` };
    if (!tag.writable) return { ok: false, reason: 'read-only', message: `${path} is read-only (not a setpoint)` };
    const { spec } = tag;
    if (spec.type === 'bool') {
      return typeof value === 'boolean' || value === 0 || value === 1 ? { ok: true } : { ok: false, reason: 'type-mismatch', message: `${path} is a bool; got ${value}` };
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) return { ok: false, reason: 'type-mismatch', message: `${path} is a ${spec.type}; got ${String(value)}` };
    if ((spec.type === 'int' || spec.type === 'uint') && !Number.isInteger(value)) {
      return { ok: false, reason: 'type-mismatch', message: `${path} is an integer; got ${value}` };
    }
    const min = spec.min ?? (spec.type === 'uint' ? 0 : -Infinity);
    const max = spec.max ?? Infinity;
    if (value < min || value > max) return { ok: false, reason: 'out-of-range', message: `${path} accepts [${min}, ${max}]; got ${value}` };
    return { ok: true };
  };

  return {
    tags,
    get: (path) => byPath.get(path),
    value: (path) => valueOf(need(path)),
    numeric: (path) => numericOf(need(path)),
    alarmMessage: (path) => messageOf(need(path)),
    check: (path, value) => check(path, value),
    write(path, value) {
      const result = check(path, value);
      if (result.ok) setpoints.set(path, typeof value === 'number' && byPath.get(path)?.spec.type === 'bool' ? value === 1 : value);
      return result;
    },
    force(path, value) {
      const tag = need(path);
      if (value === undefined) {
        forced.delete(path);
        return;
      }
      toNumber(tag, value); // throws for a value of the wrong kind
      forced.set(path, value);
    },
    snapshot() {
      const out: Record<string, TagValue> = {};
      for (const tag of tags) {
        out[tag.path] = valueOf(tag);
        if (tag.spec.alarm) out[`${tag.path}Message`] = messageOf(tag);
      }
      return out;
    },
  };
}

function toNumber(tag: ModelTag, value: TagValue): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const index = tag.spec.values?.indexOf(value) ?? -1;
  if (index < 0) throw new Error(`${tag.path} has no state "${value}"; states: ${(tag.spec.values ?? []).join(', ') || 'none (not an enum tag)'}`);
  return index;
}
