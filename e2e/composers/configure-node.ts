import { expect } from '@playwright/test';
import type { EditorApp } from '../pages/EditorApp.js';

/** One edit in a node's form, by field path (`payload.type`, `intervalMs`, `rules.0.value`). */
export type FieldEdit =
  | { readonly path: string; readonly fill: string }
  | { readonly path: string; readonly choose: string }
  | { readonly path: string; readonly chooseValue: string }
  | { readonly path: string; readonly check: boolean }
  /** Add an item to the list at `path`; the next edits address it as `<path>.<index>.…`. */
  | { readonly path: string; readonly addItem: true };

/** Select a node on the canvas and wait for its form in the inspector. */
export async function openInInspector(app: EditorApp, nodeId: string): Promise<void> {
  // Clear the selection first: a click on the node that is already selected does not bring it
  // back to the inspector while a connection entry is on show there (reported to the shell).
  await app.canvas.clickEmpty();
  await app.canvas.select(nodeId);
  await expect(app.inspector.nodeForm).toHaveAttribute('data-node-id', nodeId);
}

/** Apply edits to a form already on show, in order. */
export async function editFields(app: EditorApp, edits: readonly FieldEdit[]): Promise<void> {
  for (const edit of edits) {
    if ('fill' in edit) await app.inspector.fill(edit.path, edit.fill);
    else if ('choose' in edit) await app.inspector.choose(edit.path, edit.choose);
    else if ('chooseValue' in edit) await app.inspector.chooseValue(edit.path, edit.chooseValue);
    else if ('addItem' in edit) await app.inspector.addItem(edit.path).click();
    else await app.inspector.setChecked(edit.path, edit.check);
  }
}

/** Select a node, then edit its form (and optionally its name). */
export async function configureNode(app: EditorApp, nodeId: string, edits: readonly FieldEdit[], name?: string): Promise<void> {
  await openInInspector(app, nodeId);
  if (name !== undefined) await app.inspector.nodeName.fill(name);
  await editFields(app, edits);
}

/**
 * Make a new connection entry from a node's connection picker ("New"), fill its form, then pick
 * it in the node's field. Returns the entry's id.
 */
export async function createConnectionFor(app: EditorApp, nodeId: string, path: string, edits: readonly FieldEdit[]): Promise<string> {
  await openInInspector(app, nodeId);
  await app.inspector.newConnection(path).click();
  await expect(app.inspector.connectionForm).toBeVisible();
  const connectionId = await app.inspector.connectionForm.getAttribute('data-connection-id');
  if (connectionId === null) throw new Error('the connection form has no data-connection-id');
  await editFields(app, edits);
  await openInInspector(app, nodeId);
  await app.inspector.chooseValue(path, connectionId);
  await expect(app.inspector.field(path)).toHaveValue(connectionId);
  return connectionId;
}
