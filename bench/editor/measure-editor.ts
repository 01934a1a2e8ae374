/**
 * The measurements, defined once and run identically on both editors through an
 * {@link EditorAdapter}: time to interactive, panning, dragging 50 selected nodes, debug flood.
 * Every wait is bounded in time and every loop in count.
 */
import { rssMb } from '../drivers/measure-throughput.js';
import { frameStats, type FloodFigures, type FrameStats, type TtiRun } from './editor-figures.js';
import { longTasksBetween, pageNow, startFrames, stopFrames, VIEWPORT, INIT_SCRIPT, type Browser, type BrowserContext, type EditorAdapter, type Page, type Rect } from './editor-page.js';

/** Quiet window after which the page counts as interactive: no long task for this long. */
export const QUIET_MS = 500;
const MAX_FRAMES = 20_000;

export interface OpenedEditor {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly run: TtiRun;
}

/**
 * Navigation start (the page clock's origin) → interactive: all `n` nodes in the editor's model
 * and some drawn (polled every 50 ms), then a double requestAnimationFrame (a frame was
 * produced), then the first window of {@link QUIET_MS} without a long task; interactive is the
 * end of the last long task before that window, or the frame, whichever is later.
 */
export async function openEditor(browser: Browser, url: string, adapter: EditorAdapter, n: number, timeoutMs: number): Promise<OpenedEditor> {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  try {
    await context.addInitScript(INIT_SCRIPT);
    const page = await context.newPage();
    page.setDefaultTimeout(timeoutMs);
    const started = Date.now();
    await page.goto(url, { waitUntil: 'commit', timeout: timeoutMs });
    const ready = await page.waitForFunction(adapter.readyExpr(n), undefined, { polling: 50, timeout: timeoutMs }).catch(async (err: unknown) => {
      // Say what the page shows instead (a login, a load error, a half-built editor bundle).
      const shows = (await page.evaluate('document.body ? document.body.innerText.replace(/\\s+/g, " ").slice(0, 300) : "no body"').catch(() => 'unreadable')) as string;
      throw new Error(`${adapter.label}: ${n} nodes not in the model and drawn within ${timeoutMs} ms of navigating to ${url} (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); the page shows: ${shows}`);
    });
    const readyMs = (await ready.jsonValue()) as number;
    const frameMs = (await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))')) as number;
    const left = Math.max(1000, timeoutMs - (Date.now() - started));
    const ttiMs = (await page.evaluate(
      `new Promise((resolve) => {
        const limit = performance.now() + ${left};
        const check = () => {
          let lastEnd = 0;
          for (const [s, d] of window.__pwBench.longtasks) lastEnd = Math.max(lastEnd, s + d);
          const since = Math.max(${frameMs}, lastEnd);
          const now = performance.now();
          if (now - since >= ${QUIET_MS}) resolve(since);
          else if (now > limit) resolve(-1);
          else setTimeout(check, 50);
        };
        check();
      })`,
    )) as number;
    if (ttiMs < 0) throw new Error(`${adapter.label}: no ${QUIET_MS} ms without a long task within ${timeoutMs} ms of navigation (${url})`);
    const { longestMs } = await longTasksBetween(page, 0, ttiMs);
    return { page, context, run: { ttiMs, readyMs, longestTaskMs: longestMs } };
  } catch (err) {
    await context.close().catch(() => undefined);
    throw err;
  }
}

/** The drawn boxes of `ids`, waiting (bounded, 5 s) for a virtualising canvas to draw them all. */
async function rects(page: Page, adapter: EditorAdapter, ids: readonly string[]): Promise<Rect[]> {
  const found = await until<Array<Rect | null>>(page, adapter.rectsExpr(ids), (boxes) => boxes.every(Boolean), 5000, 100);
  const missing = ids.filter((_, i) => !found[i]);
  if (missing.length) {
    const view = (await page.evaluate(adapter.viewOffsetYExpr)) as number;
    throw new Error(`${adapter.label}: node(s) ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} not drawn within 5 s (view offset y ${view.toFixed(0)} px)`);
  }
  return found as Rect[];
}

async function isEmptyCanvas(page: Page, adapter: EditorAdapter, x: number, y: number): Promise<boolean> {
  return (await whatIsAt(page, adapter, x, y)) === '';
}

/** '' when (x, y) is on the empty canvas, else what is there (tag and classes), for error messages. */
async function whatIsAt(page: Page, adapter: EditorAdapter, x: number, y: number): Promise<string> {
  return (await page.evaluate(
    `(() => { const el = document.elementFromPoint(${x}, ${y}); if (${adapter.emptyCanvasTest}) return ''; return el ? el.tagName + '.' + String(el.getAttribute('class')).split(' ').join('.') : 'nothing'; })()`,
  )) as string;
}

async function canvasBox(page: Page, adapter: EditorAdapter): Promise<Rect> {
  const box = await page.locator(adapter.canvasSelector).first().boundingBox();
  if (!box) throw new Error(`${adapter.label}: canvas ${adapter.canvasSelector} not found`);
  return { left: box.x, top: box.y, right: box.x + box.width, bottom: box.y + box.height };
}

async function viewOffsetY(page: Page, adapter: EditorAdapter): Promise<number> {
  return (await page.evaluate(adapter.viewOffsetYExpr)) as number;
}

/**
 * Select `ids` with a selection box drawn by the mouse around their drawn boxes (Plantwire:
 * Shift-drag; Node-RED: drag on the empty canvas), check exactly that many are selected, then drag
 * one of them `steps` mouse moves of (3, 2) px while the page records frames. Checks that the last
 * node of the selection moved with it.
 */
export async function dragSelection(page: Page, adapter: EditorAdapter, ids: readonly string[], steps: number): Promise<FrameStats> {
  const boxes = await rects(page, adapter, ids);
  const margin = 6;
  const from = { x: Math.min(...boxes.map((b) => b.left)) - margin, y: Math.min(...boxes.map((b) => b.top)) - margin };
  const to = { x: Math.max(...boxes.map((b) => b.right)) + margin, y: Math.max(...boxes.map((b) => b.bottom)) + margin };
  for (const [name, p] of [['top-left', from], ['bottom-right', to]] as const) {
    const there = await whatIsAt(page, adapter, p.x, p.y);
    if (there) throw new Error(`${adapter.label}: the selection box's ${name} corner (${p.x.toFixed(0)}, ${p.y.toFixed(0)}) is on ${there}, not on the empty canvas`);
  }
  if (adapter.boxSelectKey) await page.keyboard.down(adapter.boxSelectKey);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 10 });
  await page.mouse.up();
  if (adapter.boxSelectKey) await page.keyboard.up(adapter.boxSelectKey);
  const selected = (await page.evaluate(adapter.selectedCountExpr)) as number;
  if (selected !== ids.length) throw new Error(`${adapter.label}: the selection box selected ${selected} nodes, expected ${ids.length}`);

  const grab = adapter.grabPoint(boxes[0]!);
  const lastBefore = boxes[boxes.length - 1]!;
  const dx = 3;
  const dy = 2;
  await page.mouse.move(grab.x, grab.y);
  await page.mouse.down();
  await startFrames(page, MAX_FRAMES);
  for (let i = 1; i <= steps; i++) await page.mouse.move(grab.x + dx * i, grab.y + dy * i);
  const frames = await stopFrames(page);
  await page.mouse.up();
  const lastAfter = (await rects(page, adapter, [ids[ids.length - 1]!]))[0]!;
  const moved = lastAfter.left - lastBefore.left;
  if (moved < dx * steps * 0.5) throw new Error(`${adapter.label}: node ${ids[ids.length - 1]} moved ${moved.toFixed(0)} px with the selection, expected about ${dx * steps} px`);
  const stats = frameStats(frames);
  if (!stats) throw new Error(`${adapter.label}: no frames recorded while dragging`);
  return stats;
}

/**
 * Pan the view with the editor's own mouse gesture (Plantwire: left-drag, Node-RED: middle-drag on
 * the empty canvas): `steps` moves of up to 8 px, half upwards (the view moves down the flow), half
 * back, while the page records frames. Checks the view moved.
 */
export async function pan(page: Page, adapter: EditorAdapter, steps: number): Promise<FrameStats> {
  const canvas = await canvasBox(page, adapter);
  const half = Math.max(1, Math.floor(steps / 2));
  const stepPx = Math.min(8, (canvas.bottom - canvas.top - 160) / half);
  // The lowest empty point on a coarse grid in the canvas's lower part (bounded search).
  let start: { x: number; y: number } | undefined;
  for (let y = canvas.bottom - 60; y > canvas.bottom - 200 && !start; y -= 4) {
    for (let x = canvas.left + 200; x < canvas.right - 200 && !start; x += 37) if (await isEmptyCanvas(page, adapter, x, y)) start = { x, y };
  }
  if (!start) throw new Error(`${adapter.label}: no empty canvas point found to start panning`);
  const before = await viewOffsetY(page, adapter);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down({ button: adapter.panButton });
  await startFrames(page, MAX_FRAMES);
  for (let i = 1; i <= half; i++) await page.mouse.move(start.x, start.y - stepPx * i);
  const middle = await viewOffsetY(page, adapter);
  for (let i = half - 1; i >= 0; i--) await page.mouse.move(start.x, start.y - stepPx * i);
  const frames = await stopFrames(page);
  await page.mouse.up({ button: adapter.panButton });
  if (Math.abs(middle - before) < stepPx * half * 0.5) throw new Error(`${adapter.label}: the view moved ${Math.abs(middle - before).toFixed(0)} px while panning ${(stepPx * half).toFixed(0)} px`);
  const stats = frameStats(frames);
  if (!stats) throw new Error(`${adapter.label}: no frames recorded while panning`);
  return stats;
}

/** A source of messages for the flood: `publish(n)` sends n messages now (QoS 0). */
export interface FloodSource {
  publish(count: number): void;
}

/** The bounded wait for an in-page condition, polled every `everyMs`. */
async function until<T>(page: Page, expr: string, accept: (value: T) => boolean, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = (await page.evaluate(expr)) as T;
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * The debug flood, editor open on the debug sidebar: probes until the editor shows a first
 * message (the subscription is up), then `rate` msg/s for `seconds` (paced in 1 ms ticks, catching
 * up), the page recording frames and long tasks and the server's VmRSS sampled every 200 ms. Then
 * waits (bounded) until the editor shows every published message as received, where it shows a count.
 */
export async function debugFlood(page: Page, adapter: EditorAdapter, debugId: string, serverPid: number, source: FloodSource, rate: number, seconds: number): Promise<FloodFigures> {
  if (adapter.openDebugExpr) await page.evaluate(adapter.openDebugExpr);
  let published = 0;
  const probeDeadline = Date.now() + 30_000;
  for (;;) {
    source.publish(1);
    published++;
    const rows = (await page.evaluate(adapter.debugRowsExpr)) as number;
    if (rows > 0) break;
    if (Date.now() > probeDeadline) throw new Error(`${adapter.label}: no debug message shown within 30 s of probing (${published} probes)`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const shownExpr = adapter.receivedShownExpr(debugId);
  if (shownExpr) {
    const shown = await until<number>(page, shownExpr, (v) => v === published, 10_000, 200);
    if (shown !== published) throw new Error(`${adapter.label}: shows ${shown} received after ${published} probes`);
  }
  const before: number[] = [];
  for (let i = 0; i < 5; i++) {
    before.push(rssMb(serverPid));
    await new Promise((r) => setTimeout(r, 200));
  }
  const rssBeforeMb = before.sort((a, b) => a - b)[2]!;
  let rssPeakMb = rssBeforeMb;
  let rssEndMb = rssBeforeMb;
  const sampler = setInterval(() => {
    try {
      rssEndMb = rssMb(serverPid);
      rssPeakMb = Math.max(rssPeakMb, rssEndMb);
    } catch {
      // The server ended: the wait below reports it.
    }
  }, 200);
  const total = rate * seconds;
  let sent = 0;
  const t0 = await pageNow(page);
  await startFrames(page, MAX_FRAMES);
  try {
    const started = performance.now();
    const hardEnd = started + seconds * 1000 * 1.5 + 5000;
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = performance.now();
        const due = Math.min(total, Math.floor(((now - started) * rate) / 1000)) - sent;
        // One tick sends at most 2 ms worth: a stalled loop catches up without one huge burst.
        const n = Math.min(due, Math.ceil(rate / 500));
        if (n > 0) {
          source.publish(n);
          sent += n;
        }
        if (sent >= total || now > hardEnd) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
  } finally {
    clearInterval(sampler);
  }
  const frames = await stopFrames(page);
  const t1 = await pageNow(page);
  published += sent;
  const tasks = await longTasksBetween(page, t0, t1);
  const shownReceived = shownExpr ? await until<number>(page, shownExpr, (v) => v >= published, 20_000, 250) : undefined;
  const rowsDrawn = (await page.evaluate(adapter.debugRowsExpr)) as number;
  return { seconds, published, shownReceived, rowsDrawn, longestTaskMs: tasks.longestMs, longTasks: tasks.count, frames: frameStats(frames), rssBeforeMb, rssPeakMb, rssEndMb };
}
