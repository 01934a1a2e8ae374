import { expect } from '@playwright/test';
import type { EditorApp } from '../pages/EditorApp.js';

/**
 * Where specs drop nodes, as fractions of the canvas. The first node of a flow goes to the centre:
 * the editor frames the first node dropped onto an empty tab (the view pans and zooms to it), so
 * only there does it stay put; the other slots keep clear of it, of each other, of the minimap
 * (bottom right) and of the zoom controls (bottom left), framed or not.
 */
export const SLOT = {
  centre: { x: 0.5, y: 0.45 },
  upperLeft: { x: 0.2, y: 0.15 },
  upperRight: { x: 0.8, y: 0.15 },
  lowerLeft: { x: 0.2, y: 0.72 },
  lowerCentre: { x: 0.5, y: 0.72 },
} as const;

export interface NodeToAdd {
  /** Node type, as in the palette. */
  readonly type: string;
  /** Where to drop it: fractions of the canvas's width and height (0.5, 0.5 is the middle). */
  readonly at: { readonly x: number; readonly y: number };
}

/** A wire between two nodes of a {@link buildFlow} plan, by their keys there. */
export interface WireToDraw {
  readonly from: string;
  readonly fromPort?: string;
  readonly to: string;
  readonly toPort?: string;
}

/**
 * Drag one node type from the palette onto the canvas; returns the id the editor gave it (the node
 * that appeared), so nothing here guesses the editor's id scheme.
 */
export async function addNode(app: EditorApp, node: NodeToAdd): Promise<string> {
  const before = await app.canvas.nodeIds();
  await app.canvas.drop(app.palette.item(node.type), node.at);
  await expect(app.canvas.nodes, `a ${node.type} node appears after the drop`).toHaveCount(before.length + 1);
  const added = (await app.canvas.nodeIds()).filter((id) => !before.includes(id));
  expect(added, `exactly one new node after dropping ${node.type}`).toHaveLength(1);
  const id = added[0]!;
  await expect(app.canvas.node(id)).toBeVisible();
  return id;
}

/** Wire an output port to an input port by dragging between their handles; waits for the wire. */
export async function wire(app: EditorApp, from: string, fromPort: string, to: string, toPort: string): Promise<void> {
  await app.canvas.connect(from, fromPort, to, toPort);
  await expect(app.canvas.wire(from, fromPort, to, toPort), `wire ${from}.${fromPort} → ${to}.${toPort}`).toBeVisible();
}

/**
 * Build a flow the way a user does: every node dragged from the palette, then every wire drawn.
 * Returns the editor's id of each node by its key in `nodes`.
 */
export async function buildFlow<K extends string>(app: EditorApp, plan: { nodes: Record<K, NodeToAdd>; wires?: readonly WireToDraw[] }): Promise<Record<K, string>> {
  const ids = {} as Record<K, string>;
  for (const key of Object.keys(plan.nodes) as K[]) ids[key] = await addNode(app, plan.nodes[key]);
  for (const w of plan.wires ?? []) {
    const from = ids[w.from as K];
    const to = ids[w.to as K];
    if (from === undefined || to === undefined) throw new Error(`buildFlow: wire ${w.from} → ${w.to} names a node not in the plan`);
    await wire(app, from, w.fromPort ?? 'out', to, w.toPort ?? 'in');
  }
  return ids;
}
