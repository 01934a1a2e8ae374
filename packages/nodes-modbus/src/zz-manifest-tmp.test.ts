import { it, expect } from 'vitest';
import { toManifest, toConnectionManifest, renderNodeDoc, renderConnectionDoc } from '@plantwire/node-sdk';
import { modbusNodes, modbusConnections } from './index.js';
it('x', () => {
  for (const t of modbusNodes) { const m = toManifest(t); expect(m).toBeTruthy(); console.log(renderNodeDoc(t).slice(0, 3000)); }
  for (const c of modbusConnections) { toConnectionManifest(c); console.log(renderConnectionDoc(c).slice(0, 1500)); }
});
