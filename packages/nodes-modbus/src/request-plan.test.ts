import { describe, expect, it } from 'vitest';
import { planReads, type PlannedTag } from './request-plan.js';

const hr = (address: number, count = 1, unitId = 1): PlannedTag => ({ unitId, area: 'holding', address, count });

/** Independent check: every tag is inside exactly one request of its unit/area, and requests respect the limits. */
function checkCovers(tags: readonly PlannedTag[], requests: ReturnType<typeof planReads>, maxGap: number) {
  const holders = new Map<PlannedTag, Array<(typeof requests)[number]>>();
  for (const r of requests) for (const t of r.tags) holders.set(t, [...(holders.get(t) ?? []), r]);
  for (const tag of tags) {
    const found = holders.get(tag) ?? [];
    if (found.length !== 1) expect.fail(`tag ${tag.unitId}/${tag.area}/${tag.address} is in ${found.length} requests`);
    const r = found[0]!;
    if (r.unitId !== tag.unitId || r.area !== tag.area || tag.address < r.address || tag.address + tag.count > r.address + r.count) {
      expect.fail(`tag ${tag.unitId}/${tag.area}/${tag.address}+${tag.count} is not inside request ${r.unitId}/${r.area}/${r.address}+${r.count}`);
    }
  }
  for (const r of requests) {
    if (r.count > (r.area === 'coil' || r.area === 'discrete' ? 2000 : 125)) expect.fail(`request ${r.area}/${r.address} reads ${r.count}`);
    // No hole inside a request is larger than maxGap.
    const sorted = [...r.tags].sort((a, b) => a.address - b.address);
    let end = sorted[0]!.address;
    for (const t of sorted) {
      if (t.address - end > maxGap) expect.fail(`request ${r.area}/${r.address} reads through a gap of ${t.address - end}`);
      end = Math.max(end, t.address + t.count);
    }
  }
}

describe('planReads', () => {
  it('joins adjacent tags, splits at a gap, and reads through a gap up to maxGap', () => {
    const tags = [hr(0, 2), hr(2, 2), hr(4), hr(10, 2)];
    expect(planReads(tags).map((r) => [r.address, r.count])).toEqual([
      [0, 5],
      [10, 2],
    ]);
    expect(planReads(tags, { maxGap: 4 }).map((r) => [r.address, r.count])).toEqual([
      [0, 5],
      [10, 2],
    ]);
    expect(planReads(tags, { maxGap: 5 }).map((r) => [r.address, r.count])).toEqual([[0, 12]]);
  });

  it('keeps unit ids and areas apart, and orders requests by unit, area, address', () => {
    const tags: PlannedTag[] = [
      { unitId: 2, area: 'coil', address: 0, count: 1 },
      { unitId: 1, area: 'input', address: 0, count: 1 },
      { unitId: 1, area: 'holding', address: 1, count: 1 },
      { unitId: 2, area: 'holding', address: 0, count: 1 },
      { unitId: 1, area: 'holding', address: 0, count: 1 },
      { unitId: 1, area: 'discrete', address: 1, count: 1 },
      { unitId: 1, area: 'coil', address: 1, count: 1 },
    ];
    const plan = planReads(tags);
    expect(plan.map((r) => `${r.unitId}/${r.area}/${r.address}+${r.count}`)).toEqual([
      '1/holding/0+2',
      '1/input/0+1',
      '1/coil/1+1',
      '1/discrete/1+1',
      '2/holding/0+1',
      '2/coil/0+1',
    ]);
    checkCovers(tags, plan, 0);
  });

  it('respects 125 registers and 2000 bits per request, and smaller configured limits', () => {
    const regs = Array.from({ length: 300 }, (_, i) => hr(i));
    expect(planReads(regs).map((r) => r.count)).toEqual([125, 125, 50]);
    // float32s never straddle a request: 62 of them fill 124 registers.
    const floats = Array.from({ length: 100 }, (_, i) => hr(i * 2, 2));
    expect(planReads(floats).map((r) => r.count)).toEqual([124, 76]);
    const coils = Array.from({ length: 4500 }, (_, i): PlannedTag => ({ unitId: 1, area: 'coil', address: i, count: 1 }));
    expect(planReads(coils).map((r) => r.count)).toEqual([2000, 2000, 500]);
    expect(planReads(regs, { maxRegisters: 100 }).map((r) => r.count)).toEqual([100, 100, 100]);
    expect(planReads(regs, { maxRegisters: 500 }).map((r) => r.count)).toEqual([125, 125, 50]); // never past the protocol
  });

  it('refuses a tag larger than a request', () => {
    expect(() => planReads([hr(0, 126)])).toThrow(/spans 126, more than one request may read \(125\)/);
  });

  it('plans the minimum for a typical PLC map (sim default scenario, unit 1)', () => {
    // holding: float32 0, uint32 2, uint16 4, float32 10 — input: int16 0, uint16 1, float32 2 — coils 0,1 — discretes 0,1
    const tags: PlannedTag[] = [
      hr(0, 2), hr(2, 2), hr(4), hr(10, 2),
      { unitId: 1, area: 'input', address: 0, count: 1 }, { unitId: 1, area: 'input', address: 1, count: 1 }, { unitId: 1, area: 'input', address: 2, count: 2 },
      { unitId: 1, area: 'coil', address: 0, count: 1 }, { unitId: 1, area: 'coil', address: 1, count: 1 },
      { unitId: 1, area: 'discrete', address: 0, count: 1 }, { unitId: 1, area: 'discrete', address: 1, count: 1 },
    ];
    expect(planReads(tags)).toHaveLength(5); // holding 0–4, holding 10–11, input, coil, discrete
    expect(planReads(tags, { maxGap: 5 })).toHaveLength(4); // the setpoint joins the first read
  });

  it('1,000 tags over 2 units: the minimum number of requests, computed independently', () => {
    // Per unit: 250 float32 in holding 0–499 (contiguous), 150 uint16 in input every 3rd address
    // (gaps of 2), 100 coils in blocks of 10 with gaps of 90 between blocks.
    const tags: PlannedTag[] = [];
    for (const unitId of [1, 2]) {
      for (let i = 0; i < 250; i++) tags.push({ unitId, area: 'holding', address: i * 2, count: 2 });
      for (let i = 0; i < 150; i++) tags.push({ unitId, area: 'input', address: i * 3, count: 1 });
      for (let i = 0; i < 100; i++) tags.push({ unitId, area: 'coil', address: Math.floor(i / 10) * 100 + (i % 10), count: 1 });
    }
    expect(tags).toHaveLength(1000);
    // Shuffled input must not change the plan.
    const shuffled = [...tags].sort((a, b) => ((a.address * 7919 + a.unitId) % 13) - ((b.address * 7919 + b.unitId) % 13));

    // maxGap 0: holding 500 regs / 124 per request (62 floats) → ⌈250/62⌉ = 5; input: every tag alone
    // (gaps of 2) → 150; coils: 10 blocks → 10. Per unit 165, both units 330.
    const strict = planReads(shuffled);
    checkCovers(tags, strict, 0);
    expect(strict).toHaveLength(330);

    // maxGap 2: input 0–447 spans 448 registers → ⌈…⌉ with requests of at most 125 holding 42 tags
    // (41 gaps of 2 + 1 = 124 registers): ⌈150/42⌉ = 4. Holding 5, coils 10. Per unit 19, both 38.
    const gap2 = planReads(shuffled, { maxGap: 2 });
    checkCovers(tags, gap2, 2);
    expect(gap2).toHaveLength(38);

    // maxGap 90: coils 0–909 fit one 2000-bit request. Per unit 5 + 4 + 1 = 10, both 20.
    const gap90 = planReads(shuffled, { maxGap: 90 });
    checkCovers(tags, gap90, 90);
    expect(gap90).toHaveLength(20);
  });
});
