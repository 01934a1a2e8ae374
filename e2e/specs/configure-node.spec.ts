import { addNode, SLOT } from '../composers/build-flow.js';
import { openInInspector } from '../composers/configure-node.js';
import { openEditor } from '../composers/open-editor.js';
import { expect, test } from '../support/fixtures.js';

test('configuring a node shows validation as you type, on the field and on the canvas', async ({ app, capture }) => {
  await openEditor(app);
  const inject = await addNode(app, { type: 'inject', at: SLOT.centre });
  await openInInspector(app, inject);
  // The form is generated from the node type's schema, with its docs beside it.
  await expect(app.inspector.field('intervalMs')).toBeVisible();
  await expect(app.inspector.docs).toContainText('Send a message once at start');
  await expect(app.canvas.invalidMarker(inject)).toHaveCount(0);

  // Not a number yet: said under the field, and nothing is written to the config.
  await app.inspector.fill('intervalMs', '12x');
  await expect(app.inspector.fieldError('intervalMs')).toContainText('"12x"');

  // A number out of range: the schema's check, under the field and as the node's marker.
  await app.inspector.fill('intervalMs', '0');
  await expect(app.inspector.fieldError('intervalMs')).toContainText('at least 1');
  await expect(app.canvas.invalidMarker(inject)).toBeVisible();
  await capture('invalid repeat interval');

  await app.inspector.fill('intervalMs', '1000');
  await expect(app.inspector.fieldError('intervalMs')).toHaveCount(0);
  await expect(app.canvas.invalidMarker(inject)).toHaveCount(0);

  // A union field: the kind picker swaps in the chosen variant's own fields.
  await app.inspector.choose('payload.type', 'number');
  await expect(app.inspector.field('payload.value')).toBeVisible();
  await app.inspector.fill('payload.value', '42');
  await expect(app.inspector.fieldError('payload.value')).toHaveCount(0);
  await capture('configured inject');
});
