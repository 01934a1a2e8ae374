import { addNode, SLOT, wire } from '../composers/build-flow.js';
import { configureNode } from '../composers/configure-node.js';
import { openEditor } from '../composers/open-editor.js';
import { expect, test } from '../support/fixtures.js';

test('undo and redo step back and forth through adding, wiring and configuring', async ({ app, capture }) => {
  await openEditor(app);
  await expect(app.toolbar.undo).toBeDisabled();
  const inject = await addNode(app, { type: 'inject', at: SLOT.centre });
  const debug = await addNode(app, { type: 'debug', at: SLOT.upperRight });
  await wire(app, inject, 'out', debug, 'in');
  await configureNode(app, inject, [{ path: 'topic', fill: 'line1/start' }]);
  await capture('before undo');

  // The topic typed in one go is one step.
  await app.toolbar.undo.click();
  await expect(app.inspector.field('topic')).toHaveValue('');
  await app.toolbar.undo.click();
  await expect(app.canvas.wires).toHaveCount(0);
  await app.toolbar.undo.click();
  await expect(app.canvas.node(debug)).toHaveCount(0);
  await expect(app.canvas.nodes).toHaveCount(1);
  await capture('after three undos');

  await app.toolbar.redo.click();
  await expect(app.canvas.node(debug)).toBeVisible();
  await app.toolbar.redo.click();
  await expect(app.canvas.wire(inject, 'out', debug, 'in')).toBeVisible();
  await app.toolbar.redo.click();
  await expect(app.toolbar.redo).toBeDisabled();
  await configureNode(app, inject, []);
  await expect(app.inspector.field('topic')).toHaveValue('line1/start');

  // The keyboard does the same: Ctrl+Z on the canvas (not in a text field) undoes the topic.
  await app.canvas.clickEmpty();
  await app.page.keyboard.press('Control+z');
  await configureNode(app, inject, []);
  await expect(app.inspector.field('topic')).toHaveValue('');
  await app.canvas.clickEmpty();
  await app.page.keyboard.press('Control+Shift+z');
  await configureNode(app, inject, []);
  await expect(app.inspector.field('topic')).toHaveValue('line1/start');
  await expect(app.toolbar.pendingCount).toHaveText('3');
});
