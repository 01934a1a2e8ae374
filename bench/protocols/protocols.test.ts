import { describe, expect, it } from 'vitest';
import { mqttVerdicts, ratesTable, type MqttResults, type SystemResults } from './mqtt/pipeline-verdicts.js';
import { keptUp, percentile, summarise, type PhaseResult } from './mqtt/stats.js';
import { extractProtocolsBlock, keepProtocolsBlock, PROTOCOLS_BEGIN, PROTOCOLS_END, replaceProtocolsBlock, verdictTable } from './results-block.js';

describe('protocols block in RESULTS.md', () => {
  const core = '# Plantwire vs Node-RED: benchmark results\n\n| table |\n';

  it('appends the block with its markers when the file has none', () => {
    const out = replaceProtocolsBlock(core, '## Protocol benchmarks\nfigures');
    expect(out).toBe(`${core}\n${PROTOCOLS_BEGIN}\n## Protocol benchmarks\nfigures\n${PROTOCOLS_END}\n`);
    expect(replaceProtocolsBlock('', 'x')).toBe(`${PROTOCOLS_BEGIN}\nx\n${PROTOCOLS_END}\n`);
  });

  it('replaces only what is between the markers, keeping the text around them', () => {
    const before = `${core}\n${PROTOCOLS_BEGIN}\nold figures\n${PROTOCOLS_END}\n\nfooter\n`;
    const out = replaceProtocolsBlock(before, 'new figures');
    expect(out).toBe(`${core}\n${PROTOCOLS_BEGIN}\nnew figures\n${PROTOCOLS_END}\n\nfooter\n`);
    expect(out).not.toContain('old figures');
  });

  it('treats a lone begin marker as no block (appends a complete one)', () => {
    const out = replaceProtocolsBlock(`${core}${PROTOCOLS_BEGIN}\n`, 'x');
    expect(extractProtocolsBlock(out)).toBe(`${PROTOCOLS_BEGIN}\nx\n${PROTOCOLS_END}`);
  });

  it('carries the block of the previous file into a freshly rendered one (pnpm bench --write)', () => {
    const previous = `old core table\n\n${PROTOCOLS_BEGIN}\nmqtt figures\n${PROTOCOLS_END}\n`;
    const fresh = '# new core results\n';
    expect(keepProtocolsBlock(previous, fresh)).toBe(`# new core results\n\n${PROTOCOLS_BEGIN}\nmqtt figures\n${PROTOCOLS_END}\n`);
    expect(keepProtocolsBlock('no block here', fresh)).toBe(fresh);
    expect(keepProtocolsBlock(undefined, fresh)).toBe(fresh);
  });

  it('escapes pipes in verdict cells', () => {
    expect(verdictTable([{ label: 'a | b', measured: '1 ms', target: '≤ 1 ms', verdict: 'PASS' }])).toContain('| a \\| b | 1 ms | ≤ 1 ms | PASS |');
  });
});

describe('percentile (nearest rank)', () => {
  const hundred = Float64Array.from({ length: 100 }, (_, i) => i + 1);

  it('takes the smallest value with at least p % at or below it', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([1, 2, 3], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is NaN for no values and refuses p outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile(hundred, 0)).toThrow(/p must be/);
    expect(() => percentile(hundred, 101)).toThrow(/p must be/);
  });
});

describe('phase summary and keep-up', () => {
  it('computes loss, percentiles of unsorted latencies, rates and backlog', () => {
    const r = summarise({
      name: '1k',
      rate: 1000,
      planned: 1000,
      sent: 1000,
      firstSendMs: 10_000,
      lastSendMs: 11_000,
      lastReceiveMs: 11_250,
      endMs: 12_000,
      latencies: Float64Array.from({ length: 990 }, (_, i) => 990 - i), // 990 … 1, unsorted
    });
    expect(r).toMatchObject({ received: 990, lost: 10, p50Ms: 495, p99Ms: 981, maxMs: 990, offeredPerSec: 1000, deliveredPerSec: 792, backlogMs: 250, durationMs: 2000 });
  });

  const phase = (over: Partial<PhaseResult>): PhaseResult => ({
    name: 'x',
    rate: 20_000,
    planned: 20_000,
    sent: 20_000,
    received: 20_000,
    lost: 0,
    p50Ms: 1,
    p99Ms: 2,
    maxMs: 3,
    offeredPerSec: 20_000,
    deliveredPerSec: 19_990,
    backlogMs: 1,
    durationMs: 1000,
    ...over,
  });

  it('keeps up with no loss, the rate offered and delivered', () => {
    expect(keptUp(phase({}))).toBe(true);
  });

  it('does not keep up with one message lost, a slow publisher, or a growing backlog', () => {
    expect(keptUp(phase({ received: 19_999, lost: 1 }))).toBe(false);
    expect(keptUp(phase({ offeredPerSec: 15_000, deliveredPerSec: 15_000 }))).toBe(false);
    // Node-RED's way: nothing lost, but delivered well below what it was fed.
    expect(keptUp(phase({ deliveredPerSec: 12_000, backlogMs: 600 }))).toBe(false);
    expect(keptUp(phase({ sent: 0, received: 0 }))).toBe(false);
  });

  it('judges flat out (no nominal rate) by delivered against offered only', () => {
    expect(keptUp(phase({ rate: undefined, offeredPerSec: 60_000, deliveredPerSec: 59_000 }))).toBe(true);
    expect(keptUp(phase({ rate: undefined, offeredPerSec: 60_000, deliveredPerSec: 25_000 }))).toBe(false);
  });
});

describe('MQTT pipeline verdicts', () => {
  const at = (rate: number, p99Ms: number, over: Partial<PhaseResult> = {}): PhaseResult => ({
    name: `${rate / 1000}k`,
    rate,
    planned: rate,
    sent: rate,
    received: rate,
    lost: 0,
    p50Ms: p99Ms / 4,
    p99Ms,
    maxMs: p99Ms * 2,
    offeredPerSec: rate,
    deliveredPerSec: rate * 0.999,
    backlogMs: 1,
    durationMs: 1000,
    ...over,
  });
  const system = (p99: (rate: number) => number, over: (rate: number) => Partial<PhaseResult> = () => ({}), flood?: SystemResults['flood']): SystemResults => ({
    rates: [1_000, 5_000, 10_000, 15_000, 20_000].map((rate) => at(rate, p99(rate), over(rate))),
    flood,
  });
  const flood = (idle: number, peak: number): SystemResults['flood'] => ({ phase: at(300_000, 500, { rate: undefined, backlogMs: 700 }), idleRssMb: idle, peakRssMb: peak, countedDrops: 0, countedErrors: 0 });
  const byLabel = (results: MqttResults) => Object.fromEntries(mqttVerdicts(results).map((v) => [v.label.replace(/ \(.*\)/, ''), v]));

  it('passes every target when Plantwire keeps up, adds little latency and holds memory', () => {
    const v = mqttVerdicts({ 'broker-only': system(() => 5), plantwire: system((r) => (r === 10_000 ? 9.9 : 5.9), () => ({}), flood(80, 125)) });
    expect(v.map((x) => x.verdict)).toEqual(['PASS', 'PASS', 'PASS', 'PASS', 'info']);
    expect(v[0]!.label).toContain('keep up at 20k msg/s');
    expect(v[1]!.measured).toMatch(/^0\.90 ms/);
  });

  it('fails each target on its own figure', () => {
    const v = byLabel({
      'broker-only': system(() => 5),
      plantwire: system((r) => (r === 1_000 ? 6.1 : r === 10_000 ? 10.1 : 5), (r) => (r === 20_000 ? { received: 19_990, lost: 10 } : {}), flood(80, 131)),
    });
    expect(v['Plantwire: keep up at 20k msg/s, zero loss']!.verdict).toBe('FAIL');
    expect(v['Plantwire: keep up at 20k msg/s, zero loss']!.measured).toMatch(/missed 20k msg\/s; at 20k msg\/s: 10 lost/);
    expect(v['Plantwire: p99 added to broker-only at 1k msg/s']!.verdict).toBe('FAIL');
    expect(v['Plantwire: p99 added to broker-only at 10k msg/s']!.verdict).toBe('FAIL');
    expect(mqttVerdicts({ 'broker-only': system(() => 5), plantwire: system(() => 5, () => ({}), flood(80, 131)) })[3]!.verdict).toBe('FAIL');
  });

  it('asks to keep up only where broker-only keeps up when the broker cannot do 20k', () => {
    const broker = system(() => 5, (r) => (r >= 15_000 ? { offeredPerSec: r * 0.8, deliveredPerSec: r * 0.8 } : {}));
    const v = mqttVerdicts({ 'broker-only': broker, plantwire: system(() => 5.5, (r) => (r >= 15_000 ? { lost: 5, received: r - 5 } : {})) });
    expect(v[0]!.label).toMatch(/wherever broker-only keeps up \(1k, 5k, 10k; not at 20k/);
    expect(v[0]!.verdict).toBe('PASS');
  });

  it('fails without figures, and puts Node-RED beside as information only', () => {
    const v = mqttVerdicts({ 'broker-only': system(() => 5), 'node-red': system((r) => (r === 1_000 ? 10.2 : 25), (r) => (r === 20_000 ? { deliveredPerSec: 12_000 } : {}), flood(148, 252)) });
    expect(v.slice(0, 4).map((x) => x.verdict)).toEqual(['FAIL', 'FAIL', 'FAIL', 'FAIL']);
    const nr = v.filter((x) => x.label.startsWith('Node-RED'));
    expect(nr.map((x) => x.verdict)).toEqual(['info', 'info', 'info', 'info']);
    expect(nr[0]!.measured).toMatch(/missed 20k msg\/s/);
    expect(nr[1]!.measured).toMatch(/^5\.20 ms/);
    expect(nr[3]!.measured).toMatch(/^104\.0 MB \(148 MB → 252 MB\)/);
  });

  it('prints the added p99 and whether each system kept up in the rates table', () => {
    const table = ratesTable({ 'broker-only': system(() => 5), plantwire: system(() => 5.5) });
    expect(table).toMatch(/\| 1k msg\/s \| Plantwire \| 1,000 \| 1,000 \| 0 \| 1\.38 ms \| 5\.50 ms \| 0\.50 ms \| 999 \| yes \|/);
    expect(table).toMatch(/\| 20k msg\/s \| broker only \| .* \| — \| 19,980 \| yes \|/);
  });
});
