import { describe, expect, it } from 'vitest';
import { checkGraph } from '../scenarios/bench-graph.js';
import { editorVerdicts, frameStats, type EditorResults, type FloodFigures, type SystemFigures } from './editor-figures.js';
import { dragSelection, editorGrid, nodeRedFloodFlows, nodeRedGridFlows, plantwireFloodDocument, plantwireGridDocument } from './editor-flows.js';
import { mainThreadTasks } from './main-thread-trace.js';
import { EDITOR_BEGIN, EDITOR_END, keepEditorBlock, replaceEditorBlock } from './results-block.js';

describe('frameStats', () => {
  it('turns rAF timestamps into intervals, fps and nearest-rank percentiles', () => {
    // 19 intervals of 16 ms and one of 100 ms.
    const stamps = [0];
    for (let i = 0; i < 19; i++) stamps.push(stamps[stamps.length - 1]! + 16);
    stamps.push(stamps[stamps.length - 1]! + 100);
    const stats = frameStats(stamps)!;
    expect(stats.frames).toBe(20);
    expect(stats.p50Ms).toBe(16);
    expect(stats.p95Ms).toBe(16);
    expect(stats.maxMs).toBe(100);
    expect(stats.fps).toBeCloseTo((20 * 1000) / (19 * 16 + 100), 6);
  });

  it('has nothing to say about fewer than two frames', () => {
    expect(frameStats([])).toBeUndefined();
    expect(frameStats([5])).toBeUndefined();
  });
});

const flood = (over: Partial<FloodFigures> = {}): FloodFigures => ({
  seconds: 30,
  published: 300_002,
  shownReceived: 300_002,
  rowsDrawn: 20,
  longestTaskMs: 60,
  longTasks: 2,
  frames: { frames: 1800, fps: 60, p50Ms: 16.7, p95Ms: 20, maxMs: 40 },
  rssBeforeMb: 90,
  rssPeakMb: 100,
  rssEndMb: 95,
  ...over,
});

const fast: SystemFigures = {
  tti: { '2000': [{ ttiMs: 1000, readyMs: 900, longestTaskMs: 300 }], '5000': [{ ttiMs: 2000, readyMs: 1800, longestTaskMs: 400 }] },
  pan: { frames: 100, fps: 60, p50Ms: 16.7, p95Ms: 20, maxMs: 33 },
  drag: { frames: 100, fps: 45, p50Ms: 16.7, p95Ms: 40, maxMs: 50 },
  flood: flood(),
};
const slow: SystemFigures = {
  tti: { '2000': [{ ttiMs: 10_000, readyMs: 9000, longestTaskMs: 3000 }], '5000': [{ ttiMs: 3000, readyMs: 2000, longestTaskMs: 900 }] },
  pan: { frames: 30, fps: 11, p50Ms: 90, p95Ms: 150, maxMs: 300 },
  drag: { frames: 30, fps: 20, p50Ms: 50, p95Ms: 400, maxMs: 500 },
  flood: flood({ shownReceived: undefined, rssPeakMb: 170 }),
};

describe('editorVerdicts', () => {
  const results: EditorResults = { plantwire: fast, nodeRed: slow, sizes: [2000, 5000] };
  const byLabel = (label: string) => editorVerdicts(results).find((v) => v.label.startsWith(label))!;

  it('compares ratios and absolute figures with the targets of issue 4', () => {
    expect(byLabel('time to interactive, 2,000').verdict).toBe('PASS'); // 0.1×
    expect(byLabel('time to interactive, 5,000').verdict).toBe('FAIL'); // 0.67×
    expect(byLabel('panning the 2,000-node flow: frame rate').verdict).toBe('PASS'); // 5.5×
    expect(byLabel('dragging 50 selected nodes: frame rate').verdict).toBe('FAIL'); // 2.25×
    expect(byLabel('dragging 50 selected nodes: Plantwire frame p95').verdict).toBe('PASS'); // 40 ms
    expect(byLabel('debug flood 10,000 msg/s × 30 s: Plantwire longest').verdict).toBe('PASS');
    expect(byLabel('debug flood 10,000 msg/s × 30 s: Plantwire shows the exact').verdict).toBe('PASS');
    expect(byLabel('debug flood 10,000 msg/s × 30 s: Plantwire server RSS').measured).toBe('10.0 MB');
  });

  it('fails a count that is off by one, a long task over 100 ms, and a missing figure', () => {
    const off: EditorResults = { plantwire: { ...fast, flood: flood({ shownReceived: 300_001, longestTaskMs: 101, rssPeakMb: 111 }), pan: undefined }, nodeRed: slow, sizes: [2000] };
    const verdicts = editorVerdicts(off);
    const of = (label: string) => verdicts.find((v) => v.label.includes(label))!.verdict;
    expect(of('exact number')).toBe('FAIL');
    expect(of('longest main-thread task')).toBe('FAIL');
    expect(of('RSS growth')).toBe('FAIL');
    expect(of('panning the 2,000-node flow: frame rate')).toBe('FAIL');
    expect(verdicts.some((v) => v.label.includes('5,000'))).toBe(false);
  });
});

describe('the generated flows', () => {
  it('are the same grid of chains for both editors, positions included', async () => {
    const grid = editorGrid(2000);
    checkGraph(grid.graph);
    expect(grid.graph.nodes).toHaveLength(2000);
    expect(grid.graph.wires).toHaveLength(1800);
    const nr = nodeRedGridFlows(grid).filter((e) => e.type !== 'tab');
    expect(nr).toHaveLength(2000);
    const nrCells = new Set(nr.map((e) => `${e.x},${e.y}`));
    expect(nrCells.size).toBe(2000);
    // Node-RED's workspace is 8000 × 8000 px: even 5,000 nodes stay inside it.
    for (const e of nodeRedGridFlows(editorGrid(5000))) if (e.type !== 'tab') expect((e.x as number) < 8000 && (e.y as number) < 8000).toBe(true);
    const pw = (await plantwireGridDocument(grid)) as { nodes: unknown[]; wires: unknown[]; layout: { nodes: Record<string, { x: number; y: number }> } };
    expect(pw.nodes).toHaveLength(2000);
    expect(pw.wires).toHaveLength(1800);
    expect(Object.keys(pw.layout.nodes)).toHaveLength(2000);
  });

  it('selects 50 distinct nodes for the drag, all in the grid', () => {
    const ids = dragSelection();
    const grid = editorGrid(2000);
    expect(new Set(ids).size).toBe(50);
    for (const id of ids) expect(grid.cells.get(id)).toBeDefined();
  });

  it('refuses a node count that is not whole chains', () => {
    expect(() => editorGrid(2005)).toThrow(/multiple of 10/);
  });

  it('floods the same debug node id on both sides', () => {
    const pw = plantwireFloodDocument('mqtt://127.0.0.1:1') as { nodes: Array<{ id: string; type: string }> };
    const nr = nodeRedFloodFlows(1) as Array<{ id: string; type: string }>;
    expect(pw.nodes.find((n) => n.type === 'debug')!.id).toBe(nr.find((n) => n.type === 'debug')!.id);
  });
});

describe('the editor block of RESULTS.md', () => {
  it('is appended when absent and replaced in place later, the rest untouched', () => {
    const first = replaceEditorBlock('# Results\n\ntable\n', 'run 1');
    expect(first).toBe(`# Results\n\ntable\n\n${EDITOR_BEGIN}\nrun 1\n${EDITOR_END}\n`);
    const second = replaceEditorBlock(`${first}\n<!-- protocols:begin -->\np\n<!-- protocols:end -->\n`, 'run 2');
    expect(second).toContain(`${EDITOR_BEGIN}\nrun 2\n${EDITOR_END}`);
    expect(second).not.toContain('run 1');
    expect(second).toContain('<!-- protocols:begin -->\np\n<!-- protocols:end -->');
  });

  it('drops a stray marker instead of pairing with it', () => {
    const text = replaceEditorBlock(`a\n${EDITOR_END}\nb\n`, 'x');
    expect(text.split(EDITOR_END)).toHaveLength(2);
    expect(text.indexOf(EDITOR_BEGIN)).toBeLessThan(text.indexOf(EDITOR_END));
  });

  it('is carried over into a freshly rendered file', () => {
    const previous = replaceEditorBlock('old', 'kept');
    expect(keepEditorBlock(previous, 'new')).toBe(`new\n\n${EDITOR_BEGIN}\nkept\n${EDITOR_END}\n`);
    expect(keepEditorBlock(undefined, 'new')).toBe('new');
  });
});

describe('mainThreadTasks', () => {
  it('reads only the renderer main threads and tells wall time from CPU time', () => {
    const trace = JSON.stringify({
      traceEvents: [
        { ph: 'M', name: 'thread_name', pid: 1, tid: 10, args: { name: 'CrRendererMain' } },
        { ph: 'M', name: 'thread_name', pid: 1, tid: 11, args: { name: 'Compositor' } },
        { ph: 'X', name: 'RunTask', pid: 1, tid: 10, dur: 120_000, tdur: 300 },
        { ph: 'X', name: 'ThreadControllerImpl::RunTask', pid: 1, tid: 10, dur: 40_000, tdur: 35_000 },
        { ph: 'X', name: 'RunTask', pid: 1, tid: 11, dur: 900_000, tdur: 900_000 },
        { ph: 'X', name: 'FunctionCall', pid: 1, tid: 10, dur: 500_000, tdur: 500_000 },
      ],
    });
    expect(mainThreadTasks(trace)).toEqual({ tasks: 2, longestWallMs: 120, longestWallCpuMs: 0.3, longestCpuMs: 35 });
  });
});
