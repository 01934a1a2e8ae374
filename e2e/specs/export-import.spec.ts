import { buildFlow, SLOT } from '../composers/build-flow.js';
import { configureNode } from '../composers/configure-node.js';
import { openEditor } from '../composers/open-editor.js';
import { exportWorkingCopy, importFile } from '../composers/transfer-flow.js';
import { expect, test } from '../support/fixtures.js';

interface ExportedFlow {
  readonly nodes: ReadonlyArray<{ readonly id: string; readonly type: string; readonly name?: string; readonly config?: Record<string, unknown> }>;
  readonly wires: ReadonlyArray<{ readonly from: { node: string; port: string }; readonly to: { node: string; port: string } }>;
}

test('a flow exported as JSON and imported again is the same document', async ({ app, capture }, testInfo) => {
  await openEditor(app);
  const ids = await buildFlow(app, {
    nodes: { tick: { type: 'inject', at: SLOT.centre }, print: { type: 'debug', at: SLOT.upperRight } },
    wires: [{ from: 'tick', to: 'print' }],
  });
  await configureNode(app, ids.tick, [{ path: 'payload.type', choose: 'string' }, { path: 'payload.value', fill: 'hello' }, { path: 'intervalMs', fill: '500' }], 'tick');

  const exported = await exportWorkingCopy(app, testInfo.outputPath('exported.flow.json'));
  const flow = JSON.parse(exported) as ExportedFlow;
  expect(flow.nodes.map((n) => n.id).sort()).toEqual([ids.print, ids.tick].sort());
  expect(flow.nodes.find((n) => n.id === ids.tick)).toMatchObject({ type: 'inject', name: 'tick', config: { payload: { type: 'string', value: 'hello' }, intervalMs: 500 } });
  expect(flow.wires).toEqual([{ from: { node: ids.tick, port: 'out' }, to: { node: ids.print, port: 'in' } }]);

  // Clear the canvas, then bring the file back through the import dialog.
  await app.canvas.clickEmpty();
  await app.page.keyboard.press('Control+a');
  await app.page.keyboard.press('Delete');
  await expect(app.canvas.nodes).toHaveCount(0);
  const preview = await importFile(app, testInfo.outputPath('exported.flow.json'));
  expect(preview).toContain('Adds 2 nodes, 1 wire');
  await expect(app.canvas.wire(ids.tick, 'out', ids.print, 'in')).toBeVisible();
  await capture('re-imported');

  const again = await exportWorkingCopy(app, testInfo.outputPath('re-exported.flow.json'));
  expect(again).toBe(exported);
});
