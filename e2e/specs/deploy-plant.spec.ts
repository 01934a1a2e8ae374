import { buildFlow, SLOT } from '../composers/build-flow.js';
import { configureNode, createConnectionFor } from '../composers/configure-node.js';
import { deployFlow } from '../composers/deploy-flow.js';
import { openEditor } from '../composers/open-editor.js';
import { expect, test } from '../support/fixtures.js';

test.use({ plant: true });

/** Published by the simulated plant's default scenario every second (packages/sim/README.md#mqtt). */
const POWER_TOPIC = 'springfield/packaging/line1/meter1/power';

test('a flow deployed against the simulated plant shows its messages in the debug sidebar', async ({ app, capture }) => {
  await openEditor(app);
  const ids = await buildFlow(app, {
    nodes: { meter: { type: 'mqtt-in', at: SLOT.centre }, print: { type: 'debug', at: SLOT.upperRight } },
    wires: [{ from: 'meter', to: 'print' }],
  });
  // The broker's address comes from the server (`plantwire start` sets MQTT_URL to the plant's broker).
  await createConnectionFor(app, ids.meter, 'broker', [{ path: 'url', fill: '${MQTT_URL}' }]);
  await configureNode(app, ids.meter, [{ path: 'topic', fill: POWER_TOPIC }]);
  await deployFlow(app);

  // Live messages of the plant's power meter: {value, unit, timestamp} per publish.
  await expect(app.debug.messagesOf(ids.print).first()).toBeVisible({ timeout: 20_000 });
  await expect(app.debug.messagesOf(ids.print).first()).toContainText('kW');
  await expect.poll(async () => Number(await app.debug.received(ids.print).getAttribute('data-count')), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  await expect(app.canvas.status(ids.meter)).toContainText('connected');
  await expect(app.canvas.wireCounter(ids.meter, 'out', ids.print, 'in')).toBeVisible();
  await capture('live debug messages');
});
