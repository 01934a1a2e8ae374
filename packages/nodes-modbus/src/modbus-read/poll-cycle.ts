import type { TagValue } from '@plantwire/node-sdk';
import { applyScaling, decodeValue, type ModbusArea, type RawValue } from '../codec.js';
import { ModbusRequestError, type ModbusDeviceClient, type ModbusDeviceSettings } from '../modbus-device/modbus-client.js';
import { planReads, type ReadRequest } from '../request-plan.js';
import { tagSpan, tagType, type ModbusTag } from '../tag-schema.js';

/** A tag with its unit id, orders and span resolved against the device's defaults. */
export interface ResolvedTag {
  readonly tag: ModbusTag;
  readonly unitId: number;
  readonly area: ModbusArea;
  readonly address: number;
  readonly count: number;
}

/** The tags resolved and the requests that read them, grouped by unit id (in unit id order). */
export interface ReadPlan {
  readonly units: ReadonlyArray<{ readonly unitId: number; readonly requests: readonly ReadRequest<ResolvedTag>[] }>;
  readonly requestCount: number;
}

/** Plan the reads of a tag list for a device (its default unit id fills tags without one). */
export function readPlanFor(tags: readonly ModbusTag[], defaults: Pick<ModbusDeviceSettings, 'unitId'>, maxGap: number): ReadPlan {
  const resolved: ResolvedTag[] = tags.map((tag) => ({ tag, unitId: tag.unitId ?? defaults.unitId, area: tag.area, address: tag.address, count: tagSpan(tag) }));
  const requests = planReads(resolved, { maxGap });
  const byUnit = new Map<number, ReadRequest<ResolvedTag>[]>();
  for (const r of requests) {
    const list = byUnit.get(r.unitId);
    if (list) list.push(r);
    else byUnit.set(r.unitId, [r]);
  }
  return { units: [...byUnit.entries()].map(([unitId, list]) => ({ unitId, requests: list })), requestCount: requests.length };
}

/** Per-unit health: how many polls in a row it did not answer, and until which poll it is skipped. */
export interface UnitHealth {
  failures: number;
  skipUntilCycle: number;
}

/** Options of {@link runPollCycle}. */
export interface PollCycleOptions {
  /** The poll number (increments every poll): drives the round-robin start and the unit backoff. */
  readonly cycle: number;
  /** Per unit id; created on first sight. */
  readonly health: Map<number, UnitHealth>;
  /** Most polls a silent unit is skipped for, after repeated timeouts (the backoff doubles up to it). */
  readonly maxSkipCycles: number;
  readonly now?: () => Date;
}

/**
 * One poll: every unit's requests, one unit after the other, starting with a different unit each
 * cycle so that none is always last. A unit whose request times out (or whose gateway reports it
 * unreachable) gives up its remaining requests for this poll and is skipped for the next 1, 2, 4…
 * polls (capped at `maxSkipCycles`), then probed again with one poll; so a dead unit delays the
 * others by at most one timeout per poll, and not at all while skipped. An exception answer only
 * marks the tags of that request bad. Every tag gets a value: good, or bad with the reason.
 */
export async function runPollCycle(client: ModbusDeviceClient, plan: ReadPlan, options: PollCycleOptions): Promise<Map<string, TagValue>> {
  const now = options.now ?? (() => new Date());
  const values = new Map<string, TagValue>();
  const units = plan.units;
  const bad = (tags: readonly ResolvedTag[], reason: string) => {
    const sourceTime = now().toISOString();
    for (const t of tags) values.set(t.tag.name, tagValue(t.tag, undefined, 'bad', sourceTime, reason));
  };
  for (let i = 0; i < units.length; i++) {
    const { unitId, requests } = units[(i + options.cycle) % units.length]!;
    let health = options.health.get(unitId);
    if (!health) options.health.set(unitId, (health = { failures: 0, skipUntilCycle: 0 }));
    if (options.cycle < health.skipUntilCycle) {
      const reason = `unit ${unitId} skipped: it did not answer (${health.failures}× in a row); probing again in ${health.skipUntilCycle - options.cycle} poll(s)`;
      for (const r of requests) bad(r.tags, reason);
      continue;
    }
    for (let k = 0; k < requests.length; k++) {
      const request = requests[k]!;
      try {
        const data = await client.read(unitId, request.area, request.address, request.count);
        const sourceTime = now().toISOString();
        for (const t of request.tags) values.set(t.tag.name, decodeTag(t, request, data, client.settings, sourceTime));
        health.failures = 0;
        health.skipUntilCycle = 0;
      } catch (err) {
        const failure = err instanceof ModbusRequestError ? err : new ModbusRequestError('failed', String(err), String(err), { cause: err });
        bad(request.tags, failure.reason);
        if (failure.kind === 'not-connected') {
          // The link is gone: nothing else can be read this poll; every tag not read yet is bad.
          for (const other of units) for (const r of other.requests) bad(r.tags.filter((t) => !values.has(t.tag.name)), failure.reason);
          return values;
        }
        if (failure.unitUnresponsive) {
          health.failures++;
          health.skipUntilCycle = options.cycle + 1 + Math.min(options.maxSkipCycles, 2 ** (health.failures - 1));
          for (const rest of requests.slice(k + 1)) bad(rest.tags, `unit ${unitId} not polled: ${failure.reason} earlier in this poll`);
          break;
        }
      }
    }
  }
  return values;
}

function decodeTag(t: ResolvedTag, request: ReadRequest<ResolvedTag>, data: readonly (number | boolean)[], defaults: ModbusDeviceSettings, sourceTime: string): TagValue {
  const tag = t.tag;
  const offset = t.address - request.address;
  try {
    const raw = decodeValue(data.slice(offset, offset + t.count), {
      type: tagType(tag),
      length: tag.length,
      wordOrder: tag.wordOrder ?? defaults.wordOrder,
      byteOrder: tag.byteOrder ?? defaults.byteOrder,
    });
    if (typeof raw === 'bigint') {
      // JSON cannot carry a bigint; past 2^53 the value is passed as the nearest number, flagged.
      return tagValue(tag, applyScaling(Number(raw), tag), 'uncertain', sourceTime, `${tagType(tag)} ${raw} exceeds 2^53: precision lost`);
    }
    return tagValue(tag, applyScaling(raw, tag), 'good', sourceTime);
  } catch (err) {
    return tagValue(tag, undefined, 'bad', sourceTime, `decode failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function tagValue(tag: ModbusTag, value: RawValue | undefined, quality: TagValue['quality'], sourceTime: string, reason?: string): TagValue {
  return {
    value: value ?? null,
    quality,
    sourceTime,
    ...(tag.unit === undefined ? {} : { unit: tag.unit }),
    ...(reason === undefined ? {} : { reason }),
  };
}

/**
 * Whether a new value should be reported in `changes` mode: the first value, a change of quality,
 * or a value that moved by more than the deadband (numbers) or changed at all (others).
 */
export function changed(previous: TagValue | undefined, next: TagValue, deadband: number): boolean {
  if (!previous) return true;
  if (previous.quality !== next.quality) return true;
  if (next.quality === 'bad') return false;
  const a = previous.value;
  const b = next.value;
  if (typeof a === 'number' && typeof b === 'number') return deadband > 0 ? Math.abs(b - a) > deadband : !Object.is(a, b);
  return a !== b;
}
