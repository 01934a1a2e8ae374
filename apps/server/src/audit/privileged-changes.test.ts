import { describe, expect, it } from 'vitest';
import type { FlowDocument } from '@plantwire/flow';
import { createRegistry } from '@plantwire/node-sdk';
import { coreNodes } from '@plantwire/nodes-core';
import { modbusConnections, modbusNodes } from '@plantwire/nodes-modbus';
import { privilegedChanges } from './privileged-changes.js';

const registry = createRegistry([...coreNodes, ...modbusNodes], modbusConnections);
const plc = { id: 'plc', type: 'modbus-device', config: { host: '127.0.0.1', port: 502 } };
const writer = (address: number, extra: Record<string, unknown> = {}) => ({ id: 'w', type: 'modbus-write', config: { device: 'plc', tags: [{ name: 't', address }] }, ...extra });
const doc = (nodes: unknown[], connections: unknown[] = [plc]) => ({ version: 1, nodes: [{ id: 'd', type: 'debug', config: {} }, ...nodes], connections, wires: [] }) as unknown as FlowDocument;

describe('privilegedChanges', () => {
  it('lists added and changed device writers with their reason, not unchanged or removed ones', () => {
    expect(privilegedChanges(undefined, doc([writer(5)]), registry)).toEqual([{ nodeId: 'w', type: 'modbus-write', reason: 'writes to Modbus device "plc": holding 5' }]);
    expect(privilegedChanges(doc([writer(5)]), doc([writer(5)]), registry)).toEqual([]);
    // Key order and other nodes do not count.
    const reordered = { id: 'w', type: 'modbus-write', config: { tags: [{ address: 5, name: 't' }], device: 'plc' } };
    expect(privilegedChanges(doc([writer(5)]), { ...doc([reordered]), name: 'renamed' } as FlowDocument, registry)).toEqual([]);
    expect(privilegedChanges(doc([writer(5)]), doc([]), registry)).toEqual([]);
    expect(privilegedChanges(doc([writer(5)]), doc([writer(6)]), registry).map((c) => c.nodeId)).toEqual(['w']);
    expect(privilegedChanges(doc([writer(5, { disabled: true })]), doc([writer(5)]), registry).map((c) => c.nodeId)).toEqual(['w']);
  });

  it('counts a writer whose connection entry changed (same writer, another device)', () => {
    const moved = { ...plc, config: { host: '10.0.0.9', port: 502 } };
    expect(privilegedChanges(doc([writer(5)]), doc([writer(5)], [moved]), registry).map((c) => c.nodeId)).toEqual(['w']);
  });

  it('still asks for elevation when the config only parses after ${ENV} substitution', () => {
    const viaEnv = { id: 'w', type: 'modbus-write', config: { device: 'plc', tags: [{ name: 't', address: '${ADDRESS}' }] } };
    expect(privilegedChanges(undefined, doc([viaEnv]), registry)).toEqual([{ nodeId: 'w', type: 'modbus-write', reason: 'modbus-write writes to devices' }]);
  });
});
