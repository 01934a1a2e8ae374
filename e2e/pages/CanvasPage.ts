import type { Locator, Page } from '@playwright/test';

/**
 * The flow canvas. Plantwire's own test ids (`node-<id>`, `handle-<id>-in|out-<port>`,
 * `node-invalid-<id>`, `node-status-<id>`, `edge-count-…`), plus React Flow's `rf__node-<id>` /
 * `rf__edge-<id>` wrappers, whose ids are the document's node ids and `from:port>to:port`.
 */
export class CanvasPage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('canvas');
  }

  /** Every node drawn on the active tab. */
  get nodes(): Locator {
    return this.root.locator('[data-testid^="rf__node-"]');
  }

  /** Every wire drawn on the active tab. */
  get wires(): Locator {
    return this.root.locator('[data-testid^="rf__edge-"]');
  }

  node(id: string): Locator {
    return this.page.getByTestId(`node-${id}`);
  }

  output(id: string, port: string): Locator {
    return this.page.getByTestId(`handle-${id}-out-${port}`);
  }

  input(id: string, port: string): Locator {
    return this.page.getByTestId(`handle-${id}-in-${port}`);
  }

  invalidMarker(id: string): Locator {
    return this.page.getByTestId(`node-invalid-${id}`);
  }

  status(id: string): Locator {
    return this.page.getByTestId(`node-status-${id}`);
  }

  wire(from: string, fromPort: string, to: string, toPort: string): Locator {
    return this.page.getByTestId(`rf__edge-${from}:${fromPort}>${to}:${toPort}`);
  }

  wireCounter(from: string, fromPort: string, to: string, toPort: string): Locator {
    return this.page.getByTestId(`edge-count-${from}-${fromPort}-${to}-${toPort}`);
  }

  /** The ids of the nodes drawn now, from React Flow's `rf__node-<id>` wrappers. */
  async nodeIds(): Promise<string[]> {
    const testIds = await this.nodes.evaluateAll((elements) => elements.map((e) => e.getAttribute('data-testid') ?? ''));
    return testIds.map((t) => t.slice('rf__node-'.length));
  }

  /**
   * HTML5 drag and drop of `source` onto the canvas at `at`, given as fractions of the canvas's
   * width and height (0.5, 0.5 is the middle), so specs do not depend on the panels' sizes.
   */
  async drop(source: Locator, at: { x: number; y: number }): Promise<void> {
    const box = await this.root.boundingBox();
    if (!box) throw new Error('the canvas is not on screen');
    await source.dragTo(this.root, { targetPosition: { x: Math.round(box.width * at.x), y: Math.round(box.height * at.y) } });
  }

  /** Drag from an output handle onto an input handle (React Flow's connection gesture). */
  async connect(from: string, fromPort: string, to: string, toPort: string): Promise<void> {
    await this.output(from, fromPort).dragTo(this.input(to, toPort));
  }

  /** Click the empty canvas near its top left corner: clears the selection. */
  async clickEmpty(): Promise<void> {
    await this.root.click({ position: { x: 12, y: 12 } });
  }

  /** Click a node's header: selects it alone (the inspector shows it). */
  async select(id: string): Promise<void> {
    await this.node(id).click({ position: { x: 20, y: 12 } });
  }
}
