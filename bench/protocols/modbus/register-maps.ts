/**
 * The register maps of the Modbus benchmark and the fewest read requests that can cover a map,
 * computed here on its own (not with the node's planner), so that the planner is checked against
 * an independent figure.
 */

export type BenchArea = 'holding' | 'input' | 'coil' | 'discrete';

/** A tag as modbus-read's config takes it, plus its span (registers or bits). */
export interface BenchTag {
  readonly name: string;
  readonly unitId: number;
  readonly area: BenchArea;
  readonly address: number;
  readonly type: 'uint16' | 'int16' | 'float32' | 'bool';
  readonly span: number;
}

/** Protocol limits of one read: 125 registers (FC3/FC4), 2000 bits (FC1/FC2). */
export const READ_LIMIT: Readonly<Record<BenchArea, number>> = { holding: 125, input: 125, coil: 2000, discrete: 2000 };

/** Scenario (a): 100 uint16 holding registers at 0–99 of unit 1 (one request of 100 registers). */
export function hundredRegisters(): BenchTag[] {
  return Array.from({ length: 100 }, (_, i) => ({ name: `hr${i}`, unitId: 1, area: 'holding' as const, address: i, type: 'uint16' as const, span: 1 }));
}

/**
 * Scenario (b): 1,000 tags, 500 on each of units 1 and 2, each unit with the same map:
 * - 250 uint16 holding registers in 10 runs of 25 at 0, 26, 52 … 234 (one unused register after each run; span 0–258),
 * - 100 float32 (2 registers each) at holding 1000–1199, contiguous,
 * - 50 int16 input registers at 0–49,
 * - 100 coils at 0–99.
 * Fewest requests per unit, reading through the unused registers (the device answers them):
 * ⌈259/125⌉ = 3 for the runs, 2 for the floats (a float cannot straddle two requests: 62 floats = 124
 * registers, then 38), 1 input, 1 coil: 7, so 14 per poll of both units. Reading only tags, never
 * through a gap, it would be 10 + 2 + 1 + 1 = 14 per unit.
 */
export function thousandTags(): BenchTag[] {
  const tags: BenchTag[] = [];
  for (const unitId of [1, 2]) {
    const u = `u${unitId}`;
    for (let run = 0; run < 10; run++) {
      for (let k = 0; k < 25; k++) tags.push({ name: `${u}/hr${run * 25 + k}`, unitId, area: 'holding', address: run * 26 + k, type: 'uint16', span: 1 });
    }
    for (let i = 0; i < 100; i++) tags.push({ name: `${u}/f${i}`, unitId, area: 'holding', address: 1000 + 2 * i, type: 'float32', span: 2 });
    for (let i = 0; i < 50; i++) tags.push({ name: `${u}/ir${i}`, unitId, area: 'input', address: i, type: 'int16', span: 1 });
    for (let i = 0; i < 100; i++) tags.push({ name: `${u}/co${i}`, unitId, area: 'coil', address: i, type: 'bool', span: 1 });
  }
  return tags;
}

/**
 * The fewest read requests that cover every tag when a request may read through unused addresses
 * (as far as the protocol limit allows): per unit and table, tags sorted by address, a request
 * starts at the first tag not yet read and takes every following tag that still ends within
 * `limit` of its start. Starting each request as late as possible never needs more requests later,
 * so this greedy count is the minimum. A tag is never split over two requests.
 */
export function minimumRequests(tags: readonly Pick<BenchTag, 'unitId' | 'area' | 'address' | 'span'>[]): number {
  const groups = new Map<string, Array<{ address: number; span: number }>>();
  for (const t of tags) {
    const key = `${t.unitId}/${t.area}`;
    const list = groups.get(key) ?? [];
    list.push({ address: t.address, span: t.span });
    groups.set(key, list);
  }
  let requests = 0;
  for (const [key, list] of groups) {
    const limit = READ_LIMIT[key.split('/')[1] as BenchArea];
    list.sort((a, b) => a.address - b.address);
    let start = -Infinity;
    for (const t of list) {
      if (t.span > limit) throw new RangeError(`a tag at ${key} ${t.address} spans ${t.span}, more than one request reads (${limit})`);
      if (t.address + t.span - start > limit) {
        requests++;
        start = t.address;
      }
    }
  }
  return requests;
}

/** Table sizes per unit the server needs for a map (highest address used + 1). */
export function tableSizes(tags: readonly BenchTag[]): Array<{ id: number } & Partial<Record<BenchArea, number>>> {
  const units = new Map<number, Partial<Record<BenchArea, number>>>();
  for (const t of tags) {
    const sizes = units.get(t.unitId) ?? {};
    sizes[t.area] = Math.max(sizes[t.area] ?? 0, t.address + t.span);
    units.set(t.unitId, sizes);
  }
  return [...units].map(([id, sizes]) => ({ id, ...sizes }));
}

/** The tags as modbus-read config entries. */
export function toModbusReadTags(tags: readonly BenchTag[]): Array<Record<string, unknown>> {
  return tags.map((t) => ({ name: t.name, unitId: t.unitId, area: t.area, address: t.address, type: t.type }));
}
