import type { ModbusArea } from './codec.js';
import { isBitArea } from './codec.js';

/** Protocol limits of one read request (Modbus application protocol v1.1b3, FC1/2 and FC3/4). */
export const MAX_READ_REGISTERS = 125;
export const MAX_READ_BITS = 2000;
/** Protocol limits of one write request (FC16 and FC15). */
export const MAX_WRITE_REGISTERS = 123;
export const MAX_WRITE_BITS = 1968;

/** What the planner needs of a tag: where it lives and how many registers (or bits) it spans. */
export interface PlannedTag {
  readonly unitId: number;
  readonly area: ModbusArea;
  readonly address: number;
  /** Registers (holding/input) or bits (coil/discrete) occupied, ≥ 1. */
  readonly count: number;
}

/** One read request and the tags it answers, in address order. */
export interface ReadRequest<T extends PlannedTag = PlannedTag> {
  readonly unitId: number;
  readonly area: ModbusArea;
  readonly address: number;
  readonly count: number;
  readonly tags: readonly T[];
}

/** Options of {@link planReads}. */
export interface PlanOptions {
  /**
   * Unused registers (or bits) a request may read through to join two tags into one request.
   * Default 0 (only adjacent tags share a request). Reading through gaps saves round trips, but a
   * device answers exception 02 when the gap holds an address it does not implement.
   */
  readonly maxGap?: number;
  /** Per request; default (and maximum) the protocol's 125 registers. */
  readonly maxRegisters?: number;
  /** Per request; default (and maximum) the protocol's 2000 bits. */
  readonly maxBits?: number;
}

/**
 * The fewest read requests that cover every tag: tags are grouped by unit id and area, sorted by
 * address, and each request greedily takes the following tags while the span stays within the
 * protocol limit and no hole exceeds `maxGap`. Greedy is optimal here: a request that starts at
 * the first uncovered tag and reaches as far as it can never needs more requests after it than
 * any other choice would. Requests come out by unit id, then area, then address. Overlapping tags
 * (which validation refuses) still plan correctly.
 *
 * @throws {RangeError} when a single tag is larger than one request can be.
 * @example
 * planReads([
 *   { unitId: 1, area: 'holding', address: 0, count: 2 },
 *   { unitId: 1, area: 'holding', address: 2, count: 2 },
 *   { unitId: 1, area: 'holding', address: 10, count: 1 },
 * ], { maxGap: 8 }) // one request: holding 0..10 (count 11)
 */
export function planReads<T extends PlannedTag>(tags: readonly T[], options: PlanOptions = {}): ReadRequest<T>[] {
  const maxGap = Math.max(0, options.maxGap ?? 0);
  const maxRegisters = Math.min(MAX_READ_REGISTERS, options.maxRegisters ?? MAX_READ_REGISTERS);
  const maxBits = Math.min(MAX_READ_BITS, options.maxBits ?? MAX_READ_BITS);
  const groups = new Map<string, T[]>();
  for (const tag of tags) {
    const key = `${tag.unitId}\u0000${tag.area}`;
    const list = groups.get(key);
    if (list) list.push(tag);
    else groups.set(key, [tag]);
  }
  const requests: ReadRequest<T>[] = [];
  for (const list of groups.values()) {
    const area = list[0]!.area;
    const limit = isBitArea(area) ? maxBits : maxRegisters;
    const sorted = [...list].sort((a, b) => a.address - b.address || b.count - a.count);
    let start = -1;
    let end = -1; // exclusive
    let members: T[] = [];
    const flush = () => {
      if (members.length > 0) requests.push({ unitId: members[0]!.unitId, area, address: start, count: end - start, tags: members });
    };
    for (const tag of sorted) {
      if (tag.count > limit) {
        throw new RangeError(`a tag at ${area} ${tag.address} spans ${tag.count}, more than one request may read (${limit})`);
      }
      const tagEnd = tag.address + tag.count;
      const joins = members.length > 0 && tag.address - end <= maxGap && Math.max(end, tagEnd) - start <= limit;
      if (joins) {
        members.push(tag);
        end = Math.max(end, tagEnd);
      } else {
        flush();
        start = tag.address;
        end = tagEnd;
        members = [tag];
      }
    }
    flush();
  }
  const areaOrder: readonly ModbusArea[] = ['holding', 'input', 'coil', 'discrete'];
  return requests.sort((a, b) => a.unitId - b.unitId || areaOrder.indexOf(a.area) - areaOrder.indexOf(b.area) || a.address - b.address);
}
