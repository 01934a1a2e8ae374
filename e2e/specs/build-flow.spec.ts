import { addNode, buildFlow, SLOT, wire } from '../composers/build-flow.js';
import { openEditor } from '../composers/open-editor.js';
import { expect, test } from '../support/fixtures.js';

test('an engineer builds a flow by dragging nodes from the palette and wiring them', async ({ app, capture }) => {
  await openEditor(app);
  await expect(app.canvas.nodes).toHaveCount(0);
  await expect(app.toolbar.pendingCount).toHaveText('0');
  await capture('empty editor');

  const inject = await addNode(app, { type: 'inject', at: SLOT.centre });
  // The palette's search narrows the list to matching types.
  await app.palette.search.fill('debu');
  await expect(app.palette.item('inject')).toBeHidden();
  const debug = await addNode(app, { type: 'debug', at: SLOT.upperRight });
  await app.palette.search.fill('');
  await expect(app.palette.item('inject')).toBeVisible();
  await expect(app.canvas.node(inject)).toContainText('inject');
  await expect(app.canvas.node(debug)).toContainText('debug');
  await expect(app.canvas.wires).toHaveCount(0);

  await wire(app, inject, 'out', debug, 'in');
  await expect(app.canvas.wires).toHaveCount(1);
  // Two nodes and a wire: three changes, none deployed yet.
  await expect(app.toolbar.pendingCount).toHaveText('3');
  await capture('two nodes wired');
});

test('wiring keeps the graph sound: no output-to-output wire, no duplicate wire', async ({ app }) => {
  await openEditor(app);
  const ids = await buildFlow(app, {
    nodes: {
      first: { type: 'inject', at: SLOT.centre },
      second: { type: 'inject', at: SLOT.lowerLeft },
      print: { type: 'debug', at: SLOT.upperRight },
    },
  });
  await app.canvas.output(ids.first, 'out').dragTo(app.canvas.output(ids.second, 'out'));
  await expect(app.canvas.wires).toHaveCount(0);
  await expect(app.toolbar.pendingCount).toHaveText('3');

  await wire(app, ids.first, 'out', ids.print, 'in');
  await expect(app.toolbar.pendingCount).toHaveText('4');
  // The same two ends again are the same wire: still one, nothing new to deploy.
  await app.canvas.connect(ids.first, 'out', ids.print, 'in');
  await expect(app.canvas.wires).toHaveCount(1);
  await expect(app.toolbar.pendingCount).toHaveText('4');
  // A second source into the same input is a second wire.
  await wire(app, ids.second, 'out', ids.print, 'in');
  await expect(app.canvas.wires).toHaveCount(2);
});
