// @vitest-environment happy-dom
import { act, createElement, useState } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionEntry } from '@plantwire/flow';
import type { BrowseResponse } from '@plantwire/protocol';
import { NodeForm, type FieldIssue } from './NodeForm.js';
import { nodeManifest } from './node-types.fixture.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | undefined;
let host: HTMLElement | undefined;
afterEach(() => {
  act(() => root?.unmount());
  host?.remove();
  root = undefined;
});

/** The shell's part, reduced: it keeps the config and hands every new one back. */
function mount(type: string, initial: Record<string, unknown>, extra: { issues?: FieldIssue[]; connections?: ConnectionEntry[]; browse?: (c: string, n?: string, cp?: string) => Promise<BrowseResponse> } = {}) {
  const seen: Array<Record<string, unknown>> = [];
  const edits: Array<[string | undefined, string]> = [];
  function Shell() {
    const [config, setConfig] = useState(initial);
    return createElement(NodeForm, {
      nodeId: 'n1',
      manifest: nodeManifest(type),
      config,
      onChange: (next) => {
        seen.push(next);
        setConfig(next);
      },
      issues: extra.issues ?? [],
      connections: extra.connections ?? [],
      onEditConnection: (id, t) => edits.push([id, t]),
      ...(extra.browse ? { browse: extra.browse } : {}),
    });
  }
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
  act(() => root!.render(createElement(Shell)));
  return { seen, edits, last: () => seen[seen.length - 1] };
}

const byTestId = (id: string) => document.querySelector(`[data-testid="${CSS.escape(id)}"]`) as HTMLElement | null;
function type(id: string, text: string) {
  const el = byTestId(id) as HTMLInputElement;
  expect(el, id).not.toBeNull();
  const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  act(() => {
    Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(el, text);
    el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  });
}
const click = (id: string) => act(() => byTestId(id)!.click());

describe('NodeForm', () => {
  it('edits change rules: a path as you type, the op switch keeps the path, the docs are beside', () => {
    const form = mount('change', { rules: [{ op: 'set', path: 'payload', value: 1 }] });
    expect(byTestId('node-form')).not.toBeNull();
    expect(byTestId('node-docs')!.textContent).toContain('Set, delete or move message properties.');
    type('field-rules.0.path', 'payload.temperature');
    expect(form.last()).toEqual({ rules: [{ op: 'set', path: 'payload.temperature', value: 1 }] });
    const select = byTestId('field-rules.0.op') as HTMLSelectElement;
    const moveIndex = [...select.options].findIndex((o) => o.text === 'Move');
    type('field-rules.0.op', String(moveIndex));
    expect(form.last()).toEqual({ rules: [{ op: 'move', path: 'payload.temperature', to: '' }] });
    expect(byTestId('field-rules.0.to')).not.toBeNull();
    expect(byTestId('field-rules.0.value')).toBeNull();
    click('list-add-rules');
    expect(form.last()).toEqual({ rules: [{ op: 'move', path: 'payload.temperature', to: '' }, { op: 'set', path: '' }] });
    click('list-up-rules.1');
    expect((form.last()!['rules'] as Array<{ op: string }>).map((r) => r.op)).toEqual(['set', 'move']);
  });

  it('shows local problems as you type and the server issue instead where both speak about a field', () => {
    const server: FieldIssue = { path: ['memoryLimitMb'], message: 'memory limit above the server maximum', severity: 'error' };
    mount('function', { timeoutMs: 1000, memoryLimitMb: 99999 }, { issues: [server] });
    expect(byTestId('field-error-timeoutMs')).toBeNull();
    type('field-timeoutMs', '0');
    expect(byTestId('field-error-timeoutMs')!.textContent).toBe('Time limit must be at least 1 ms');
    type('field-timeoutMs', '-');
    expect(byTestId('field-error-timeoutMs')!.textContent).toContain('not a number yet');
    type('field-timeoutMs', '250');
    expect(byTestId('field-error-timeoutMs')).toBeNull();
    // Locally "at most 16384" too; the server's word wins.
    expect(byTestId('field-error-memoryLimitMb')!.textContent).toBe('memory limit above the server maximum');
  });

  it('offers connections of the right type, with edit and new', () => {
    const connections: ConnectionEntry[] = [
      { id: 'plc1', type: 'modbus-device', name: 'Press PLC', config: {} },
      { id: 'broker', type: 'mqtt-broker', config: {} },
    ];
    const form = mount('modbus-read', { device: 'plc1', tags: [{ name: 'temp', address: 0, type: 'float32' }] }, { connections });
    const select = byTestId('field-device') as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual(['', 'plc1']);
    click('connection-edit-device');
    click('connection-new-device');
    expect(form.edits).toEqual([['plc1', 'modbus-device'], [undefined, 'modbus-device']]);
    // The register map: a new row lands after the float32 at 0, at 2.
    expect(byTestId('register-map')).not.toBeNull();
    click('list-add-tags');
    expect(form.last()!['tags']).toEqual([{ name: 'temp', address: 0, type: 'float32' }, { name: 'tag2', address: 2, type: 'float32' }]);
    type('field-tags.1.address', '70000');
    expect(byTestId('field-error-tags.1.address')!.textContent).toBe('Tags, item 2: Address must be at most 65535');
    // All columns in the table window, and rows pasted from a spreadsheet.
    click('register-map-open-tags');
    expect(byTestId('register-map-dialog')).not.toBeNull();
    expect(document.querySelectorAll('[data-testid="register-map"]')).toHaveLength(1);
    expect(byTestId('field-tags.0.unitId')).not.toBeNull();
    type('register-map-paste', 'Name\tAddress\tType\npressure\t20\tint16');
    click('register-map-paste-add');
    expect((form.last()!['tags'] as unknown[])[2]).toEqual({ name: 'pressure', address: 20, type: 'int16' });
    click('register-map-close');
    expect(byTestId('register-map-dialog')).toBeNull();
  });

  it('browses the OPC UA server a page at a time and puts the picked variable into the field', async () => {
    const calls: Array<[string, string | undefined, string | undefined]> = [];
    const pages: Record<string, BrowseResponse> = {
      root: { node: 'i=85', items: [{ nodeId: 'ns=1;s=Line1', browseName: '1:Line1', displayName: 'Line1', nodeClass: 'Object' }], continuationPoint: 'cp1' },
      'root+cp1': { node: 'i=85', items: [{ nodeId: 'ns=1;s=Line2', browseName: '1:Line2', displayName: 'Line2', nodeClass: 'Object' }] },
      'ns=1;s=Line1': { node: 'ns=1;s=Line1', items: [{ nodeId: 'ns=1;s=Line1.Temp', browseName: '1:Temp', displayName: 'Temp', nodeClass: 'Variable', dataType: 'i=11' }] },
    };
    const browse = async (connectionId: string, node?: string, cp?: string) => {
      calls.push([connectionId, node, cp]);
      const page = pages[`${node ?? 'root'}${cp ? `+${cp}` : ''}`];
      if (!page) throw new Error(`unknown node ${node}`);
      return page;
    };
    const form = mount('opcua-write', { endpoint: 'ua1' }, { connections: [{ id: 'ua1', type: 'opcua-endpoint', config: {} }], browse });
    click('browse-nodeId');
    const settle = () => act(async () => { await Promise.resolve(); });
    await settle();
    expect(byTestId('browse-dialog')).not.toBeNull();
    click('browse-more-root');
    await settle();
    expect(byTestId('browse-item-ns=1;s=Line2')).not.toBeNull();
    click('browse-item-ns=1;s=Line1');
    await settle();
    click('browse-item-ns=1;s=Line1.Temp');
    click('browse-pick');
    expect(form.last()).toEqual({ endpoint: 'ua1', nodeId: 'ns=1;s=Line1.Temp' });
    expect(byTestId('browse-dialog')).toBeNull();
    expect(calls).toEqual([['ua1', undefined, undefined], ['ua1', undefined, 'cp1'], ['ua1', 'ns=1;s=Line1', undefined]]);
  });
});
