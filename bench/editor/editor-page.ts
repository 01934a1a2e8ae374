/**
 * Debian's Chromium through playwright-core (the e2e package's @playwright/test 1.65.1, reached
 * from e2e/package.json: the bench package does not depend on it), the in-page probes (a long-task
 * observer from the first script on, a requestAnimationFrame frame recorder), and what differs
 * between the two editors' pages ({@link EditorAdapter}).
 *
 * The root tsconfig has no DOM library: in-page code is written as expression strings.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { EditorSystem } from './editor-systems.js';
import { REPO_ROOT } from './editor-systems.js';

/*
 * The slice of Playwright's API the benchmark uses, declared here: the bench package has no
 * dependency on Playwright (its types do not resolve from bench/), the e2e package has.
 */
type MouseButton = 'left' | 'middle' | 'right';
export interface Page {
  goto(url: string, options: { waitUntil: 'commit' | 'load'; timeout: number }): Promise<unknown>;
  waitForFunction(expression: string, arg: undefined, options: { polling: number; timeout: number }): Promise<{ jsonValue(): Promise<unknown> }>;
  evaluate(expression: string): Promise<unknown>;
  setDefaultTimeout(ms: number): void;
  readonly mouse: {
    move(x: number, y: number, options?: { steps?: number }): Promise<void>;
    down(options?: { button?: MouseButton }): Promise<void>;
    up(options?: { button?: MouseButton }): Promise<void>;
  };
  readonly keyboard: { down(key: string): Promise<void>; up(key: string): Promise<void> };
  locator(selector: string): { first(): { boundingBox(): Promise<{ x: number; y: number; width: number; height: number } | null> } };
}
export interface BrowserContext {
  addInitScript(script: string): Promise<void>;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
export interface Browser {
  newContext(options: { viewport: { width: number; height: number }; deviceScaleFactor: number }): Promise<BrowserContext>;
  close(): Promise<void>;
  /** Chromium only: a trace of `page` with these categories, returned by stopTracing. */
  startTracing(page: Page, options: { categories: string[] }): Promise<void>;
  stopTracing(): Promise<Uint8Array>;
}
interface Playwright {
  readonly chromium: { launch(options: { executablePath: string; args: string[]; timeout: number }): Promise<Browser> };
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** STACK.md §4. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Big enough for the 50-node selection box of both editors at their default zoom. */
export const VIEWPORT = { width: 1920, height: 1200 };

export async function launchChromium(): Promise<Browser> {
  const require = createRequire(join(REPO_ROOT, 'e2e', 'package.json'));
  const playwright = require('@playwright/test') as Playwright;
  return playwright.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/**
 * Runs before the editor's own scripts in every document: records every long task (start,
 * duration in the page's clock, ms since navigation start) and offers a rAF frame recorder.
 */
export const INIT_SCRIPT = `(() => {
  const b = { longtasks: [], frames: [], recording: false, longtaskError: undefined };
  window.__pwBench = b;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (b.longtasks.length < 200000) b.longtasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch (err) { b.longtaskError = String(err); }
  b.startFrames = (max) => {
    b.frames = []; b.recording = true;
    const tick = (t) => {
      if (!b.recording) return;
      b.frames.push(t);
      if (b.frames.length >= max) { b.recording = false; return; }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
  b.stopFrames = () => new Promise((resolve) => requestAnimationFrame(() => { b.recording = false; resolve(b.frames); }));
})();`;

/** Start the page's frame recorder (at most `max` frames). */
export async function startFrames(page: Page, max: number): Promise<void> {
  await page.evaluate(`window.__pwBench.startFrames(${max})`);
}

/** Stop it after one more frame; the rAF timestamps (ms). */
export async function stopFrames(page: Page): Promise<number[]> {
  return (await page.evaluate('window.__pwBench.stopFrames()')) as number[];
}

/** The page clock (ms since navigation start). */
export async function pageNow(page: Page): Promise<number> {
  return (await page.evaluate('performance.now()')) as number;
}

/** The longest long task that started in [from, to] of the page clock (0 when none), and how many there were. */
export async function longTasksBetween(page: Page, from: number, to: number): Promise<{ longestMs: number; count: number }> {
  return (await page.evaluate(
    `(() => { let longestMs = 0, count = 0; for (const [s, d] of window.__pwBench.longtasks) if (s >= ${from} && s <= ${to}) { count++; longestMs = Math.max(longestMs, d); } return { longestMs, count }; })()`,
  )) as { longestMs: number; count: number };
}

export interface Rect {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** What differs between the two editors' pages. Every expression is evaluated in the page. */
export interface EditorAdapter {
  readonly system: EditorSystem;
  readonly label: string;
  /** Truthy (the page clock) once all `n` nodes are in the editor's model and some are drawn on its canvas. */
  readyExpr(n: number): string;
  /** The canvas element's box. */
  readonly canvasSelector: string;
  /** An expression of `el` (the element at a point): true when it is the empty canvas. */
  readonly emptyCanvasTest: string;
  /** `ids` → drawn boxes (null when not drawn). */
  rectsExpr(ids: readonly string[]): string;
  /** Nodes selected now. */
  readonly selectedCountExpr: string;
  /** Vertical offset of the view (px; grows when the content moves down). */
  readonly viewOffsetYExpr: string;
  /** The mouse button that pans on an empty canvas. */
  readonly panButton: 'left' | 'middle';
  /** Key held while dragging a selection box on the empty canvas. */
  readonly boxSelectKey: 'Shift' | undefined;
  /** Offset of the grab point from a node box's top-left corner (on its label). */
  grabPoint(rect: Rect): { x: number; y: number };
  /** Brings the debug sidebar up (undefined: it is open by default). */
  readonly openDebugExpr: string | undefined;
  /** Debug messages drawn in the sidebar now. */
  readonly debugRowsExpr: string;
  /** The number of messages received by debug node `id` the editor shows, or undefined when it shows none. */
  receivedShownExpr(id: string): string | undefined;
}

export const PLANTWIRE_ADAPTER: EditorAdapter = {
  system: 'plantwire',
  label: 'Plantwire',
  readyExpr: (n) =>
    `(() => { const model = [...document.querySelectorAll('.pw-statusbar span')].some((e) => e.textContent === '${n} nodes');
      if (!model) return false;
      const drawn = [...document.querySelectorAll('[data-testid="canvas"] .react-flow__node')].some((e) => e.style.visibility !== 'hidden');
      return drawn ? performance.now() : false; })()`,
  canvasSelector: '[data-testid="canvas"] .react-flow',
  emptyCanvasTest: `(!!el && !!el.closest('.react-flow__pane') && !el.closest('.react-flow__node, .react-flow__edge, .react-flow__controls, .react-flow__minimap, .react-flow__panel, .react-flow__handle'))`,
  rectsExpr: (ids) =>
    `${JSON.stringify(ids)}.map((id) => { const e = document.querySelector('.react-flow__node[data-id="' + id + '"]'); if (!e) return null; const r = e.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; })`,
  selectedCountExpr: `document.querySelectorAll('.react-flow__node.selected').length`,
  viewOffsetYExpr: `new DOMMatrixReadOnly(getComputedStyle(document.querySelector('.react-flow__viewport')).transform).f`,
  panButton: 'left',
  boxSelectKey: 'Shift',
  grabPoint: (r) => ({ x: (r.left + r.right) / 2, y: r.top + 12 }),
  openDebugExpr: undefined,
  debugRowsExpr: `document.querySelectorAll('[data-testid="debug-message"]').length`,
  receivedShownExpr: (id) => `(() => { const e = document.querySelector('[data-testid="debug-received-${id}"]'); return e ? Number(e.dataset.count) : -1; })()`,
};

/** Node-RED draws nodes as `g.red-ui-flow-node-group` with the node bound by d3 as `__data__`. */
const NODE_RED_NODE_ELEMENTS = `[...document.querySelectorAll('#red-ui-workspace-chart g.red-ui-flow-node-group')]`;

export const NODE_RED_ADAPTER: EditorAdapter = {
  system: 'node-red',
  label: 'Node-RED 5.0.7',
  readyExpr: (n) =>
    `(() => { if (!window.RED || !RED.nodes || !RED.nodes.eachNode || !RED.view) return false;
      let count = 0; RED.nodes.eachNode(() => { count++; });
      if (count < ${n}) return false;
      return document.querySelector('#red-ui-workspace-chart g.red-ui-flow-node-group') ? performance.now() : false; })()`,
  canvasSelector: '#red-ui-workspace-chart',
  emptyCanvasTest: `(!!el && !!el.closest('#red-ui-workspace-chart') && !el.closest('g.red-ui-flow-node-group, g.red-ui-flow-link, .red-ui-flow-link-background, .red-ui-flow-link-line, .red-ui-flow-group, .red-ui-workspace-footer'))`,
  rectsExpr: (ids) =>
    `(() => { const byId = new Map(${NODE_RED_NODE_ELEMENTS}.map((e) => [e.__data__ && e.__data__.id, e]));
      return ${JSON.stringify(ids)}.map((id) => { const e = byId.get(id); if (!e) return null; const r = (e.querySelector('.red-ui-flow-node') || e).getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; }); })()`,
  selectedCountExpr: `(RED.view.selection().nodes || []).length`,
  viewOffsetYExpr: `-document.querySelector('#red-ui-workspace-chart').scrollTop`,
  panButton: 'middle',
  boxSelectKey: undefined,
  grabPoint: (r) => ({ x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2 }),
  openDebugExpr: `RED.sidebar.show('debug')`,
  debugRowsExpr: `document.querySelectorAll('#red-ui-sidebar .red-ui-debug-msg').length`,
  receivedShownExpr: () => undefined,
};

export const ADAPTERS: Record<EditorSystem, EditorAdapter> = { plantwire: PLANTWIRE_ADAPTER, 'node-red': NODE_RED_ADAPTER };
