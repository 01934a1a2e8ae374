import { describe, expect, it } from 'vitest';
import { addNode, removeElements, setNodeConfig, upsertConnection } from './edit-document.js';
import { demoDocument } from './fixtures.js';
import { pendingChanges } from './pending-changes.js';
import { withPositions } from './document-to-canvas.js';

describe('pendingChanges', () => {
  const deployed = demoDocument();

  it('is zero for the deployed document and for an equal copy (a reloaded draft)', () => {
    expect(pendingChanges(deployed, deployed).total).toBe(0);
    expect(pendingChanges(deployed, JSON.parse(JSON.stringify(deployed))).total).toBe(0);
  });

  it('counts an added node and its wire, a changed config, a removed node and a changed connection', () => {
    let doc = addNode(deployed, { type: 'debug', typeVersion: 1, tab: '', position: { x: 0, y: 0 } }).doc;
    expect(pendingChanges(deployed, doc)).toMatchObject({ semantic: 1, layout: 0 });
    doc = setNodeConfig(doc, 'tick', { intervalMs: 500 });
    expect(pendingChanges(deployed, doc).semantic).toBe(2);
    expect(pendingChanges(deployed, doc).changedNodes).toEqual(new Set(['debug-1', 'tick']));
    doc = removeElements(doc, new Set(['print'])); // the node and its wire
    expect(pendingChanges(deployed, doc).semantic).toBe(4);
    doc = upsertConnection(doc, { id: 'broker', type: 'mqtt-broker', config: { url: 'mqtt://other' } });
    expect(pendingChanges(deployed, doc).semantic).toBe(5);
  });

  it('tells moves apart: a layout-only change restarts nothing', () => {
    const moved = withPositions(deployed, [{ id: 'tick', position: { x: 0, y: 0 } }, { id: 'scale', position: { x: 1, y: 1 } }]);
    expect(pendingChanges(deployed, moved)).toMatchObject({ semantic: 0, layout: 2, total: 2 });
  });

  it('undoing back to the deployed content means no pending change', () => {
    const edited = setNodeConfig(deployed, 'tick', { intervalMs: 5 });
    const reverted = setNodeConfig(edited, 'tick', { intervalMs: 1000 });
    expect(pendingChanges(deployed, reverted).total).toBe(0);
  });
});
