import { buildFlow, SLOT } from '../composers/build-flow.js';
import { configureNode, openInInspector } from '../composers/configure-node.js';
import { deployFlow, pressDeploy } from '../composers/deploy-flow.js';
import { openEditor } from '../composers/open-editor.js';
import { expect, test } from '../support/fixtures.js';

/** Defined by no layer (tab, document, the server's process): only the server can tell at deploy. */
const UNDEFINED_VARIABLE = 'E2E_NEVER_DEFINED_ANYWHERE';

test('an invalid config blocks the deploy, names and marks the node, and keeps the edits', async ({ app, capture, request }) => {
  await openEditor(app);
  const ids = await buildFlow(app, {
    nodes: { tick: { type: 'inject', at: SLOT.centre }, print: { type: 'debug', at: SLOT.upperRight } },
    wires: [{ from: 'tick', to: 'print' }],
  });
  await configureNode(app, ids.tick, [{ path: 'topic', fill: `line1/\${${UNDEFINED_VARIABLE}}` }]);
  // The form's own schema check has nothing against it: the marker below comes from the server.
  await expect(app.canvas.invalidMarker(ids.tick)).toHaveCount(0);
  const before = (await (await request.get('/api/flows')).json()) as { revision: string };

  // The server refuses (422) with the node and the JSON path; nothing changes on the server.
  expect(await pressDeploy(app)).toBe(422);
  await expect(app.toolbar.deployError).toBeVisible();
  await expect(app.toolbar.deployIssues.filter({ hasText: ids.tick })).toContainText(UNDEFINED_VARIABLE);
  await expect(app.toolbar.deployIssues.filter({ hasText: ids.tick })).toContainText('config.topic');
  await expect(app.canvas.invalidMarker(ids.tick)).toBeVisible();
  await expect(app.canvas.invalidMarker(ids.print)).toHaveCount(0);
  await expect(app.inspector.fieldError('topic')).toContainText(UNDEFINED_VARIABLE);
  await expect(app.toolbar.pendingCount).toHaveText('3');
  const after = (await (await request.get('/api/flows')).json()) as { revision: string; document: { nodes: unknown[] } };
  expect(after.revision).toBe(before.revision);
  expect(after.document.nodes).toHaveLength(0);
  await capture('deploy refused');

  // Fixing the field clears the marker; the next deploy goes through with the edits kept.
  await openInInspector(app, ids.tick);
  await app.inspector.fill('topic', 'line1/start');
  await expect(app.canvas.invalidMarker(ids.tick)).toHaveCount(0);
  await deployFlow(app);
  await expect(app.toolbar.deployError).toBeHidden();
  const deployed = (await (await request.get('/api/flows')).json()) as { document: { nodes: Array<{ id: string; config?: { topic?: string } }> } };
  expect(deployed.document.nodes.map((n) => n.id).sort()).toEqual([ids.print, ids.tick].sort());
  expect(deployed.document.nodes.find((n) => n.id === ids.tick)?.config?.topic).toBe('line1/start');
});
