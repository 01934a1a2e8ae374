import { buildFlow, SLOT } from '../composers/build-flow.js';
import { configureNode } from '../composers/configure-node.js';
import { deployFlow } from '../composers/deploy-flow.js';
import { openEditor } from '../composers/open-editor.js';
import { exportWorkingCopy } from '../composers/transfer-flow.js';
import { expect, test } from '../support/fixtures.js';
import { runFlowFile } from '../support/run-flow-file.js';

test('a flow built in the browser and exported runs unchanged with `plantwire run`', async ({ app, capture }, testInfo) => {
  await openEditor(app);
  const ids = await buildFlow(app, {
    nodes: {
      tick: { type: 'inject', at: SLOT.centre },
      shape: { type: 'change', at: SLOT.upperRight },
      print: { type: 'debug', at: SLOT.lowerCentre },
    },
    wires: [
      { from: 'tick', to: 'shape' },
      { from: 'shape', to: 'print' },
    ],
  });
  await configureNode(app, ids.tick, [
    { path: 'payload.type', choose: 'string' },
    { path: 'payload.value', fill: 'built in the browser' },
    { path: 'topic', fill: 'e2e/export' },
    { path: 'intervalMs', fill: '200' },
  ]);
  await configureNode(app, ids.shape, [{ path: 'rules', addItem: true }, { path: 'rules.0.path', fill: 'topic' }, { path: 'rules.0.value', fill: '"renamed"' }]);
  await configureNode(app, ids.print, [{ path: 'property', fill: 'msg' }]);

  // The same flow runs in the server first: its messages reach the debug sidebar.
  await deployFlow(app);
  await expect(app.debug.messagesOf(ids.print).first()).toContainText('built in the browser');
  await capture('running in the editor');

  const file = testInfo.outputPath('browser-built.flow.json');
  await exportWorkingCopy(app, file);
  const { lines, code } = await runFlowFile(file, ids.print, 3);
  expect(code, 'plantwire run exits 0 after SIGTERM').toBe(0);
  for (const line of lines.slice(0, 3)) {
    expect(line.value).toMatchObject({ payload: 'built in the browser', topic: 'renamed' });
  }
});
