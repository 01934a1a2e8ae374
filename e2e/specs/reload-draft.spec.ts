import { buildFlow, SLOT } from '../composers/build-flow.js';
import { configureNode } from '../composers/configure-node.js';
import { openEditor, reloadEditor } from '../composers/open-editor.js';
import { expect, test } from '../support/fixtures.js';

test('a reload keeps the unsaved work, and it is still not deployed', async ({ app, capture, request }) => {
  await openEditor(app);
  const ids = await buildFlow(app, {
    nodes: { tick: { type: 'inject', at: SLOT.centre }, print: { type: 'debug', at: SLOT.upperRight } },
    wires: [{ from: 'tick', to: 'print' }],
  });
  await configureNode(app, ids.tick, [{ path: 'topic', fill: 'kept/over/reload' }], 'survivor');
  await expect(app.toolbar.pendingCount).toHaveText('3');

  await reloadEditor(app);
  await expect(app.toolbar.notice).toContainText('Restored unsaved changes');
  await expect(app.canvas.nodes).toHaveCount(2);
  await expect(app.canvas.node(ids.tick)).toContainText('survivor');
  await expect(app.canvas.wire(ids.tick, 'out', ids.print, 'in')).toBeVisible();
  await expect(app.toolbar.pendingCount).toHaveText('3');
  await configureNode(app, ids.tick, []);
  await expect(app.inspector.field('topic')).toHaveValue('kept/over/reload');
  await capture('restored after reload');

  // Kept in the browser only: the server still runs the empty flow.
  const deployed = (await (await request.get('/api/flows')).json()) as { document: { nodes: unknown[] } };
  expect(deployed.document.nodes).toHaveLength(0);
});
